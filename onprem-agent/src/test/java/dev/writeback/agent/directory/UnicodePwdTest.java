package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Secret;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UnicodePwdTest {
    @Test
    void encode_quotesAndUsesUtf16le() {
        assertThat(UnicodePwd.encode(Secret.of("Pä55!"))).isEqualTo("\"Pä55!\"".getBytes(StandardCharsets.UTF_16LE));
    }
}
