package dev.writeback.agent.directory;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.embedded.EmbeddedDirectory;
import dev.writeback.agent.embedded.EmbeddedDirectoryConfig;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.testing.FakeClock;
import dev.writeback.protocol.testing.FakeScheduler;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The directory layer against the real embedded directory over loopback TLS. */
class DirectoriesIT {
    private static final String ADA = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final String ADA_PASSWORD = "Engine-1843";
    private static final String LINUS = "CN=Linus Torvalds,OU=Engineering,DC=corp,DC=example";
    private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(30);
    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    @TempDir
    Path stateDir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Directories directories;
    private EmbeddedDirectory extraDirectory;

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void close() {
        if (directories != null) {
            directories.close();
        }
        if (extraDirectory != null) {
            extraDirectory.close();
        }
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    @Test
    void reset_newPasswordBinds_oldPasswordFails() throws Exception {
        open();
        Outcome outcome = directories.reset(Anchor.parse("upn:ada@corp.example"), Secret.of("Fresh-Start-2026"), false, false);

        assertThat(outcome.code()).isEqualTo(dev.writeback.protocol.ResultCode.SUCCESS);
        assertThat(outcome.directory()).isEqualTo("corp");
        assertThat(outcome.server()).startsWith("127.0.0.1:");
        assertThat(bind(ADA, "Fresh-Start-2026")).isEqualTo(ResultCode.SUCCESS);
        assertThat(bind(ADA, ADA_PASSWORD)).isEqualTo(ResultCode.INVALID_CREDENTIALS);
    }

    @Test
    void change_tooShort_reportsPolicyViolation() throws Exception {
        open();
        assertPolicy(change("sam:ada", ADA_PASSWORD, "Ab1!"), PolicyReason.TOO_SHORT);
    }

    @Test
    void change_notComplex_reportsComplexity() throws Exception {
        open();
        assertPolicy(change("sam:ada", ADA_PASSWORD, "onlylowercaseletters"), PolicyReason.COMPLEXITY);
        assertPolicy(change("sam:ada", ADA_PASSWORD, "Lovelace-Rules-1"), PolicyReason.COMPLEXITY);
    }

    @Test
    void change_recentPassword_reportsHistory() throws Exception {
        open();
        assertThat(change("sam:ada", ADA_PASSWORD, "Second-Pass-2").succeeded()).isTrue();
        assertThat(change("sam:ada", "Second-Pass-2", "Third-Pass-3").succeeded()).isTrue();
        assertPolicy(change("sam:ada", "Third-Pass-3", "Second-Pass-2"), PolicyReason.HISTORY);
    }

    @Test
    void reset_recentPassword_reportsHistory_becausePolicyHintsAreSent() throws Exception {
        open();
        assertThat(directories.reset(Anchor.parse("sam:ada"), Secret.of("Second-Pass-2"), false, false).succeeded()).isTrue();
        assertPolicy(directories.reset(Anchor.parse("sam:ada"), Secret.of("Second-Pass-2"), false, false), PolicyReason.HISTORY);
        assertThat(directories.health()).singleElement().satisfies(h -> {
            assertThat(h.reachable()).isTrue();
            assertThat(h.historyEnforcedOnReset()).isTrue();
        });
    }

    @Test
    void change_wrongCurrentPassword_reportsWrongCurrentPassword() throws Exception {
        open();
        Outcome outcome = change("sam:ada", "Not-The-Password-1", "Brand-New-Pass-1");
        assertThat(outcome.code()).isEqualTo(dev.writeback.protocol.ResultCode.WRONG_CURRENT_PASSWORD);
        assertThat(outcome.userMessage()).doesNotContain("00000056");
        assertThat(outcome.adminDiagnostic()).contains("00000056");
    }

    @Test
    void reset_forceChange_writesPwdLastSetZero_andChangeStillWorks() throws Exception {
        open();
        assertThat(directories.reset(Anchor.parse("sam:ada"), Secret.of("Temporary-Pass-1"), false, true).succeeded()).isTrue();
        assertThat(attribute(ADA, "pwdLastSet")).isEqualTo("0");
        assertThat(bind(ADA, "Temporary-Pass-1")).isEqualTo(ResultCode.INVALID_CREDENTIALS);   // data 773

        assertThat(change("sam:ada", "Temporary-Pass-1", "My-Own-Pass-1").succeeded()).isTrue();
        assertThat(attribute(ADA, "pwdLastSet")).isNotEqualTo("0");
        assertThat(bind(ADA, "My-Own-Pass-1")).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void unlock_afterLockout_letsTheUserBind() throws Exception {
        open();
        lockOut(ADA);
        assertThat(bind(ADA, ADA_PASSWORD)).isEqualTo(ResultCode.INVALID_CREDENTIALS);   // data 775

        assertThat(directories.unlock(Anchor.parse("upn:ada@corp.example")).succeeded()).isTrue();
        assertThat(bind(ADA, ADA_PASSWORD)).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void reset_withUnlock_unlocksTheAccount() throws Exception {
        open();
        lockOut(ADA);
        assertThat(directories.reset(Anchor.parse("sam:ada"), Secret.of("Unlocked-Again-1"), true, false).succeeded()).isTrue();
        assertThat(attribute(ADA, "lockoutTime")).isEqualTo("0");
        assertThat(bind(ADA, "Unlocked-Again-1")).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void reset_unknownUser_reportsUserNotFound() throws Exception {
        open();
        assertCode(directories.reset(Anchor.parse("upn:nobody@corp.example"), Secret.of("Whatever-Pass-1"), false, false),
                dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
        assertCode(directories.reset(Anchor.parse("sam:WS01$"), Secret.of("Whatever-Pass-1"), false, false),
                dev.writeback.protocol.ResultCode.USER_NOT_FOUND);   // computers are never matched
    }

    @Test
    void reset_ambiguousAnchor_reportsMultipleMatches() throws Exception {
        open();
        try (LDAPConnection svc = serviceConnection()) {
            svc.add("dn: CN=Ada Clone,OU=Engineering,DC=corp,DC=example", "objectClass: user", "cn: Ada Clone",
                    "sn: Clone", "sAMAccountName: ada", "userPrincipalName: ada2@corp.example");
        }
        assertCode(directories.reset(Anchor.parse("sam:ada"), Secret.of("Whatever-Pass-1"), false, false),
                dev.writeback.protocol.ResultCode.MULTIPLE_MATCHES);
    }

    @Test
    void reset_protectedAccount_isRefused() throws Exception {
        open();
        assertCode(directories.reset(Anchor.parse("sam:admin"), Secret.of("Whatever-Pass-1"), false, false),
                dev.writeback.protocol.ResultCode.PROTECTED_ACCOUNT);
    }

    @Test
    void resetChangeUnlock_disabledAccount_areRefused() throws Exception {
        open();
        var disabled = Anchor.parse("upn:disabled@corp.example");
        assertCode(directories.reset(disabled, Secret.of("Whatever-Pass-1"), true, false),
                dev.writeback.protocol.ResultCode.ACCOUNT_DISABLED);
        assertCode(directories.change(disabled, Secret.of("Inactive-Acct-1"), Secret.of("Whatever-Pass-1")),
                dev.writeback.protocol.ResultCode.ACCOUNT_DISABLED);
        assertCode(directories.unlock(disabled), dev.writeback.protocol.ResultCode.ACCOUNT_DISABLED);
    }

    @Test
    void reset_guidAnchors_base64AndUuidText_findTheSameUser() throws Exception {
        open();
        assertThat(directories.reset(Anchor.parse("guid:EETj5wZRJ02M7yf24kSkGg=="), Secret.of("Guid-Base64-1"), false, false)
                .adminDiagnostic()).isEqualTo("dn=" + ADA);
        assertThat(directories.reset(Anchor.parse("guid:e7e34410-5106-4d27-8cef-27f6e244a41a"), Secret.of("Guid-Text-22"),
                false, false).adminDiagnostic()).isEqualTo("dn=" + ADA);
        // The big-endian reading of the same bytes is a different GUID.
        assertCode(directories.reset(Anchor.parse("guid:1044e3e7-0651-274d-8cef-27f6e244a41a"), Secret.of("Guid-Text-33"),
                false, false), dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
    }

    @Test
    void reset_guidAnchor_prefersConsistencyGuid() throws Exception {
        open();
        try (LDAPConnection svc = serviceConnection()) {
            byte[] adasGuid = java.util.Base64.getDecoder().decode("EETj5wZRJ02M7yf24kSkGg==");
            svc.modify(LINUS, new Modification(ModificationType.REPLACE, "mS-DS-ConsistencyGuid", adasGuid));
        }
        assertThat(directories.reset(Anchor.parse("guid:EETj5wZRJ02M7yf24kSkGg=="), Secret.of("Migrated-User-1"), false, false)
                .adminDiagnostic()).isEqualTo("dn=" + LINUS);
    }

    @Test
    void lookup_byUpnSamOrMail_answersTheSameProfile() throws Exception {
        open();
        try (LDAPConnection svc = serviceConnection()) {
            svc.modify(ADA, new Modification(ModificationType.REPLACE, "mobile", "+82 10 5555 0100"),
                    new Modification(ModificationType.REPLACE, "telephoneNumber", "+82 2 555 0199"));
        }
        for (String typed : List.of("ada@corp.example", "ada", "ADA")) {
            Outcome outcome = directories.lookup(typed);
            assertCode(outcome, dev.writeback.protocol.ResultCode.SUCCESS);
            var profile = outcome.profile().orElseThrow();
            assertThat(profile.anchor()).hasToString("guid:EETj5wZRJ02M7yf24kSkGg==");
            assertThat(profile.displayName()).isEqualTo("Ada Lovelace");
            assertThat(profile.enabled()).isTrue();
            assertThat(profile.locked()).isFalse();
            assertThat(profile.protectedAccount()).isFalse();
            assertThat(profile.mail()).containsExactly("ada@corp.example");
            assertThat(profile.mobile()).containsExactly("+82 10 5555 0100");
            assertThat(profile.telephone()).containsExactly("+82 2 555 0199");
            assertThat(profile.policy().known()).isTrue();
            assertThat(profile.policy().minLength()).isPositive();
        }
        // the anchor it answers names the account for the reset that follows
        Outcome lookedUp = directories.lookup("ada");
        assertThat(directories.reset(lookedUp.profile().orElseThrow().anchor(), Secret.of("Looked-Up-2026"), false, false)
                .succeeded()).isTrue();
        assertThat(bind(ADA, "Looked-Up-2026")).isEqualTo(ResultCode.SUCCESS);
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).filteredOn(m -> m.startsWith("DIR-203"))
                .isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain("+82").doesNotContain("ada@corp.example"));
    }

    @Test
    void lookup_reportsLockedDisabledProtectedAndMustChange() throws Exception {
        open();
        lockOut(ADA);
        assertThat(directories.lookup("ada").profile().orElseThrow().locked()).isTrue();
        assertThat(directories.lookup("disabled@corp.example").profile().orElseThrow().enabled()).isFalse();
        assertThat(directories.lookup("admin").profile().orElseThrow().protectedAccount()).isTrue();
        assertThat(directories.reset(Anchor.parse("sam:linus"), Secret.of("Must-Change-26"), false, true).succeeded()).isTrue();
        var linus = directories.lookup("linus").profile().orElseThrow();
        assertThat(linus.mustChange()).isTrue();
        assertThat(linus.mail()).isEmpty();
    }

    @Test
    void lookup_unknownOutOfScopeOrAmbiguous_isRefused() throws Exception {
        open(List.of("OU=Staff,DC=corp,DC=example"));
        assertCode(directories.lookup("nobody@corp.example"), dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
        assertCode(directories.lookup("linus"), dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
        assertCode(directories.lookup("WS01$"), dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
        assertCode(directories.lookup("*"), dev.writeback.protocol.ResultCode.USER_NOT_FOUND);   // no filter injection
        try (LDAPConnection svc = serviceConnection()) {
            svc.add("dn: CN=Grace Twin,OU=Staff,DC=corp,DC=example", "objectClass: user", "cn: Grace Twin",
                    "sn: Twin", "sAMAccountName: gtwin", "mail: grace@corp.example");
        }
        assertCode(directories.lookup("grace@corp.example"), dev.writeback.protocol.ResultCode.MULTIPLE_MATCHES);
        assertThat(directories.lookup("grace@corp.example").profile()).isEmpty();
    }

    @Test
    void reset_dnOutsideScope_reportsUserNotFound() throws Exception {
        open(List.of("OU=Staff,DC=corp,DC=example"));
        assertCode(directories.reset(Anchor.parse("dn:" + LINUS), Secret.of("Out-Of-Scope-1"), false, false),
                dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
        assertCode(directories.reset(Anchor.parse("sam:linus"), Secret.of("Out-Of-Scope-1"), false, false),
                dev.writeback.protocol.ResultCode.USER_NOT_FOUND);
        assertThat(directories.reset(Anchor.parse("dn:" + ADA), Secret.of("In-Scope-Pass-1"), false, false).succeeded()).isTrue();
    }

    @Test
    void reset_deadFirstUrl_failsOverToTheSecond() throws Exception {
        extraDirectory = EmbeddedDirectory.start(EmbeddedDirectoryConfig.defaults().withEphemeralPorts("dc"), stateDir);
        int deadPort;
        try (var socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        var config = new DirectoryConfig("corp", DirectoryType.ACTIVE_DIRECTORY.configName(),
                List.of("ldaps://127.0.0.1:" + deadPort, "ldaps://127.0.0.1:" + extraDirectory.ldapsPort()), false,
                extraDirectory.serviceAccountDn(), extraDirectory.serviceAccountPasswordFile().toString(), null, null,
                extraDirectory.certificateFingerprint(), true, "DC=corp,DC=example", null, false, true,
                Duration.ofSeconds(2), Duration.ofSeconds(5), 2, null, null);
        directories = Directories.open(List.of(config), stateDir, Clock.systemUTC(), new FakeScheduler(new FakeClock()), HEALTH_INTERVAL, NO_ENVIRONMENT);

        Outcome outcome = directories.reset(Anchor.parse("sam:ada"), Secret.of("Failed-Over-1"), false, false);

        assertThat(outcome.succeeded()).isTrue();
        assertThat(outcome.server()).isEqualTo("127.0.0.1:" + extraDirectory.ldapsPort());
        assertThat(directories.health()).singleElement().satisfies(h -> assertThat(h.reachable()).isTrue());
    }

    @Test
    void aDirectoryThatGoesDown_isReportedAtTheNextScheduledCheck_notBefore() throws Exception {
        extraDirectory = EmbeddedDirectory.start(EmbeddedDirectoryConfig.defaults().withEphemeralPorts("dc"), stateDir);
        var config = new DirectoryConfig("corp", DirectoryType.ACTIVE_DIRECTORY.configName(),
                List.of("ldaps://127.0.0.1:" + extraDirectory.ldapsPort()), false, extraDirectory.serviceAccountDn(),
                extraDirectory.serviceAccountPasswordFile().toString(), null, null, extraDirectory.certificateFingerprint(),
                true, "DC=corp,DC=example", null, false, true, Duration.ofSeconds(2), Duration.ofSeconds(5), 1, null, null);
        var checks = new FakeScheduler(new FakeClock());
        directories = Directories.open(List.of(config), stateDir, Clock.systemUTC(), checks, HEALTH_INTERVAL, NO_ENVIRONMENT);
        assertThat(directories.health()).singleElement().satisfies(h -> assertThat(h.reachable()).isTrue());

        extraDirectory.close();
        extraDirectory = null;
        checks.advance(HEALTH_INTERVAL.minusMillis(1));
        assertThat(directories.health()).as("no check yet").singleElement().satisfies(h -> assertThat(h.reachable()).isTrue());

        checks.advance(Duration.ofMillis(1));
        assertThat(directories.health()).as("the scheduled check").singleElement()
                .satisfies(h -> assertThat(h.reachable()).isFalse());
        String logged = logs.list.stream().map(ILoggingEvent::getFormattedMessage).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(logged).contains("DIR-110 directory unreachable directory=corp");

        directories.close();
        directories = null;
        assertThat(checks.pending()).as("closing cancels the checks").isZero();
    }

    @Test
    void open_wrongBindPassword_saysSoNamingTheBindDn_notUnreachable() throws Exception {
        extraDirectory = EmbeddedDirectory.start(EmbeddedDirectoryConfig.defaults().withEphemeralPorts("dc"), stateDir);
        Path wrong = Files.writeString(stateDir.resolve("wrong.pw"), "Not-The-Password-1\n");
        var config = new DirectoryConfig("corp", DirectoryType.ACTIVE_DIRECTORY.configName(),
                List.of("ldaps://127.0.0.1:" + extraDirectory.ldapsPort()), false, extraDirectory.serviceAccountDn(),
                wrong.toString(), null, null, extraDirectory.certificateFingerprint(), true, "DC=corp,DC=example", null,
                false, true, Duration.ofSeconds(2), Duration.ofSeconds(5), 1, null, null);
        directories = Directories.open(List.of(config), stateDir, Clock.systemUTC(), new FakeScheduler(new FakeClock()), HEALTH_INTERVAL, NO_ENVIRONMENT);

        assertThat(directories.health()).singleElement().satisfies(h -> {
            assertThat(h.reachable()).isFalse();
            assertThat(h.problem()).startsWith("service account bind refused for bindDn " + extraDirectory.serviceAccountDn()
                    + ": wrong bind password").contains("rc=49").doesNotContain("no server reachable");
        });
        String logged = logs.list.stream().map(ILoggingEvent::getFormattedMessage).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(logged).contains("DIR-105 directory service account bind refused directory=corp")
                .doesNotContain("DIR-104").doesNotContain("Not-The-Password-1");
        Outcome outcome = directories.unlock(Anchor.parse("sam:ada"));
        assertCode(outcome, dev.writeback.protocol.ResultCode.DIRECTORY_UNAVAILABLE);
        assertThat(outcome.adminDiagnostic()).contains("wrong bind password", extraDirectory.serviceAccountDn());
    }

    @Test
    void open_unreachableDirectory_reportsItInHealth() throws Exception {
        int deadPort;
        try (var socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Path pw = Files.writeString(stateDir.resolve("bind.pw"), "irrelevant\n");
        var config = new DirectoryConfig("corp", DirectoryType.ACTIVE_DIRECTORY.configName(), List.of("ldaps://127.0.0.1:" + deadPort),
                false, "CN=svc,DC=corp,DC=example", pw.toString(), null, null, null, true, "DC=corp,DC=example", null,
                false, true, Duration.ofSeconds(1), Duration.ofSeconds(1), 1, null, null);
        directories = Directories.open(List.of(config), stateDir, Clock.systemUTC(), new FakeScheduler(new FakeClock()), HEALTH_INTERVAL, NO_ENVIRONMENT);

        assertThat(directories.health()).singleElement().satisfies(h -> {
            assertThat(h.reachable()).isFalse();
            assertThat(h.problem()).isNotEmpty();
        });
        assertCode(directories.unlock(Anchor.parse("sam:ada")), dev.writeback.protocol.ResultCode.DIRECTORY_UNAVAILABLE);
    }

    @Test
    void embedded_persistsAcrossRestart() throws Exception {
        open();
        assertThat(directories.reset(Anchor.parse("sam:grace"), Secret.of("Survives-Restart-1"), false, false).succeeded()).isTrue();
        directories.close();
        directories = null;

        open();
        assertThat(bind("CN=Grace Hopper,OU=Staff,DC=corp,DC=example", "Survives-Restart-1")).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void passwords_neverAppearInLogsOrPersistedLdif() throws Exception {
        open();
        List<String> used = List.of("Logged-Never-1", "Logged-Never-22", "Sh0rt!", "Wrong-Current-9", ADA_PASSWORD);
        directories.reset(Anchor.parse("sam:ada"), Secret.of("Logged-Never-1"), true, true);
        directories.change(Anchor.parse("sam:ada"), Secret.of("Logged-Never-1"), Secret.of("Logged-Never-22"));
        directories.change(Anchor.parse("sam:ada"), Secret.of("Logged-Never-22"), Secret.of("Sh0rt!"));
        directories.change(Anchor.parse("sam:ada"), Secret.of("Wrong-Current-9"), Secret.of("Logged-Never-1"));
        directories.describe();

        String ldif = persistedText(directories.embedded("corp").dataDir());
        String logText = String.join("\n", logs.list.stream().map(e -> e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage())).toList());
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.startsWith("DIR-200"));
        for (String password : used) {
            assertThat(logText).doesNotContain(password);
            assertThat(ldif).doesNotContain(password);
        }
        assertThat(ldif).contains("userPassword: {SSHA256}");
        assertThat(ldif).as("the journal holds the writes").contains("changetype: add");
    }

    // ---- helpers ----

    /** The snapshot and the journals (where the latest writes are), as text. */
    private static String persistedText(Path dataDir) throws IOException {
        var text = new StringBuilder();
        try (var files = Files.list(dataDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("directory.")).toList()) {
                text.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return text.toString();
    }

    private void open() throws Exception {
        open(null);
    }

    private void open(List<String> scopes) throws Exception {
        var base = DirectoryConfig.embedded("corp", EmbeddedDirectoryConfig.defaults().withEphemeralPorts("embedded"));
        var config = new DirectoryConfig(base.name(), base.type(), null, false, null, null, null, null, null, null,
                base.baseDn(), scopes, false, null, Duration.ofSeconds(2), Duration.ofSeconds(5), 2, base.embedded(), null);
        directories = Directories.open(List.of(config), stateDir, Clock.systemUTC(), new FakeScheduler(new FakeClock()), HEALTH_INTERVAL, NO_ENVIRONMENT);
    }

    private Outcome change(String anchor, String current, String next) {
        return directories.change(Anchor.parse(anchor), Secret.of(current), Secret.of(next));
    }

    private static void assertPolicy(Outcome outcome, PolicyReason reason) {
        assertThat(outcome.code()).isEqualTo(dev.writeback.protocol.ResultCode.POLICY_VIOLATION);
        assertThat(outcome.reason()).isEqualTo(reason);
        assertThat(outcome.userMessage()).doesNotContain("0000052D").doesNotContain("check_password_restrictions");
    }

    private static void assertCode(Outcome outcome, dev.writeback.protocol.ResultCode code) {
        assertThat(outcome.code()).as(outcome.adminDiagnostic()).isEqualTo(code);
    }

    private void lockOut(String dn) throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(bind(dn, "Wrong-Guess-" + i)).isEqualTo(ResultCode.INVALID_CREDENTIALS);
        }
        assertThat(Long.parseLong(attribute(dn, "lockoutTime"))).isPositive();
    }

    private LDAPConnection connect() throws Exception {
        EmbeddedDirectory embedded = directories.embedded("corp");
        var ssl = new SSLUtil(new TrustAllTrustManager());
        return new LDAPConnection(ssl.createSSLSocketFactory(), embedded.host(), embedded.ldapsPort());
    }

    private ResultCode bind(String dn, String password) throws Exception {
        try (LDAPConnection connection = connect()) {
            return connection.bind(dn, password).getResultCode();
        } catch (LDAPException e) {
            return e.getResultCode();
        }
    }

    private LDAPConnection serviceConnection() throws Exception {
        EmbeddedDirectory embedded = directories.embedded("corp");
        LDAPConnection connection = connect();
        try (Secret password = embedded.serviceAccountPassword()) {
            connection.bind(embedded.serviceAccountDn(), new String(password.reveal()));
        }
        return connection;
    }

    private String attribute(String dn, String name) throws Exception {
        try (LDAPConnection svc = serviceConnection()) {
            return svc.getEntry(dn, name).getAttributeValue(name);
        }
    }
}
