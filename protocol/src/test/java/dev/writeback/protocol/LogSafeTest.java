package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void newlines_cannotStartAForgedLine() {
        String forged = "a\n12:00:00.000 INFO  [main] RelayServer RLY-001 relay listening\r";

        assertThat(LogSafe.of(forged)).doesNotContain("\n").doesNotContain("\r")
                .startsWith("a\\u000a12:00").endsWith("listening\\u000d");
    }

    @Test
    void ansiEscapes_lineSeparators_andBidiControls_areEscaped() {
        assertThat(LogSafe.of("\u001b[31mred\u001b[0m")).isEqualTo("\\u001b[31mred\\u001b[0m");
        assertThat(LogSafe.of("x\u2028y\u2029z\u0085")).isEqualTo("x\\u2028y\\u2029z\\u0085");
        assertThat(LogSafe.of("\u202eevil\u2066\u2069\u200e\u200f\u061c\u202a"))
                .isEqualTo("\\u202eevil\\u2066\\u2069\\u200e\\u200f\\u061c\\u202a");
    }

    @Test
    void backslash_isEscapedToo_soAnEscapeCannotBeFaked() {
        assertThat(LogSafe.of("\\u000a")).isEqualTo("\\\\u000a");
    }

    @Test
    void plainText_andNonLatinNames_passUnchanged() {
        assertThat(LogSafe.of("agent-3f2a 1.4.0")).isEqualTo("agent-3f2a 1.4.0");
        assertThat(LogSafe.of("김철수 corp")).isEqualTo("김철수 corp");
        assertThat(LogSafe.of(null)).isEqualTo("null");
    }

    @Test
    void longValues_areCut_andSayHowLongTheyWere() {
        assertThat(LogSafe.of("x".repeat(1000))).isEqualTo("x".repeat(LogSafe.MAX_CHARS) + "...(1000 chars)");
    }
}
