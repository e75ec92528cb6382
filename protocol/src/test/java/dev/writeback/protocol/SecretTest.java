package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretTest {
    @Test
    void toString_isMasked() {
        Secret secret = Secret.of("Tr0ub4dor&3");
        assertThat(secret).hasToString("****");
        assertThat(String.valueOf(secret)).doesNotContain("Tr0ub4dor");
        assertThat(java.util.Optional.of(secret).toString()).isEqualTo("Optional[****]");
    }

    @Test
    void reveal_returnsACopy() {
        Secret secret = Secret.of("pw");
        char[] revealed = secret.reveal();
        revealed[0] = 'X';
        assertThat(secret.reveal()).containsExactly('p', 'w');
    }

    @Test
    void of_copiesTheCallersArray_soTheCallerMayWipeIt() {
        char[] chars = {'p', 'w'};
        Secret secret = Secret.of(chars);
        java.util.Arrays.fill(chars, '\0');
        assertThat(secret.sameAs(Secret.of("pw"))).isTrue();
    }

    @Test
    void utf8_roundTripsMultiByteText() {
        String text = "pässwörd-密码-😀";
        Secret secret = Secret.fromUtf8(text.getBytes(StandardCharsets.UTF_8));
        assertThat(new String(secret.reveal())).isEqualTo(text);
        assertThat(secret.toUtf8()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
        assertThat(secret.length()).isEqualTo(text.length());
    }

    @Test
    void close_wipesTheCharacters_andLaterUseFails() throws Exception {
        Secret secret = Secret.of("Tr0ub4dor&3");
        var field = Secret.class.getDeclaredField("value");
        field.setAccessible(true);
        char[] inside = (char[]) field.get(secret);
        secret.close();
        assertThat(inside).containsOnly('\0');
        assertThat(secret.isDestroyed()).isTrue();
        assertThatThrownBy(secret::reveal).isInstanceOf(IllegalStateException.class)
                .hasMessage("secret: destroyed (expected: a live secret)");
        assertThatThrownBy(secret::toUtf8).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(secret::length).isInstanceOf(IllegalStateException.class);
        secret.close();   // idempotent
        assertThat(secret).hasToString("****");
    }

    @Test
    void sameAs_comparesContents() {
        assertThat(Secret.of("abc").sameAs(Secret.of("abc"))).isTrue();
        assertThat(Secret.of("abc").sameAs(Secret.of("abd"))).isFalse();
        assertThat(Secret.of("abc").sameAs(Secret.of("abcd"))).isFalse();
        assertThat(Secret.of("abcd").sameAs(Secret.of("abc"))).isFalse();
        assertThat(Secret.of("").sameAs(Secret.of(""))).isTrue();
    }

    @Test
    void sameAs_withADestroyedSecret_fails() {
        Secret destroyed = Secret.of("abc");
        destroyed.close();
        assertThatThrownBy(() -> Secret.of("abc").sameAs(destroyed)).isInstanceOf(IllegalStateException.class);
    }
}
