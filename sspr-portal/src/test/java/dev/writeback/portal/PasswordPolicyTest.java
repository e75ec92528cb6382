package dev.writeback.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Secret;
import org.junit.jupiter.api.Test;

class PasswordPolicyTest {
    private static PasswordPolicy.Rule check(String password) {
        try (var p = Secret.of(password); var c = Secret.of(password)) {
            return PasswordPolicy.DEFAULT.check(p, c);
        }
    }

    @Test
    void complexity_countsAsActiveDirectoryDoes() {
        assertThat(check("Correct-Horse-9")).isNull();
        assertThat(check("abcdef€€1")).as("a currency sign is no special character to AD")
                .isEqualTo(PasswordPolicy.Rule.COMPLEXITY);
        assertThat(check("비밀번호abc12")).as("Hangul counts as a letter without case").isNull();
    }
}
