package dev.writeback.portal;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The portal's texts in English and Korean, from {@code portal/i18n/messages_*.properties} (UTF-8). Both files are
 * complete; there is no fallback from one language to the other, and a missing key is a bug that fails loudly.
 * What users are told about a result ({@code result.CODE}) and a broken policy rule ({@code policy.REASON}) comes
 * from {@link dev.writeback.protocol.UserMessages}, shared with the relay's API answers.
 */
final class Messages {
    /** The languages the portal speaks, the first one is the default. */
    static final List<Locale> SUPPORTED = List.of(Locale.ENGLISH, Locale.KOREAN);

    private static final Map<String, Properties> BUNDLES = Map.of(
            "en", load("en"), "ko", load("ko"));

    private Messages() {}

    /** The text for {@code key} in {@code locale}, with {@code args} put in by {@link MessageFormat}. */
    static String get(Locale locale, String key, Object... args) {
        String pattern = bundle(locale).getProperty(key);
        if (pattern == null && dev.writeback.protocol.UserMessages.has(key)) {
            return dev.writeback.protocol.UserMessages.format(locale, key, args);   // results and policy: one place
        }
        if (pattern == null) {
            throw new IllegalArgumentException("message key: " + key + " (expected: a key of messages_"
                    + locale.getLanguage() + ".properties)");
        }
        return new MessageFormat(pattern, locale).format(args);
    }

    /** Every key of a language (tests compare the languages). */
    static Set<String> keys(Locale locale) {
        return bundle(locale).stringPropertyNames();
    }

    /**
     * The language to answer in: {@code ?lang=} when it names a supported one, else the best match of
     * {@code Accept-Language}, else English.
     */
    static Locale choose(String lang, String acceptLanguage, Locale current) {
        if (lang != null) {
            for (Locale l : SUPPORTED) {
                if (l.getLanguage().equalsIgnoreCase(lang)) {
                    return l;
                }
            }
        }
        if (current != null) {
            return current;
        }
        if (acceptLanguage != null && acceptLanguage.length() <= 512) {
            try {
                Locale match = Locale.lookup(Locale.LanguageRange.parse(acceptLanguage), SUPPORTED);
                if (match != null) {
                    return match;
                }
            } catch (IllegalArgumentException e) {
                // a malformed header is answered in the default language
            }
        }
        return SUPPORTED.get(0);
    }

    private static Properties bundle(Locale locale) {
        Properties p = BUNDLES.get(locale.getLanguage());
        return p != null ? p : BUNDLES.get("en");
    }

    private static Properties load(String language) {
        return dev.writeback.protocol.UserMessages.loadUtf8(Messages.class.getClassLoader(),
                "portal/i18n/messages_" + language + ".properties");
    }
}
