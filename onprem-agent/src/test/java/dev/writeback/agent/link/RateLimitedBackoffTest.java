package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/** A relay that refuses failures from the agent's source address must not push a real agent onto the long backoff. */
class RateLimitedBackoffTest {
    @Test
    void rateLimited_isNotACredentialRejection_soTheNormalBackoffApplies() {
        assertThat(LinkHandler.rejectsCredentials(ErrorCode.RATE_LIMITED)).isFalse();
    }

    @Test
    void authenticationFailedAndUnknownAgent_areCredentialRejections() {
        assertThat(LinkHandler.rejectsCredentials(ErrorCode.AUTHENTICATION_FAILED)).isTrue();
        assertThat(LinkHandler.rejectsCredentials(ErrorCode.UNKNOWN_AGENT)).isTrue();
    }
}
