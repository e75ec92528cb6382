package dev.writeback.protocol;

/**
 * Makes a value from outside (an agent id, a version string, a directory name, an anchor, a host name, a close
 * reason) safe to put in a log line or an audit record: control characters (including ESC), U+2028/U+2029 and
 * bidirectional controls are written as {@code \\uXXXX} (and a backslash as {@code \\\\}), so nobody can forge a
 * line or reorder what a reader sees, and the result is cut at {@link #MAX_CHARS} characters. The one place
 * this is decided; call it where the value enters the message.
 */
public final class LogSafe {
    /** Longest value kept; longer ones end in {@code ...(N chars)}. */
    public static final int MAX_CHARS = 200;

    private LogSafe() {}

    /** The escaped, length-capped text of {@code value} ({@code null} for null). */
    public static String of(Object value) {
        return of(value, MAX_CHARS);
    }

    /** The escaped text of {@code value}, cut after {@code max} characters of input. */
    public static String of(Object value, int max) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        int n = Math.min(s.length(), max);
        StringBuilder out = null;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!needsEscape(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(n + 16).append(s, 0, i);
            }
            if (c == '\\') {
                out.append("\\\\");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        String escaped = out == null ? s.substring(0, n) : out.toString();
        return s.length() > max ? escaped + "...(" + s.length() + " chars)" : escaped;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || c == 0x7f || c == '\\'
                || (c >= 0x80 && c <= 0x9f)                 // C1 controls (CSI is 0x9b)
                || c == 0x2028 || c == 0x2029                // line and paragraph separators
                || (c >= 0x202a && c <= 0x202e)              // bidi embeddings and overrides
                || (c >= 0x2066 && c <= 0x2069)              // bidi isolates
                || c == 0x200e || c == 0x200f || c == 0x061c; // directional marks
    }
}
