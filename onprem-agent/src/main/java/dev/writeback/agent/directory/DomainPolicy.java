package dev.writeback.agent.directory;

import com.unboundid.ldap.sdk.Entry;
import dev.writeback.agent.embedded.AdPasswordRules;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.Secret;
import java.time.Instant;
import java.util.Arrays;

/**
 * The domain password policy as read from the domain head ({@code minPwdLength}, {@code pwdProperties} bit 1,
 * {@code pwdHistoryLength}, {@code minPwdAge}). Fine-grained policies may override it, so it only names which
 * rule a DC already rejected; it never rejects a password on its own.
 *
 * @param minLength minimum length
 * @param complexity whether complexity applies
 * @param historyLength remembered passwords
 * @param minAgeTicks minimum age as AD stores it: negative 100-ns intervals, 0 for none
 */
record DomainPolicy(int minLength, boolean complexity, int historyLength, long minAgeTicks) {
    static final String[] ATTRIBUTES = {"minPwdLength", "pwdProperties", "pwdHistoryLength", "minPwdAge"};
    private static final long FILETIME_EPOCH_DIFF_MILLIS = 11_644_473_600_000L;

    static DomainPolicy of(Entry head) {
        return new DomainPolicy(intValue(head, "minPwdLength"), (intValue(head, "pwdProperties") & 1) != 0,
                intValue(head, "pwdHistoryLength"), longValue(head, "minPwdAge"));
    }

    /**
     * Names the rule behind a {@code 0000052D}: length, then complexity, then minimum age and history (the last
     * two apply to changes, and to resets only with policy hints).
     */
    PolicyReason explain(Secret password, Account account, boolean historyApplies, Instant now) {
        if (password.length() < minLength) {
            return PolicyReason.TOO_SHORT;
        }
        char[] chars = password.reveal();
        try {
            if (complexity && !AdPasswordRules.meetsComplexity(chars, account.samAccountName(), account.displayName())) {
                return PolicyReason.COMPLEXITY;
            }
        } finally {
            Arrays.fill(chars, '\0');
        }
        if (historyApplies && minAgeTicks != 0 && account.pwdLastSet() > 0) {
            long setMillis = account.pwdLastSet() / 10_000 - FILETIME_EPOCH_DIFF_MILLIS;
            if (now.toEpochMilli() < setMillis + Math.abs(minAgeTicks) / 10_000) {
                return PolicyReason.MIN_AGE;
            }
        }
        if (historyApplies && historyLength > 0) {
            return PolicyReason.HISTORY;
        }
        return PolicyReason.OTHER;
    }

    private static int intValue(Entry entry, String attribute) {
        Integer v = entry.getAttributeValueAsInteger(attribute);
        return v == null ? 0 : v;
    }

    private static long longValue(Entry entry, String attribute) {
        Long v = entry.getAttributeValueAsLong(attribute);
        return v == null ? 0 : v;
    }
}
