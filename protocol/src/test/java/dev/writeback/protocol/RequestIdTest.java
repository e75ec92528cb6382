package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdTest {
    private static final String TEXT = "3b241101-e2bb-4255-8caf-4136c566a962";

    @Test
    void parse_toString_roundTrips() {
        assertThat(RequestId.parse(TEXT)).hasToString(TEXT);
    }

    @Test
    void toBytes_isTheUuidInOrder_andOfRoundTrips() {
        RequestId id = RequestId.parse(TEXT);
        assertThat(HexFormat.of().formatHex(id.toBytes())).isEqualTo(TEXT.replace("-", ""));
        assertThat(RequestId.of(id.toBytes())).isEqualTo(id);
    }

    @Test
    void random_isVersion4AndNonZeroAndUnique() {
        var seen = new HashSet<RequestId>();
        for (int i = 0; i < 1000; i++) {
            RequestId id = RequestId.random();
            UUID uuid = UUID.fromString(id.toString());
            assertThat(uuid.version()).isEqualTo(4);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(id.isZero()).isFalse();
            assertThat(seen.add(id)).isTrue();
        }
    }

    @Test
    void zero_isZero_andPrintsAsTheNilUuid() {
        assertThat(RequestId.ZERO.isZero()).isTrue();
        assertThat(RequestId.ZERO).hasToString("00000000-0000-0000-0000-000000000000");
        assertThat(RequestId.of(new byte[16])).isEqualTo(RequestId.ZERO);
        assertThat(new RequestId(0, 1).isZero()).isFalse();
        assertThat(new RequestId(1, 0).isZero()).isFalse();
    }

    @Test
    void of_rejectsWrongLength() {
        assertThatThrownBy(() -> RequestId.of(new byte[15])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request id length: 15 (expected: 16)");
    }

    @Test
    void parse_rejectsNonUuidWithoutEchoingIt() {
        assertThatThrownBy(() -> RequestId.parse("not-a-uuid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("request id: not a UUID (expected: 8-4-4-4-12 hex digits)");
    }
}
