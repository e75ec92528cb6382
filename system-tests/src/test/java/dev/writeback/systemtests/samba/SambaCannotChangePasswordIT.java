package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * "User cannot change password" (deny ACEs for the Change Password right to Everyone and SELF): a change is
 * refused because of a missing right, not because of the password, so it must not be reported as a policy
 * violation that tells the user to pick another password. A reset uses a different right and still works.
 */
class SambaCannotChangePasswordIT {
    private static final String CHANGE_PASSWORD = "ab721a53-1e2f-11d0-9819-00aa0040529b";

    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @Test
    void change_whenUserCannotChangePassword_isAccessDenied_andResetStillWorks() throws Exception {
        TestUser user = samba.newUser();
        denyChangePassword(user.dn());
        var directories = samba.directories();

        Outcome change = directories.change(user.upnAnchor(), Secret.of(INITIAL_PASSWORD), Secret.of("Next-Pass-22"));
        Outcome reset = directories.reset(user.upnAnchor(), Secret.of("Reset-Pass-23"), true, false);

        assertThat(change.code()).as("%s", change).isEqualTo(ResultCode.ACCESS_DENIED);
        assertThat(reset.code()).as("%s", reset).isEqualTo(ResultCode.SUCCESS);
        assertThat(samba.probe().bindFailure(user.dn(), "Reset-Pass-23")).isEmpty();
    }

    /** The two deny ACEs ADUC writes for the check box; Samba takes SDDL only through samba-tool, not over LDAP. */
    private static void denyChangePassword(String dn) throws IOException, InterruptedException {
        Path conf = samba.env().path("SAMBA_CONF");
        Assumptions.assumeTrue(Files.isReadable(conf), () -> "needs the DC's smb.conf (run as the user that runs the DC): " + conf);
        String sddl = "(OD;;CR;" + CHANGE_PASSWORD + ";;WD)(OD;;CR;" + CHANGE_PASSWORD + ";;PS)";
        Process p;
        try {
            p = new ProcessBuilder(List.of("samba-tool", "dsacl", "set", "--objectdn=" + dn, "--sddl=" + sddl,
                    "-s", conf.toString())).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("needs samba-tool on the PATH: " + e.getMessage());
            return;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("samba-tool finished").isTrue();
        assertThat(p.exitValue()).as("samba-tool dsacl set: %s", output).isZero();
    }
}
