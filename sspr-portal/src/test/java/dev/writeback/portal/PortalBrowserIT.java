package dev.writeback.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.protocol.tls.Certificates;
import dev.writeback.protocol.tls.TlsPolicy;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The portal in a real browser (Debian's chromium driven by Selenium) against a real SMTP server (GreenMail), with
 * a fake writeback. Skips when chromium is missing, except under CI=true where that fails.
 */
class PortalBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target/portal-screenshots");

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"));

    private static PortalServer server;
    private static MemoryPortalStore store;
    private static FakeWriteback writeback;
    private WebDriver browser;
    private String lastSubject;
    private Path profile;

    @BeforeAll
    static void startPortal() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("chromium: missing at " + CHROMIUM + " (expected under CI=true: apt-get"
                    + " install chromium chromium-driver, as test.sh does)");
        }
        assumeTrue(present, "browser tests skipped: no chromium at " + CHROMIUM + " / " + DRIVER
                + " (test.sh installs Debian's chromium and chromium-driver)");
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
        profile = Files.createTempDirectory("portal-chromium");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--ignore-certificate-errors", "--window-size=1000,1000", "--lang=en-US",
                "--user-data-dir=" + profile.toAbsolutePath());
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
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
        // A submit navigates: the element found on the old page goes stale while the new one loads.
        new WebDriverWait(browser, Duration.ofSeconds(20))
                .ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class)
                .until(d -> page.equals(d.findElement(By.id("main")).getAttribute("data-page")));
    }

    private String codeFromMail(String to) throws Exception {
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
        MimeMessage[] all = smtp.getReceivedMessagesForDomain(to);
        lastSubject = all[all.length - 1].getSubject();
        var parts = (jakarta.mail.internet.MimeMultipart) all[all.length - 1].getContent();
        String body = (String) parts.getBodyPart(0).getContent();   // text/plain, decoded
        Matcher m = Pattern.compile("(?m):\\s*(\\d{8})\\s*$").matcher(body);
        assertThat(m.find()).as("a code in the mail").isTrue();
        smtp.purgeEmailFromAllMailboxes();
        return m.group(1);
    }

    private void shot(String name) throws IOException {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }

    @SuppressWarnings("unchecked")
    private void axe(String page) throws IOException {
        String script;
        try (InputStream in = PortalBrowserIT.class.getClassLoader().getResourceAsStream("axe.min.js")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var js = (JavascriptExecutor) browser;
        js.executeScript(script);   // injected by the test through the driver: the page's CSP is untouched
        Object result = js.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations.filter("
                + "function (v) { return v.impact === 'serious' || v.impact === 'critical'; }).map(function (v) {"
                + " return v.id + ': ' + v.help; })); });");
        assertThat((List<String>) result).as("serious or critical accessibility violations on %s", page).isEmpty();
    }


}
