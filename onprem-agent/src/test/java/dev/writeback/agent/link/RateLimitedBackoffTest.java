package dev.writeback.agent.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

/** A relay that refuses failures from the agent's source address must not push a real agent onto the long backoff. */
class RateLimitedBackoffTest {
    @Test
    void rateLimited_isNotACredentialRejection_soTheNormalBackoffApplies() {
        assertThat(LinkHandler.rejectsCredentials(ErrorCode.RATE_LIMITED)).isFalse();
        assertThat(LinkHandler.rejectsCredentials("RATE_LIMITED: too many failed authentications from 192.0.2.7")).isFalse();
    }

    @Test
    void authenticationFailedAndUnknownAgent_areCredentialRejections() {
        assertThat(LinkHandler.rejectsCredentials(ErrorCode.AUTHENTICATION_FAILED)).isTrue();
        assertThat(LinkHandler.rejectsCredentials(ErrorCode.UNKNOWN_AGENT)).isTrue();
        assertThat(LinkHandler.rejectsCredentials("AUTHENTICATION_FAILED: signature does not verify")).isTrue();
        assertThat(LinkHandler.rejectsCredentials("UNKNOWN_AGENT: agent a is not registered")).isTrue();
        assertThat(LinkHandler.rejectsCredentials("BUSY: agent at its limit")).isFalse();
    }
}
