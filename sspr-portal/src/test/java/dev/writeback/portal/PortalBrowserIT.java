package dev.writeback.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.portal.testing.PortalBrowser;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * The portal in a real browser (Debian's chromium driven by Selenium) against a real SMTP server (GreenMail), with
 * a fake writeback. Skips when chromium is missing, except under CI=true where that fails.
 */
class PortalBrowserIT {
    static final Path SHOTS = Path.of("target/portal-screenshots");

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    private static PortalServer server;
    private static MemoryPortalStore store;
    private static FakeWriteback writeback;
    private PortalBrowser portalBrowser;
    private WebDriver browser;
    private String lastSubject;

    @BeforeAll
    static void startPortal() throws Exception {
        PortalBrowser.requireChromium();
        store = new MemoryPortalStore();
        writeback = new FakeWriteback();
        var keys = KeyPairGenerator.getInstance("EC");
        keys.initialize(new ECGenParameterSpec("secp256r1"));
        var pair = keys.generateKeyPair();
        var cert = Certificates.selfSigned(pair, List.of("127.0.0.1"), Instant.now(), Duration.ofDays(1), new SecureRandom());
        var portal = Portal.of(new PortalConfig(Clock.systemUTC(), null, Duration.ofSeconds(10)), store, writeback,
                Runnable::run);
        server = PortalServer.start(portal, TlsPolicy.server(pair.getPrivate(), List.of(cert)), "127.0.0.1", 0,
                PortalServer.blockingPool());
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void stopPortal() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        store.put(PortalSettings.defaults("t-1", "corp", false).withEnabled(true).withCaptchaBits(12)
                .withMail(MailSettings.smtp("127.0.0.1", smtp.getSmtp().getPort(), MailSettings.Security.NONE, "", null,
                        "sspr@corp.example")));
        writeback.state = WritebackState.UP;
        portalBrowser = PortalBrowser.start("en-US");
        browser = portalBrowser.driver();
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (portalBrowser != null) {
            portalBrowser.close();
        }
    }

    @Test
    void forgotPassword_emailCode_resets() throws Exception {
        open("?lang=en");
        shot("1-start");
        axe("start");
        browser.findElement(By.id("userId")).sendKeys("ada@corp.example");
        browser.findElement(By.cssSelector("#start button")).click();
        waitForPage("code_sent");
        shot("2-verify");
        axe("verify");
        browser.findElement(By.id("code")).sendKeys(codeFromMail("ada@corp.example"));
        browser.findElement(By.cssSelector("#verify button")).click();
        waitForPage("verified");
        shot("3-password");
        axe("password");
        browser.findElement(By.id("newPassword")).sendKeys("short");
        browser.findElement(By.id("confirmPassword")).sendKeys("short");
        browser.findElement(By.cssSelector("#password button")).click();
        assertThat(browser.findElement(By.id("newPassword-error")).getText()).contains("at least 8 characters");
        shot("4-policy-in-page");
        browser.findElement(By.id("newPassword")).clear();
        browser.findElement(By.id("newPassword")).sendKeys("Browser-Pass-2026");
        browser.findElement(By.id("confirmPassword")).clear();
        browser.findElement(By.id("confirmPassword")).sendKeys("Browser-Pass-2026");
        browser.findElement(By.cssSelector("#password button")).click();
        waitForPage("done");
        shot("5-done");
        axe("done");
        assertThat(browser.findElement(By.id("message")).getText()).contains("Your password has been changed");
        assertThat(browser.getCurrentUrl()).doesNotContain("Browser-Pass").doesNotContain("code=");
        assertThat(writeback.passwords).containsEntry("ada", "Browser-Pass-2026");
    }

    @Test
    void korean_keyboardOnly() throws Exception {
        open("?lang=ko");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("비밀번호를 잊으셨나요?");
        new Actions(browser).sendKeys("ada").sendKeys(Keys.ENTER).perform();   // autofocus on the field, Enter submits
        waitForPage("code_sent");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("이메일을 확인하세요");
        new Actions(browser).sendKeys(codeFromMail("ada@corp.example")).sendKeys(Keys.ENTER).perform();
        waitForPage("verified");
        new Actions(browser).sendKeys("Keyboard-Pass-9").sendKeys(Keys.TAB).sendKeys("Keyboard-Pass-9")
                .sendKeys(Keys.ENTER).perform();
        waitForPage("done");
        shot("6-done-ko");
        assertThat(browser.findElement(By.id("message")).getText()).contains("비밀번호가 바뀌었습니다");
        assertThat(lastSubject).isEqualTo("인증 코드");
    }

    @Test
    void unknownUser_seesTheSameScreens() throws Exception {
        open("?lang=en");
        browser.findElement(By.id("userId")).sendKeys("nobody@corp.example");
        browser.findElement(By.cssSelector("#start button")).click();
        waitForPage("code_sent");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Check your email");
        assertThat(smtp.getReceivedMessagesForDomain("nobody@corp.example")).isEmpty();
    }

    @Test
    void agentDown_toldAtTheStart() throws Exception {
        writeback.state = WritebackState.DOWN;
        open("?lang=en");
        shot("7-unavailable");
        axe("unavailable");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Password reset is not possible right now");
    }

    // ---- helpers

    private void open(String query) {
        browser.get("https://127.0.0.1:" + server.port() + "/sspr/corp/" + query);
    }

    private void waitForPage(String page) {
        portalBrowser.waitForPage(page);
    }

    private String codeFromMail(String to) throws Exception {
        PortalBrowser.Mail mail = PortalBrowser.codeFromMail(smtp, to);
        lastSubject = mail.subject();
        return mail.code();
    }

    private void shot(String name) throws IOException {
        portalBrowser.shot(SHOTS, name);
    }

    private void axe(String page) throws IOException {
        portalBrowser.assertAccessible(page);
    }
}
