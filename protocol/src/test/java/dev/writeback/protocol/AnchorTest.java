package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnchorTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "guid:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 | GUID | 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "guid:PC0eD1pLeGmHlqW0w9Lh8A==               | GUID | PC0eD1pLeGmHlqW0w9Lh8A==",
        "upn:ada@corp.example                       | UPN  | ada@corp.example",
        "sam:ada                                    | SAM  | ada",
        "dn:CN=Ada Lovelace,OU=Staff,DC=corp,DC=example | DN | CN=Ada Lovelace,OU=Staff,DC=corp,DC=example",
        "UPN:ada@corp.example                       | UPN  | ada@corp.example",
        "sam:  ada                                  | SAM  | ada",
    })
    void parse_readsEachType(String text, Anchor.Type type, String value) {
        Anchor anchor = Anchor.parse(text);
        assertThat(anchor.type()).isEqualTo(type);
        assertThat(anchor.value()).isEqualTo(value);
        assertThat(Anchor.parse(anchor.toString())).isEqualTo(anchor);
    }

    @Test
    void parse_uid_isTheSamAnchor() {
        assertThat(Anchor.parse("uid:jdoe")).isEqualTo(new Anchor(Anchor.Type.SAM, "jdoe")).hasToString("sam:jdoe");
        assertThat(Anchor.parse("UID: jdoe ")).isEqualTo(Anchor.parse("sam:jdoe"));
    }

    @Test
    void toString_isPrefixAndValue() {
        assertThat(new Anchor(Anchor.Type.DN, "CN=Ada,DC=corp")).hasToString("dn:CN=Ada,DC=corp");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ada@corp.example", ":ada", ""})
    void parse_withoutPrefix_failsNamingTheAnchor(String text) {
        assertThatThrownBy(() -> Anchor.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("anchor: missing type prefix (expected: guid:, upn:, sam: (or uid:), dn: or id:)");
    }

    @Test
    void parse_unknownPrefix_failsNamingTheAnchorType() {
        assertThatThrownBy(() -> Anchor.parse("mail:ada@corp.example")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("anchor type: mail (expected: guid, upn, sam, uid, dn or id)");
    }

    @Test
    void parse_longUnknownPrefix_isAbbreviated() {
        assertThatThrownBy(() -> Anchor.parse("x".repeat(100) + ":v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("anchor type: " + "x".repeat(16) + "... (expected: guid, upn, sam, uid, dn or id)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"upn:", "upn:   ", "sam:\t"})
    void parse_blankValue_failsNamingTheAnchor(String text) {
        assertThatThrownBy(() -> Anchor.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("anchor: ").hasMessageContaining("(expected: a value after the prefix)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sam:ada\u0000", "dn:CN=Ada\n,DC=corp", "upn:ada\u007f@corp", "upn:a\u0085b"})
    void parse_controlCharacter_failsNamingTheAnchor(String text) {
        assertThatThrownBy(() -> Anchor.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("anchor: contains a control character (expected: printable text)");
    }

    @Test
    void anchor_atMaxLength_isAccepted_andOneMoreIsRejected() {
        assertThat(Anchor.parse("dn:" + "a".repeat(Anchor.MAX_LENGTH)).value()).hasSize(Anchor.MAX_LENGTH);
        assertThatThrownBy(() -> Anchor.parse("dn:" + "a".repeat(Anchor.MAX_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("anchor length: 1025 (expected: <= 1024)");
    }

    @Test
    void anchor_ofMaxLengthInThreeByteCharacters_fitsAWireString() {
        var anchor = new Anchor(Anchor.Type.DN, "密".repeat(Anchor.MAX_LENGTH));
        assertThat(anchor.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(ProtocolVersion.MAX_STRING_BYTES);
    }
}
