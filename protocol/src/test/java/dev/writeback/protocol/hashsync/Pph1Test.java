package dev.writeback.protocol.hashsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Pph1Test {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void ntHashMatchesThePublishedValue() {
        assertThat(HEX.withUpperCase().formatHex(Pph1.ntHash("Pa$$w0rd".toCharArray())))
                .isEqualTo("92937945B518814341DE3F726500D4FF");
    }

    @Test
    void derivationMatchesTheDsInternalsVector() {
        byte[] salt = HEX.parseHex("181a3024085fcee2f70e");
        byte[] hash = Pph1.derive(Pph1.ntHash("Pa$$w0rd".toCharArray()), salt);
        assertThat(Pph1.format(salt, hash)).isEqualTo(
                "v1;PPH1_MD4,181a3024085fcee2f70e,1000,b39525c3bc72a1136fcf7c8a338e0c14313d0450d1a4c98ef0a6ddada3bc5b0a;");
    }

    @Test
    void anotherSaltOrPasswordGivesAnotherValue() {
        byte[] salt = HEX.parseHex("181a3024085fcee2f70e");
        byte[] nt = Pph1.ntHash("Pa$$w0rd".toCharArray());
        byte[] base = Pph1.derive(nt, salt);
        assertThat(Pph1.derive(nt, Pph1.newSalt(new SecureRandom()))).isNotEqualTo(base);
        assertThat(Pph1.derive(Pph1.ntHash("Pa$$w0rD".toCharArray()), salt)).isNotEqualTo(base);
    }

    @Test
    void parseRoundTripsAndRefusesOtherForms() {
        byte[] salt = Pph1.newSalt(new SecureRandom());
        byte[] hash = Pph1.derive(Pph1.ntHash("x".toCharArray()), salt);
        var parsed = Pph1.parse(Pph1.format(salt, hash));
        assertThat(parsed.salt()).isEqualTo(salt);
        assertThat(parsed.hash()).isEqualTo(hash);
        assertThat(parsed.toString()).doesNotContain(HEX.formatHex(hash));
        assertThatThrownBy(() -> Pph1.parse("v1;PPH1_MD4,00,1000,00;")).hasMessageContaining("salt");
        assertThatThrownBy(() -> Pph1.parse("v2;x")).hasMessageContaining("prefix");
        assertThatThrownBy(() -> Pph1.derive(new byte[15], salt)).hasMessageContaining("NT hash length: 15");
    }
}
