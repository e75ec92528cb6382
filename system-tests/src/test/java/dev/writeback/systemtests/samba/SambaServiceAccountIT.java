package dev.writeback.systemtests.samba;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the service account itself cannot bind, every operation is DIRECTORY_UNAVAILABLE and the health
 * (heartbeat, status API, {@code agent doctor}) carries the DC's bind diagnostic, so the administrator sees why.
 */
class SambaServiceAccountIT {
    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @TempDir
    Path dir;

    @Test
    void lockedOutServiceAccount_isDirectoryUnavailable_withData775() throws Exception {
        String service = samba.env().get("SERVICE_DN");
        samba.afterTest(() -> samba.probe().replace(service, "lockoutTime", "0"));
        TestUser user = samba.newUser();
        samba.probe().badBinds(service, Integer.parseInt(samba.env().get("LOCKOUT_THRESHOLD")));

        var directories = samba.directories();
        Outcome outcome = directories.reset(user.upnAnchor(), Secret.of("Never-Set-71x"), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.DIRECTORY_UNAVAILABLE);
        assertThat(directories.health()).singleElement().satisfies(health -> {
            assertThat(health.reachable()).isFalse();
            assertThat(health.problem()).contains("data 775");
        });
        assertThat(samba.probe().bindFailure(user.dn(), SambaDomain.INITIAL_PASSWORD)).isEmpty();
    }

    @Test
    void wrongBindPassword_isDirectoryUnavailable_withData52e() throws Exception {
        String service = samba.env().get("SERVICE_DN");
        samba.afterTest(() -> samba.probe().replace(service, "lockoutTime", "0"));   // bad binds count towards lockout
        Path wrong = Files.writeString(dir.resolve("bind.pw"), "Not-The-Service-Password-1\n");

        var directories = samba.directories(config -> config.put("bindPasswordFile", wrong.toString()));

        assertThat(directories.health()).singleElement().satisfies(health -> {
            assertThat(health.reachable()).isFalse();
            assertThat(health.problem()).contains("data 52e").doesNotContain("Not-The-Service-Password-1");
        });
    }
}
