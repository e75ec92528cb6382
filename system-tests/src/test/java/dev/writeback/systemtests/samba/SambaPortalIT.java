package dev.writeback.systemtests.samba;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.unboundid.ldap.sdk.Attribute;
import dev.writeback.portal.testing.PortalBrowser;
import dev.writeback.systemtests.Leaks;
import dev.writeback.systemtests.LoopbackStack;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The portal against a real AD DC: a user of the Samba domain forgets their password, gets the code at the
 * directory's {@code mail} address (GreenMail), sets a new password in chromium, and Samba accepts a bind with it.
 * Nothing typed or mailed appears in what relay and agent wrote.
 */
class SambaPortalIT {
    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    @TempDir
    static Path dir;

    static LoopbackStack stack;
    static final Set<String> secrets = ConcurrentHashMap.newKeySet();
    static final Set<String> codes = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        if (samba.env() == null) {
            return;   // SambaDomain skips each test and says why
        }
        PortalBrowser.requireChromium();
        SambaEnv env = samba.env();
        secrets.addAll(env.domainSecrets());
        stack = LoopbackStack.start(dir);
        stack.agent("agent-samba", samba.agentYaml());
        var portal = stack.put("/api/v1/portal/settings", "{\"enabled\":true,\"contact\":\"the help desk\",\"captchaBits\":8,"
                + "\"mailTransport\":\"smtp\",\"mailFrom\":\"sspr@writeback.test\",\"smtpHost\":\"127.0.0.1\",\"smtpPort\":"
                + smtp.getSmtp().getPort() + ",\"smtpSecurity\":\"none\"}");
        assertThat(portal.status()).as(portal.text()).isEqualTo(200);
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        if (stack != null) {
            Leaks.assertNoCodes(codes, dir, stack.logs(),
                    stack.get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000").text());
        }
        LoopbackStack.stopAndCheckForLeaks(stack, secrets);
    }

    @Test
    void forgotPassword_codeByMail_newPassword_thenSambaAcceptsABind() throws Exception {
        String mail = "portal-" + System.nanoTime() + "@mail.writeback.test";
        TestUser user = samba.newUser(new Attribute("mail", mail));
        String password = "Samba-Portal-" + (System.nanoTime() % 100_000) + "x";
        secrets.add(password);

        try (PortalBrowser browser = PortalBrowser.start("en-US")) {
            browser.open("https://127.0.0.1:" + stack.relayPort() + "/sspr/" + stack.tenantName() + "/?lang=en");
            browser.waitForPage("start");
            browser.submitUserId(user.sam());
            browser.waitForPage("code_sent");
            String code = PortalBrowser.codeFromMail(smtp, mail).code();
            codes.add(code);
            browser.submitCode(code);
            browser.waitForPage("verified");
            assertThat(browser.text(By.id("policy"))).as("the domain's policy, read by LOOKUP")
                    .contains(samba.env().get("MIN_PASSWORD_LENGTH"));
            browser.submitPassword(password);
            browser.waitForPage("done");
            assertThat(browser.text(By.id("message"))).contains("Your password has been changed");
        }

        assertThat(samba.probe().bindFailure(user.dn(), password)).isEmpty();
        assertThat(samba.probe().bindFailure(user.dn(), SambaDomain.INITIAL_PASSWORD)).isPresent();
    }
}
