package dev.writeback.protocol;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one duration syntax of relay and agent configuration: {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 180d} or ISO-8601. */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");

    private Durations() {}

    /** Parses a duration; the message of the IllegalArgumentException names the text and the accepted forms. */
    public static Duration parse(String text) {
        requireNonNull(text, "text");
        Matcher m = SHORT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("duration: " + text + " (expected: e.g. 250ms, 30s, 5m, 1h, 180d or ISO-8601 such as PT5M)");
        }
    }

    /**
     * Writes a duration the way configuration spells it, in its largest exact unit: {@code 90s}, {@code 5m},
     * {@code 12m}, {@code 180d}, {@code 250ms}; {@link #parse} reads it back. Messages and logs use this, never
     * {@code PT1M30S}.
     */
    public static String format(Duration d) {
        requireNonNull(d, "d");
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long millis = d.toMillis();
        if (millis == 0 || millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
