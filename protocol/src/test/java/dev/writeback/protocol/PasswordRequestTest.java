package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PasswordRequestTest {
    private static final Anchor ADA = Anchor.parse("sam:ada");
    private static final Instant ISSUED = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant EXPIRES = ISSUED.plusSeconds(15);

    @Test
    void factories_buildValidRequests() {
        assertThat(PasswordRequest.reset(ADA, Secret.of("n"), true, false, ISSUED, EXPIRES).operation()).isEqualTo(Operation.RESET);
        assertThat(PasswordRequest.change(ADA, Secret.of("o"), Secret.of("n"), ISSUED, EXPIRES).operation())
                .isEqualTo(Operation.CHANGE);
        var unlock = PasswordRequest.unlock(ADA, ISSUED, EXPIRES);
        assertThat(unlock.operation()).isEqualTo(Operation.UNLOCK);
        assertThat(unlock.unlock()).isTrue();
    }

    @Test
    void expiresAt_mustBeAfterIssuedAt() {
        assertThatThrownBy(() -> PasswordRequest.unlock(ADA, ISSUED, ISSUED)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expiresAt: 2025-01-01T00:00:00Z (expected: after issuedAt 2025-01-01T00:00:00Z)");
        assertThatThrownBy(() -> PasswordRequest.unlock(ADA, EXPIRES, ISSUED)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("expiresAt: ");
    }

    @Test
    void reset_needsANewPasswordAndNoCurrentOne() {
        assertThatThrownBy(() -> request(Operation.RESET, Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("newPassword: missing (expected: present for RESET)");
        assertThatThrownBy(() -> request(Operation.RESET, Optional.of(Secret.of("n")), Optional.of(Secret.of("o"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("currentPassword: present (expected: absent for RESET)");
    }

    @Test
    void change_needsBothPasswords() {
        assertThatThrownBy(() -> request(Operation.CHANGE, Optional.of(Secret.of("n")), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("currentPassword: missing (expected: present for CHANGE)");
        assertThatThrownBy(() -> request(Operation.CHANGE, Optional.empty(), Optional.of(Secret.of("o"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("newPassword: missing (expected: present for CHANGE)");
    }

    @Test
    void unlock_carriesNoPassword() {
        assertThatThrownBy(() -> request(Operation.UNLOCK, Optional.of(Secret.of("n")), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("newPassword: present (expected: absent for UNLOCK)");
        assertThatThrownBy(() -> request(Operation.UNLOCK, Optional.empty(), Optional.of(Secret.of("o"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("currentPassword: present (expected: absent for UNLOCK)");
    }

    @Test
    void destroy_wipesBothPasswords() {
        Secret current = Secret.of("o");
        Secret next = Secret.of("n");
        PasswordRequest.change(ADA, current, next, ISSUED, EXPIRES).destroy();
        assertThat(current.isDestroyed()).isTrue();
        assertThat(next.isDestroyed()).isTrue();
    }

    @Test
    void toString_masksPasswords() {
        var request = PasswordRequest.change(ADA, Secret.of("Old-Secret-1"), Secret.of("New-Secret-2"), ISSUED, EXPIRES);
        assertThat(request.toString()).doesNotContain("Secret-").contains("newPassword=Optional[****]")
                .contains("currentPassword=Optional[****]");
    }

    private static PasswordRequest request(Operation op, Optional<Secret> next, Optional<Secret> current) {
        return new PasswordRequest(op, ADA, false, false, ISSUED, EXPIRES, next, current);
    }
}
