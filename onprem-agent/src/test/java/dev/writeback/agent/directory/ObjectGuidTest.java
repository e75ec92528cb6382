package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ObjectGuidTest {
    // Seen on a Samba DC: raw objectGUID 1044e3e7... is printed as e7e34410-5106-4d27-8cef-27f6e244a41a.
    private static final String RAW_HEX = "1044e3e70651274d8cef27f6e244a41a";
    private static final String TEXT = "e7e34410-5106-4d27-8cef-27f6e244a41a";

    @Test
    void parse_uuidText_swapsFirstThreeFields() {
        assertThat(HexFormat.of().formatHex(ObjectGuid.parse(TEXT))).isEqualTo(RAW_HEX);
        assertThat(HexFormat.of().formatHex(ObjectGuid.parse("{" + TEXT.toUpperCase() + "}"))).isEqualTo(RAW_HEX);
    }

    @Test
    void parse_base64_keepsRawBytes() {
        assertThat(HexFormat.of().formatHex(ObjectGuid.parse("EETj5wZRJ02M7yf24kSkGg=="))).isEqualTo(RAW_HEX);
    }

    @Test
    void fromAdBytes_roundTrips() {
        assertThat(ObjectGuid.fromAdBytes(HexFormat.of().parseHex(RAW_HEX))).isEqualTo(UUID.fromString(TEXT));
    }

    @Test
    void parse_wrongLength_isRejected() {
        String tooShort = Base64.getEncoder().encodeToString(new byte[15]);
        assertThatThrownBy(() -> ObjectGuid.parse(tooShort)).hasMessageContaining("expected: 16");
    }
}
