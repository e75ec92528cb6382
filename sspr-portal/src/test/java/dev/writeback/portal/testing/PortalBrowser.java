package dev.writeback.portal.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.icegreen.greenmail.base.GreenMailOperations;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven by Selenium, for the portal's browser tests here and in system-tests: a fresh
 * profile per browser, the page's {@code data-page} marker to wait on, screenshots, axe-core (bundled in the
 * {@code com.deque.html.axe-core:selenium} jar) and the code out of a GreenMail message. Nothing is downloaded.
 */
public final class PortalBrowser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern CODE = Pattern.compile("(?m):\\s*(\\d{6,8})\\s*$");

    private final WebDriver driver;
    private final Path profile;

    /** A code read from a mail, and the mail's subject. */
    public record Mail(String code, String subject) {}

    private PortalBrowser(WebDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /**
     * Skips the calling test when chromium or its driver is missing, except under {@code CI=true}, where that fails:
     * CI installs both (test.sh), so a missing browser there is a broken set-up, not a reason to skip.
     */
    public static void requireChromium() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("chromium: missing at " + CHROMIUM + " (expected under CI=true: apt-get"
                    + " install chromium chromium-driver, as test.sh does)");
        }
        assumeTrue(present, "browser tests skipped: no chromium at " + CHROMIUM + " / " + DRIVER
                + " (test.sh installs Debian's chromium and chromium-driver)");
    }

    /** Starts a headless browser whose preferred language is {@code lang} (e.g. {@code en-US}). */
    public static PortalBrowser start(String lang) throws IOException {
        Path profile = Files.createTempDirectory("portal-chromium");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        var options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--ignore-certificate-errors", "--window-size=1000,1000", "--lang=" + lang,
                "--user-data-dir=" + profile.toAbsolutePath());
        return new PortalBrowser(new ChromeDriver(service, options), profile);
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    /** Waits for the page whose {@code <main id="main">} says {@code data-page="page"}. */
    public void waitForPage(String page) {
        waitFor(page, "var m = document.getElementById('main'); return m ? m.getAttribute('data-page') : null;");
    }

    /**
     * Waits for a page {@code page} that was not there when the last form was sent: for a form that comes back
     * as the same page (a wrong code), where {@link #waitForPage} would find the old one still showing.
     */
    public void waitForNewPage(String page) {
        waitFor(page, "var m = document.getElementById('main');"
                + " return m && !m.hasAttribute('data-test-sent') ? m.getAttribute('data-page') : null;");
    }

    /**
     * Marks the page showing now, so that {@link #waitForNewPage} can tell its successor from it; the submit helpers
     * do it themselves, a test that sends a form by other means (a click, Enter) calls it first.
     */
    public void markSent() {
        ((JavascriptExecutor) driver).executeScript(
                "var m = document.getElementById('main'); if (m) { m.setAttribute('data-test-sent', ''); }");
    }

    private void waitFor(String page, String readMarker) {
        // A submit navigates. Finding <main> and then reading its attribute are two round trips, and the old
        // page can be replaced between them: chromedriver then answers "stale element" or, as Chromium 156
        // does, "Node with given id does not belong to the document". One script reads the marker in a single
        // step, and whatever the browser answers while a page is being swapped only means "not yet".
        try {
            new WebDriverWait(driver, Duration.ofSeconds(20))
                    .ignoring(WebDriverException.class)
                    .until(d -> page.equals(((JavascriptExecutor) d).executeScript(readMarker)));
        } catch (TimeoutException e) {
            String body;
            try {
                body = driver.findElement(By.tagName("body")).getText();
            } catch (RuntimeException unreadable) {
                body = "(unreadable: " + unreadable.getMessage() + ")";
            }
            throw new AssertionError("page " + page + " did not appear within 20 s; the browser shows "
                    + driver.getCurrentUrl() + ":\n" + body, e);
        }
    }

    public String text(By by) {
        return driver.findElement(by).getText();
    }

    /** The start page's form: types the user id and sends it (the page's proof of work runs before it is sent). */
    public void submitUserId(String userId) {
        driver.findElement(By.id("userId")).sendKeys(userId);
        markSent();
        driver.findElement(By.cssSelector("#start button")).click();
    }

    /** The verification form: replaces what the code field holds with {@code code} and sends it. */
    public void submitCode(String code) {
        var field = driver.findElement(By.id("code"));
        field.clear();
        field.sendKeys(code);
        markSent();
        driver.findElement(By.cssSelector("#verify button")).click();
    }

    /** The password form: the same password in both fields (replacing what they hold), then sends it. */
    public void submitPassword(String password) {
        for (String id : List.of("newPassword", "confirmPassword")) {
            var field = driver.findElement(By.id(id));
            field.clear();
            field.sendKeys(password);
        }
        markSent();
        driver.findElement(By.cssSelector("#password button")).click();
    }

    /** Saves a PNG of the viewport as {@code dir/name.png}. */
    public void shot(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve(name + ".png"), png);
    }

    /** Runs axe-core in the page and fails on any serious or critical violation. */
    @SuppressWarnings("unchecked")
    public void assertAccessible(String page) throws IOException {
        String script;
        try (InputStream in = PortalBrowser.class.getClassLoader().getResourceAsStream("axe.min.js")) {
            assertThat(in).as("axe.min.js on the test class path (com.deque.html.axe-core:selenium)").isNotNull();
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        var js = (JavascriptExecutor) driver;
        js.executeScript(script);   // injected by the test through the driver: the page's CSP is untouched
        Object result = js.executeAsyncScript("var done = arguments[arguments.length - 1];"
                + "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations.filter("
                + "function (v) { return v.impact === 'serious' || v.impact === 'critical'; }).map(function (v) {"
                + " return v.id + ': ' + v.help; })); });");
        assertThat((List<String>) result).as("serious or critical accessibility violations on %s", page).isEmpty();
    }

    /**
     * Waits for the next mail to {@code to}, reads the code from its plain-text part, and empties the mailboxes so
     * the next call waits for a new one.
     */
    public static Mail codeFromMail(GreenMailOperations smtp, String to) throws Exception {
        assertThat(smtp.waitForIncomingEmail(10_000, 1)).as("a mail to %s", to).isTrue();
        MimeMessage[] all = smtp.getReceivedMessagesForDomain(to);
        assertThat(all).as("mail to %s", to).isNotEmpty();
        MimeMessage last = all[all.length - 1];
        var parts = (MimeMultipart) last.getContent();
        String body = (String) parts.getBodyPart(0).getContent();   // text/plain, decoded
        Matcher m = CODE.matcher(body);
        assertThat(m.find()).as("a code in the mail").isTrue();
        smtp.purgeEmailFromAllMailboxes();
        return new Mail(m.group(1), last.getSubject());
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
