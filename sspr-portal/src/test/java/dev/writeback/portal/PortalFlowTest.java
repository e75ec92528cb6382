package dev.writeback.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.portal.mail.MailSettings;
import dev.writeback.protocol.testing.FakeClock;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortalFlowTest {
    private static final String BASE = "/sspr/corp/";

    @TempDir
    Path outbox;

    private final FakeClock clock = new FakeClock();
    private final MemoryPortalStore store = new MemoryPortalStore();
    private final FakeWriteback writeback = new FakeWriteback();
    private Portal portal;
    private String cookie;
    private String page;

    @BeforeEach
    void setUp() {
        store.put(PortalSettings.defaults("t-1", "corp", false).withEnabled(true).withCaptchaBits(4)
                .withMail(MailSettings.outbox(outbox, "sspr@corp.example")));
        portal = Portal.of(new PortalConfig(clock, null, Duration.ofSeconds(5)), store, writeback, Runnable::run);
    }

    @Test
    void reset_emailCode_setsPassword() throws IOException {
        start("ada@corp.example");
        assertThat(page).contains("Check your email");
        post("verify", "code=" + codeFromMail());
        assertThat(page).contains("Choose a new password").contains("be at least 8 characters long");
        post("password", "newPassword=New-Pass-2026&confirmPassword=New-Pass-2026");
        assertThat(page).contains("Your password has been changed");
        assertThat(writeback.passwords).containsEntry("ada", "New-Pass-2026");
        assertThat(store.auditRecords()).extracting(PortalAudit::step)
                .contains(PortalAudit.Step.PORTAL_CODE_SENT, PortalAudit.Step.PORTAL_VERIFY, PortalAudit.Step.PORTAL_RESET);
        assertNoSecretsStored("New-Pass-2026");
    }

    @Test
    void unknownUser_seesTheSameScreens_andNoMailLeaves() throws IOException {
        start("ada@corp.example");
        String real = page.replaceAll("value=\"[^\"]*\"", "").replaceAll("\\p{XDigit}{8}-[\\p{XDigit}-]{27}", "");
        cookie = null;
        start("nobody@corp.example");
        String unknown = page.replaceAll("value=\"[^\"]*\"", "").replaceAll("\\p{XDigit}{8}-[\\p{XDigit}-]{27}", "");
        assertThat(unknown.replace("nobody@corp.example", "X")).isEqualTo(real.replace("ada@corp.example", "X"));
        try (Stream<Path> files = Files.list(outbox)) {
            assertThat(files.count()).isEqualTo(1);   // only ada's
        }
        for (String who : List.of("bob", "root", "nomail")) {
            cookie = null;
            start(who);
            assertThat(page).contains("Check your email");
        }
        try (Stream<Path> files = Files.list(outbox)) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void wrongCodeFiveTimes_locksTheUserOut_for24Hours() throws IOException {
        start("ada");
        String good = codeFromMail();
        String wrong = good.equals("00000000") ? "11111111" : "00000000";
        for (int i = 4; i >= 1; i--) {
            post("verify", "code=" + wrong);
            assertThat(page).contains("Attempts left before the portal locks this account for 24 hours: " + i);
        }
        post("verify", "code=" + wrong);
        assertThat(page).contains("Too many attempts");
        cookie = null;
        start("ADA");
        assertThat(page).contains("Too many attempts");
        clock.advance(Duration.ofHours(24).plusMinutes(1));
        cookie = null;
        start("ada");
        assertThat(page).contains("Check your email");
    }

    @Test
    void code_expiresAfterFiveMinutes() throws IOException {
        start("ada");
        String code = codeFromMail();
        clock.advance(Duration.ofMinutes(5));
        post("verify", "code=" + code);
        assertThat(page).contains("The code is wrong or has expired");
    }

    @Test
    void tenMailsInTenMinutes_lockTheUser() {
        for (int i = 0; i < 10; i++) {
            cookie = null;
            start("ada");
            assertThat(page).contains("Check your email");
        }
        cookie = null;
        start("ada");
        assertThat(page).contains("Too many attempts");
    }

    @Test
    void writebackDown_toldAtTheStart() {
        writeback.state = WritebackState.DOWN;
        get("");
        assertThat(page).contains("Password reset is not possible right now");
    }

    @Test
    void policyViolation_showsItsRule() throws IOException {
        start("ada");
        post("verify", "code=" + codeFromMail());
        post("password", "newPassword=short&confirmPassword=short");
        assertThat(page).contains("it needs at least 8 characters");
        post("password", "newPassword=Old-Password-1&confirmPassword=Old-Password-1");
        assertThat(page).contains("you used it recently");
    }

    @Test
    void unlockOnly_whenTheTenantAllowsIt() throws IOException {
        store.put(PortalSettings.defaults("t-1", "corp", true).withEnabled(true).withCaptchaBits(4)
                .withMail(MailSettings.outbox(outbox, "sspr@corp.example")));
        start("ada");
        post("verify", "code=" + codeFromMail());
        assertThat(page).contains("What do you want to do?");
        post("choose", "choice=unlock");
        assertThat(page).contains("Your account has been unlocked");
        assertThat(writeback.unlocked).containsExactly("ada");
    }

    @Test
    void korean_fromAcceptLanguage() {
        var r = portal.handle(new PortalRequest("GET", BASE, Map.of(), "ko-KR,ko;q=0.9,en;q=0.5", null, null,
                new byte[0], "127.0.0.1"));
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("비밀번호를 잊으셨나요?").contains("lang=\"ko\"");
    }

    @Test
    void wrongCsrf_changesNothing() {
        get("");
        var r = portal.handle(new PortalRequest("POST", BASE + "start", Map.of(), null, cookie,
                "application/x-www-form-urlencoded", "csrf=forged&userId=ada&pow=0".getBytes(StandardCharsets.UTF_8),
                "127.0.0.1"));
        assertThat(r.status()).isEqualTo(303);
        assertThat(store.auditRecords()).isEmpty();
    }

    @Test
    void everyPage_hasTheSecurityHeaders() {
        var r = portal.handle(new PortalRequest("GET", BASE, Map.of(), null, null, null, new byte[0], "127.0.0.1"));
        assertThat(r.headers()).containsEntry("Referrer-Policy", "no-referrer")
                .containsEntry("Content-Security-Policy", PortalResponse.CSP)
                .containsKey("Strict-Transport-Security");
        assertThat(r.headers().get("Set-Cookie")).contains("Secure").contains("HttpOnly").contains("SameSite=Strict")
                .contains("Max-Age=900").contains("Path=/sspr/corp/");
    }

    @Test
    void portalOff_unknownTenant_lookTheSame() {
        var unknown = portal.handle(new PortalRequest("GET", "/sspr/nope/", Map.of(), null, null, null, new byte[0], "1.2.3.4"));
        store.put(PortalSettings.defaults("t-2", "off", false));
        var off = portal.handle(new PortalRequest("GET", "/sspr/off/", Map.of(), null, null, null, new byte[0], "1.2.3.4"));
        assertThat(unknown.status()).isEqualTo(404).isEqualTo(off.status());
        assertThat(new String(off.body(), StandardCharsets.UTF_8).replace("off", "nope"))
                .isEqualTo(new String(unknown.body(), StandardCharsets.UTF_8).replace("off", "nope"));
    }

    @Test
    void messages_bothLanguagesHaveEveryKey() {
        assertThat(Messages.keys(Locale.KOREAN)).isEqualTo(Messages.keys(Locale.ENGLISH));
        for (var code : dev.writeback.protocol.ResultCode.values()) {   // the shared texts, in both languages
            for (Locale locale : Messages.SUPPORTED) {
                assertThat(Messages.get(locale, "result." + code.name(), "IT")).isNotBlank();
            }
        }
        assertThat(Messages.get(Locale.KOREAN, "result.BUSY"))
                .isEqualTo(dev.writeback.protocol.UserMessages.result(dev.writeback.protocol.ResultCode.BUSY, Locale.KOREAN, null));
    }

    // ---- helpers: a browser without a browser

    private void start(String userId) {
        get("");
        String challenge = find("data-challenge=\"([0-9a-f]+)\"");
        String pow = Captcha.solve(challenge, 4);
        post("start", "userId=" + URLEncoder.encode(userId, StandardCharsets.UTF_8) + "&pow=" + pow);
    }

    private void get(String path) {
        var r = portal.handle(new PortalRequest("GET", BASE + path, Map.of(), "en", cookie, null, new byte[0], "127.0.0.1"));
        remember(r);
        page = new String(r.body(), StandardCharsets.UTF_8);
    }

    private void post(String action, String form) {
        String csrf = find("name=\"csrf\" value=\"([^\"]+)\"");
        byte[] body = ("csrf=" + csrf + "&" + form).getBytes(StandardCharsets.UTF_8);
        var r = portal.handle(new PortalRequest("POST", BASE + action, Map.of(), "en", cookie,
                "application/x-www-form-urlencoded", body, "127.0.0.1"));
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.headers().get("Location")).isEqualTo(BASE);
        remember(r);
        get("");
    }

    private void remember(PortalResponse r) {
        String set = r.headers().get("Set-Cookie");
        if (set != null) {
            cookie = set.substring(0, set.indexOf(';'));
        }
    }

    private String find(String regex) {
        Matcher m = Pattern.compile(regex).matcher(page);
        assertThat(m.find()).as("page has %s:%n%s", regex, page).isTrue();
        return m.group(1);
    }

    private String codeFromMail() throws IOException {
        try (Stream<Path> files = Files.list(outbox)) {
            Path last = files.sorted().reduce((a, b) -> b).orElseThrow();
            Matcher m = Pattern.compile("reset your password is: (\\d{8})").matcher(Files.readString(last));
            assertThat(m.find()).isTrue();
            return m.group(1);
        }
    }

    private void assertNoSecretsStored(String password) {
        for (byte[] state : store.sessionStates()) {
            assertThat(new String(state, StandardCharsets.UTF_8)).doesNotContain(password);
        }
        assertThat(store.auditRecords().toString()).doesNotContain(password);
    }
}
