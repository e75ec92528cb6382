package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WireValuesTest {
    @Test
    void frameType_wireValuesAreUniqueAndRoundTrip() {
        for (FrameType t : FrameType.values()) {
            assertThat(FrameType.ofWireValue(t.wireValue())).isEqualTo(t);
        }
        assertThat(Arrays.stream(FrameType.values()).map(FrameType::wireValue)).doesNotHaveDuplicates();
        assertThatThrownBy(() -> FrameType.ofWireValue(0)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_FRAME_TYPE));
    }

    @Test
    void errorCode_wireValuesRoundTrip_andUnknownReadsAsInternal() {
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(ErrorCode.ofWireValue(c.wireValue())).isEqualTo(c);
        }
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wireValue)).doesNotHaveDuplicates();
        assertThat(ErrorCode.ofWireValue(999)).isEqualTo(ErrorCode.INTERNAL);
        assertThat(ErrorCode.RATE_LIMITED.wireValue()).isEqualTo(14);
    }

    @Test
    void resultCode_wireValuesRoundTrip_andUnknownIsMalformed() {
        for (ResultCode c : ResultCode.values()) {
            assertThat(ResultCode.ofWireValue(c.wireValue())).isEqualTo(c);
        }
        assertThat(Arrays.stream(ResultCode.values()).map(ResultCode::wireValue)).doesNotHaveDuplicates();
        assertThatThrownBy(() -> ResultCode.ofWireValue(20)).isInstanceOf(ProtocolException.class)
                .hasMessage("MALFORMED_FRAME: result code: 20 (expected: 0..19)");
    }

    @Test
    void resultCode_retrySafe_onlyWhereNothingWasApplied() {
        assertThat(Arrays.stream(ResultCode.values()).filter(ResultCode::retrySafe)).containsExactlyInAnyOrder(
                ResultCode.WRITEBACK_DISABLED, ResultCode.AGENT_OFFLINE, ResultCode.BUSY, ResultCode.DIRECTORY_UNAVAILABLE,
                ResultCode.EXPIRED);
        assertThat(ResultCode.OUTCOME_UNKNOWN.retrySafe()).isFalse();
        assertThat(ResultCode.TIMEOUT.retrySafe()).isFalse();
    }

    @Test
    void operationAndPolicyReason_wireValuesRoundTrip() {
        for (Operation o : Operation.values()) {
            assertThat(Operation.ofWireValue(o.wireValue())).isEqualTo(o);
        }
        for (PolicyReason r : PolicyReason.values()) {
            assertThat(PolicyReason.ofWireValue(r.wireValue())).isEqualTo(r);
        }
        assertThatThrownBy(() -> Operation.ofWireValue(0)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> PolicyReason.ofWireValue(6)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void protocolException_prefixesTheCode() {
        var e = new ProtocolException(ErrorCode.BUSY, "in flight: 256 (expected: < 256)");
        assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
        assertThat(e).hasMessage("BUSY: in flight: 256 (expected: < 256)");
    }
}
