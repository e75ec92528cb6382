package dev.writeback.systemtests.samba;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
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
    void pdcEmulator_foundViaFsmoRoleOwner_isMovedAheadOfTheConfiguredOrder() throws Exception {
        String pdc = samba.probe().pdcEmulatorHost();
        assertThat(pdc).isEqualToIgnoringCase(samba.env().get("DC_HOST"));
        // The same DC twice: first by IP, then by name. Only fSMORoleOwner -> dNSHostName says the name is the PDC.
        List<String> urls = List.of(samba.env().get("LDAPS_IP_URL"), samba.env().get("LDAPS_URL"));

        Outcome preferred = resetNewUser(config -> config.put("preferPdcEmulator", true), urls);
        Outcome configuredOrder = resetNewUser(config -> config.put("preferPdcEmulator", false), urls);

        assertThat(preferred.code()).as("%s", preferred).isEqualTo(ResultCode.SUCCESS);
        assertThat(preferred.server()).containsIgnoringCase(pdc);
        assertThat(configuredOrder.code()).as("%s", configuredOrder).isEqualTo(ResultCode.SUCCESS);
        assertThat(configuredOrder.server()).contains("127.0.0.1");
    }

    private static Outcome resetNewUser(Consumer<Map<String, Object>> customize, List<String> urls) throws Exception {
        TestUser user = samba.newUser();
        var directories = samba.directories(config -> {
            config.put("urls", urls);
            config.put("verifyHostname", false);   // the certificate names dc1, not 127.0.0.1
            customize.accept(config);
        });
        return directories.reset(user.upnAnchor(), Secret.of(NEW_PASSWORD), true, false);
    }
}
