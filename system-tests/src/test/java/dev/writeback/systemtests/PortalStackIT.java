package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.Agent;
import dev.writeback.portal.testing.PortalBrowser;
import dev.writeback.relay.OperationsConfig;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The portal as a user meets it: served by a real relay under {@code /sspr/corp/}, set up through the admin REST
 * API, with a real agent and its embedded directory, a real SMTP server (GreenMail) and Debian's chromium. The
 * relay runs on a shifted clock (real time plus an offset), so the 24-hour portal lockout is passed by moving the clock, not by waiting. At the
 * end nothing the users typed or were mailed may appear in the logs, the audit or any file of relay and agent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalStackIT {
    static final Path SHOTS = Path.of("target/portal-screenshots");
    private static final String BASE_DN = "DC=corp,DC=example";

    @TempDir
    static Path dir;

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withPerMethodLifecycle(false);

    static CapturedLogs logs;
    static ShiftedClock clock;
    static RelayServer relay;
    static Agent agent;
    static RelayClient api;
    static int ldapsPort;
    static final List<String> secrets = new ArrayList<>();
    static final List<String> codes = new ArrayList<>();

    private PortalBrowser browser;

    @BeforeAll
    static void start() throws Exception {
        PortalBrowser.requireChromium();
        logs = new CapturedLogs();
        clock = new ShiftedClock();   // relay and agent share it: the agent checks the relay's requests are fresh
        var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(30)).build();
        relay = RelayServer.start(config, OperationsConfig.DEFAULTS, clock);
        String[] tenant = Loopback.tenant(relay, "corp");
        api = new RelayClient(relay.port(), relay.fingerprint(), tenant[1]);
        Path state = Loopback.register(relay, tenant[0], dir, "agent-1");
        ldapsPort = Loopback.freePort();
        agent = Loopback.agent(state, Loopback.freePort(), ldapsPort, clock);
        agent.link().firstReady().get(30, TimeUnit.SECONDS);

        assertThat(api.put("/api/v1/writeback/settings", "{\"enabled\":true,\"allowUnlockWithoutReset\":true}").status())
                .isEqualTo(200);
        var portal = api.put("/api/v1/portal/settings", "{\"enabled\":true,\"contact\":\"the IT help desk\","
                + "\"captchaBits\":8,\"mailTransport\":\"smtp\",\"mailFrom\":\"sspr@corp.example\",\"smtpHost\":\"127.0.0.1\","
                + "\"smtpPort\":" + smtp.getSmtp().getPort() + ",\"smtpSecurity\":\"none\"}");
        assertThat(portal.status()).as(portal.text()).isEqualTo(200);
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        if (logs == null) {
            return;   // skipped: no browser
        }
        try {
            var audit = api.get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
            assertThat(audit.status()).isEqualTo(200);
            assertThat(audit.text()).contains("PORTAL_SETTINGS");
            if (agent != null) {
                agent.close();
            }
            if (relay != null) {
                relay.stop();
            }
            Leaks.assertNoSecrets(secrets, dir, logs.text(), audit.text());
            Leaks.assertNoCodes(codes, dir, logs.text(), audit.text());
        } finally {
            logs.close();
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        browser = PortalBrowser.start("en-US");
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    @Order(1)
    void reset_endToEnd_thenTheDirectoryAcceptsABindWithTheNewPassword() throws Exception {
        startFor("ada@corp.example", "en");
        shot("stack-1-start-done");
        enterCode("ada@corp.example");
        browser.waitForPage("verified");
        browser.assertAccessible("choose");
        shot("stack-2-choose");
        driver().findElement(By.id("choice-reset")).click();
        browser.markSent();
        driver().findElement(By.cssSelector("#choose button")).click();
        browser.waitForNewPage("verified");   // the password form: the same page, a new render
        assertThat(driver().findElements(By.id("newPassword"))).hasSize(1);
        assertThat(browser.text(By.id("policy"))).as("the policy, before typing").contains("8");   // minPasswordLength

        // Three character classes pass the page's own checks; the directory refuses it for holding her account
        // name (AD complexity), and the page names that rule. (An administrator's reset does not apply history.)
        typePassword("Ada-Portal-2026");
        browser.waitForNewPage("verified");
        assertThat(browser.text(By.id("newPassword-error"))).contains("contains your name");
        shot("stack-3-policy-refused");

        typePassword("Portal-Stack-2026");
        browser.waitForPage("done");
        browser.assertAccessible("done");
        shot("stack-4-done");
        assertThat(browser.text(By.id("message"))).contains("Your password has been changed");
        assertThat(driver().getCurrentUrl()).doesNotContain("Portal-Stack").doesNotContain("code");
        assertThat(bind("CN=Ada Lovelace,OU=Staff," + BASE_DN, "Portal-Stack-2026")).isEqualTo(ResultCode.SUCCESS);
        assertThat(bind("CN=Ada Lovelace,OU=Staff," + BASE_DN, "Engine-1843")).isEqualTo(ResultCode.INVALID_CREDENTIALS);
    }

    @Test
    @Order(2)
    void unlockOnly_unlocksAndKeepsThePassword() throws Exception {
        String grace = "CN=Grace Hopper,OU=Staff," + BASE_DN;
        for (int i = 0; i < 5; i++) {
            assertThat(bind(grace, "Wrong-Guess-" + i)).isEqualTo(ResultCode.INVALID_CREDENTIALS);
        }
        assertThat(bind(grace, "Cobol-1959!")).as("locked out").isNotEqualTo(ResultCode.SUCCESS);

        startFor("grace", "en");
        enterCode("grace@corp.example");
        browser.waitForPage("verified");
        driver().findElement(By.id("choice-unlock")).click();
        driver().findElement(By.cssSelector("#choose button")).click();
        browser.waitForPage("done");
        shot("stack-5-unlocked");

        assertThat(browser.text(By.id("message"))).contains("Your account has been unlocked");
        assertThat(bind(grace, "Cobol-1959!")).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    @Order(3)
    void unknownDisabledAndProtectedUsers_seeTheSameScreens_andGetNoMail() throws Exception {
        startFor("ada", "en");
        String realHeading = browser.text(By.tagName("h1"));
        String realFields = fieldsOnPage();
        codes.add(PortalBrowser.codeFromMail(smtp, "ada@corp.example").code());   // waits for her mail, then empties

        for (String typed : List.of("nobody@corp.example", "disabled@corp.example", "admin")) {
            browser.close();
            browser = PortalBrowser.start("en-US");
            startFor(typed, "en");
            assertThat(browser.text(By.tagName("h1"))).as(typed).isEqualTo(realHeading);
            assertThat(fieldsOnPage()).as(typed).isEqualTo(realFields);
        }
        // Mail goes out in order: once a later mail to a real user has arrived, none to the three was sent.
        browser.close();
        browser = PortalBrowser.start("en-US");
        startFor("grace", "en");
        Await.until("the mail to grace", Duration.ofSeconds(10),
                () -> smtp.getReceivedMessagesForDomain("grace@corp.example").length > 0);
        assertThat(smtp.getReceivedMessages()).as("only grace's mail").hasSize(1);
        codes.add(PortalBrowser.codeFromMail(smtp, "grace@corp.example").code());
    }

    @Test
    @Order(4)
    void fiveWrongCodes_lockThePortalForThatUser_until24HoursHavePassed() throws Exception {
        startFor("ada", "en");
        String realCode = PortalBrowser.codeFromMail(smtp, "ada@corp.example").code();
        codes.add(realCode);
        String wrong = realCode.equals("00000000") ? "11111111" : "00000000";
        for (int i = 0; i < 4; i++) {
            submitCode(wrong.substring(0, realCode.length()));
            browser.waitForNewPage("code_sent");   // the same page again, with the error
            assertThat(browser.text(By.id("code-error"))).contains("Attempts left");
        }
        submitCode(wrong.substring(0, realCode.length()));
        browser.waitForPage("locked");
        shot("stack-6-locked");
        assertThat(browser.text(By.tagName("h1"))).isEqualTo("Too many attempts");

        clock.advance(Duration.ofHours(23));
        browser.close();
        browser = PortalBrowser.start("en-US");
        startFor("ada", "en", "locked");
        assertThat(smtp.getReceivedMessages()).as("no mail while locked").isEmpty();

        clock.advance(Duration.ofHours(1).plusMinutes(1));
        awaitWritebackUp();   // the clock jump made the agent's heartbeat look late: wait until it is back
        browser.close();
        browser = PortalBrowser.start("en-US");
        startFor("ada", "en");
        enterCode("ada@corp.example");
        browser.waitForPage("verified");
    }

    @Test
    @Order(5)
    void korean_keyboardOnly_resetsThePassword() throws Exception {
        browser.open(portalUrl("?lang=ko"));
        assertThat(browser.text(By.tagName("h1"))).isEqualTo("비밀번호를 잊으셨나요?");
        keys("grace@corp.example", Keys.ENTER);   // autofocus on the field; Enter submits once the check is done
        browser.waitForPage("code_sent");
        assertThat(browser.text(By.tagName("h1"))).isEqualTo("이메일을 확인하세요");
        PortalBrowser.Mail mail = PortalBrowser.codeFromMail(smtp, "grace@corp.example");
        codes.add(mail.code());
        assertThat(mail.subject()).isEqualTo("인증 코드");
        keys(mail.code(), Keys.ENTER);
        browser.waitForPage("verified");
        // The choice: reset is preselected; Tab to the button and press Enter.
        tabTo(By.cssSelector("#choose button"));
        browser.markSent();
        keys(Keys.ENTER);
        browser.waitForNewPage("verified");
        secrets.add("Hangul-Stack-77");
        keys("Hangul-Stack-77", Keys.TAB, "Hangul-Stack-77", Keys.ENTER);
        browser.waitForPage("done");
        shot("stack-7-done-ko");
        assertThat(browser.text(By.id("message"))).contains("비밀번호가 바뀌었습니다");
        assertThat(bind("CN=Grace Hopper,OU=Staff," + BASE_DN, "Hangul-Stack-77")).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    @Order(6)
    void agentDown_theUserIsToldAtTheStart() throws Exception {
        agent.close();
        agent = null;
        Await.until("writeback DOWN after the agent stopped", Duration.ofSeconds(30),
                () -> api.get("/api/v1/writeback/status").text().contains("\"DOWN\""));

        browser.open(portalUrl("?lang=en"));
        browser.waitForPage("unavailable");
        browser.assertAccessible("unavailable");
        shot("stack-8-unavailable");
        assertThat(browser.text(By.tagName("h1"))).isEqualTo("Password reset is not possible right now");
        assertThat(browser.text(By.id("message"))).contains("the IT help desk");
    }

    // ---- helpers

    private WebDriver driver() {
        return browser.driver();
    }

    private static String portalUrl(String query) {
        return "https://127.0.0.1:" + relay.port() + "/sspr/corp/" + query;
    }

    private void startFor(String userId, String lang) throws IOException {
        startFor(userId, lang, "code_sent");
    }

    private void startFor(String userId, String lang, String expectedPage) throws IOException {
        browser.open(portalUrl("?lang=" + lang));
        browser.waitForPage("start");
        browser.assertAccessible("start");
        browser.submitUserId(userId);
        browser.waitForPage(expectedPage);
    }

    private void enterCode(String mailbox) throws Exception {
        String code = PortalBrowser.codeFromMail(smtp, mailbox).code();
        codes.add(code);
        submitCode(code);
    }

    private void submitCode(String code) {
        browser.submitCode(code);
    }

    private void typePassword(String password) {
        secrets.add(password);
        browser.submitPassword(password);
    }

    private void keys(CharSequence... keys) {
        new Actions(driver()).sendKeys(keys).perform();
    }

    /** Presses Tab until {@code target} has the focus (at most 10 times). */
    private void tabTo(By target) {
        WebElement wanted = driver().findElement(target);
        for (int i = 0; i < 10 && !wanted.equals(driver().switchTo().activeElement()); i++) {
            keys(Keys.TAB);
        }
        assertThat(driver().switchTo().activeElement()).as("focus reached by Tab").isEqualTo(wanted);
    }

    /** The ids and names of the page's form fields: what the person at the keyboard can tell apart. */
    private String fieldsOnPage() {
        return driver().findElements(By.cssSelector("input, button")).stream()
                .map(e -> e.getTagName() + ":" + e.getAttribute("id") + ":" + e.getAttribute("name"))
                .toList().toString();
    }

    private static void awaitWritebackUp() {
        Await.until("writeback UP", Duration.ofSeconds(30),
                () -> api.get("/api/v1/writeback/status").text().contains("\"UP\""));
    }

    private void shot(String name) throws IOException {
        browser.shot(SHOTS, name);
    }

    private static ResultCode bind(String dn, String password) throws Exception {
        var ssl = new SSLUtil(new TrustAllTrustManager());
        try (var connection = new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", ldapsPort)) {
            return connection.bind(dn, password).getResultCode();
        } catch (LDAPException e) {
            return e.getResultCode();
        }
    }

    static {
        try {
            Files.createDirectories(SHOTS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
