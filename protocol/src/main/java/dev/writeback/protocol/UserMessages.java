package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What end users are told about a password operation's result, in one place for the relay's API answers and the
 * portal: one text per {@link ResultCode} ({@code result.CODE}) and per {@link PolicyReason}
 * ({@code policy.REASON}), in English and Korean, from {@code dev/writeback/protocol/i18n/user-messages_*.properties}
 * (UTF-8, {@link MessageFormat} patterns). Both languages are complete; a missing key fails loudly.
 *
 * <p>A result text names whom to contact as {@code {0}}: the tenant's contact where one is known (the portal),
 * else {@code contact.default} ("your help desk").
 */
public final class UserMessages {
    /** The languages spoken; the first is the default. */
    public static final List<Locale> SUPPORTED = List.of(Locale.ENGLISH, Locale.KOREAN);

    private static final Map<String, Properties> BUNDLES = Map.of("en", load("en"), "ko", load("ko"));

    private UserMessages() {}

    /** The text for {@code code} in {@code locale}; {@code contact} null or blank means {@code contact.default}. */
    public static String result(ResultCode code, Locale locale, String contact) {
        requireNonNull(code, "code");
        return format(locale, "result." + code.name(), contactOr(locale, contact));
    }

    /** The English text for {@code code}, naming the default contact: what the REST API answers for the relay's own results. */
    public static String result(ResultCode code) {
        return result(code, Locale.ENGLISH, null);
    }

    /** The text for a successful {@code operation} in {@code locale} (e.g. "Your password has been reset."). */
    public static String success(Operation operation, Locale locale) {
        requireNonNull(operation, "operation");
        return format(locale, "success." + operation.name());
    }

    /** The English text for a successful {@code operation}: what the agent reports. */
    public static String success(Operation operation) {
        return success(operation, Locale.ENGLISH);
    }

    /**
     * The text for a broken policy rule; {@code argument} is the minimum length for {@code TOO_SHORT} (null: a text
     * without it) and whom to contact for {@code MIN_AGE} (null: {@code contact.default}).
     */
    public static String policy(PolicyReason reason, Locale locale, Object argument) {
        requireNonNull(reason, "reason");
        if (argument == null && reason == PolicyReason.TOO_SHORT) {
            return format(locale, "policy.TOO_SHORT.noLength");   // the directory did not say how long
        }
        Object arg = argument == null && reason == PolicyReason.MIN_AGE ? contactOr(locale, null) : argument;
        return format(locale, "policy." + reason.name(), arg);
    }

    /** Whether {@code key} is one of these texts (the portal's own bundle defers to them). */
    public static boolean has(String key) {
        return BUNDLES.get("en").containsKey(key);
    }

    /** The text for {@code key} in {@code locale}, with {@code args} put in by {@link MessageFormat}. */
    public static String format(Locale locale, String key, Object... args) {
        requireNonNull(key, "key");
        String pattern = bundle(locale).getProperty(key);
        if (pattern == null) {
            throw new IllegalArgumentException("user message key: " + key + " (expected: a key of user-messages_"
                    + bundleLanguage(locale) + ".properties)");
        }
        return new MessageFormat(pattern, locale == null ? Locale.ENGLISH : locale).format(args);
    }

    /** Every key of a language (tests compare the languages). */
    public static Set<String> keys(Locale locale) {
        return bundle(locale).stringPropertyNames();
    }

    private static String contactOr(Locale locale, String contact) {
        return contact == null || contact.isBlank() ? format(locale, "contact.default") : contact;
    }

    private static String bundleLanguage(Locale locale) {
        return locale != null && BUNDLES.containsKey(locale.getLanguage()) ? locale.getLanguage() : "en";
    }

    private static Properties bundle(Locale locale) {
        return BUNDLES.get(bundleLanguage(locale));
    }

    private static Properties load(String language) {
        return loadUtf8(UserMessages.class.getClassLoader(), "dev/writeback/protocol/i18n/user-messages_" + language
                + ".properties");
    }

    /** A UTF-8 properties file from the class path; missing or unreadable fails naming it. */
    public static Properties loadUtf8(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("messages: " + name + " missing (expected: on the class path)");
            }
            Properties p = new Properties();
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("messages: " + name + " unreadable: " + e.getMessage(), e);
        }
    }
}
