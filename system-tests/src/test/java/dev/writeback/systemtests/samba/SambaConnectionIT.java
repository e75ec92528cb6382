package dev.writeback.systemtests.samba;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the directory layer reaches the DC: StartTLS, failover past a dead URL, the PDC emulator. */
class SambaConnectionIT {
    private static final String NEW_PASSWORD = "Connect-Pass-41";

    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @Test
    void startTls_onPort389_works() throws Exception {
        TestUser user = samba.newUser();
        var directories = samba.directories(config -> {
            config.put("urls", List.of(samba.env().get("STARTTLS_URL")));
            config.put("startTls", true);
        });

        Outcome outcome = directories.reset(user.upnAnchor(), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
        assertThat(directories.health()).singleElement().satisfies(health -> assertThat(health.reachable()).isTrue());
    }

    @Test
    void deadFirstUrl_failsOverToTheDc_withoutFailingTheRequest() throws Exception {
        TestUser user = samba.newUser();
        var directories = samba.directories(config -> {
            config.put("urls", List.of(samba.env().get("DEAD_URL"), samba.env().get("LDAPS_URL")));
            config.put("preferPdcEmulator", false);
        });

        Outcome outcome = directories.reset(user.upnAnchor(), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(outcome.server()).containsIgnoringCase(samba.env().get("DC_HOST"));
        assertThat(samba.probe().bindFailure(user.dn(), NEW_PASSWORD)).isEmpty();
    }

    @Test
    void pdcEmulator_isFoundViaFsmoRoleOwner() throws Exception {
        String pdc = samba.probe().pdcEmulatorHost();
        assertThat(pdc).isEqualToIgnoringCase(samba.env().get("DC_HOST"));
        TestUser user = samba.newUser();
        // Configured by IP only; the DC's name can only come from fSMORoleOwner -> dNSHostName.
        var directories = samba.directories(config -> {
            config.put("urls", List.of(samba.env().get("LDAPS_IP_URL")));
            config.put("verifyHostname", false);
            config.put("preferPdcEmulator", true);
        });

        Outcome outcome = directories.reset(user.upnAnchor(), Secret.of(NEW_PASSWORD), true, false);

        assertThat(outcome.code()).as("%s", outcome).isEqualTo(ResultCode.SUCCESS);
        assertThat(outcome.server()).containsIgnoringCase(pdc);
    }
}
