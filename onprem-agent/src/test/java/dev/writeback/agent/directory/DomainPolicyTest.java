package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.Secret;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DomainPolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final long ONE_DAY_TICKS = -864_000_000_000L;
    private static final DomainPolicy POLICY = new DomainPolicy(8, true, 24, ONE_DAY_TICKS);

    @Test
    void explain_shortPassword_isTooShort() {
        assertThat(POLICY.explain(Secret.of("Ab1!"), account(0), true, NOW)).isEqualTo(PolicyReason.TOO_SHORT);
    }

    @Test
    void explain_simplePassword_isComplexity() {
        assertThat(POLICY.explain(Secret.of("alllowercase"), account(0), true, NOW)).isEqualTo(PolicyReason.COMPLEXITY);
    }

    @Test
    void explain_passwordContainingAccountName_isComplexity() {
        assertThat(POLICY.explain(Secret.of("Ada-Secret-99"), account(0), true, NOW)).isEqualTo(PolicyReason.COMPLEXITY);
    }

    @Test
    void explain_changedRecently_isMinAge() {
        long anHourAgo = (NOW.minusSeconds(3600).toEpochMilli() + 11_644_473_600_000L) * 10_000L;
        assertThat(POLICY.explain(Secret.of("Good-Pass-42"), account(anHourAgo), true, NOW)).isEqualTo(PolicyReason.MIN_AGE);
    }

    @Test
    void explain_otherwiseWithHistory_isHistory() {
        assertThat(POLICY.explain(Secret.of("Good-Pass-42"), account(0), true, NOW)).isEqualTo(PolicyReason.HISTORY);
        assertThat(POLICY.explain(Secret.of("Good-Pass-42"), account(0), false, NOW)).isEqualTo(PolicyReason.OTHER);
    }

    private static Account account(long pwdLastSet) {
        return new Account("CN=Ada Lovelace,OU=Staff,DC=corp,DC=example", "ada", "Ada Lovelace", 0, 512, 0, pwdLastSet, 0, null, "ada@corp.example");
    }
}
