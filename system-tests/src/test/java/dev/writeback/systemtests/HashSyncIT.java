package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.embedded.EmbeddedDirectory;
import dev.writeback.agent.embedded.EmbeddedDirectoryConfig;
import dev.writeback.agent.hashsync.EmbeddedHashSource;
import dev.writeback.agent.hashsync.HashSyncer;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.hashsync.HashSyncEntry;
import dev.writeback.protocol.hashsync.HashSyncStatus;
import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.relay.hashsync.CheckResult;
import dev.writeback.relay.hashsync.HashSyncReceiver;
import dev.writeback.relay.hashsync.StoredHash;
import dev.writeback.relay.store.MasterKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password hash sync end to end on the embedded directory: the directory's NT hashes → agent syncer (PPH1) →
 * relay receiver (Argon2id, sealed, in the relay's SQLite store) → password check, driven by a clock the test
 * moves. The relay side runs in-process here; {@code HashSyncLinkIT} runs the same over the relay link.
 */
class HashSyncIT {
    private static final String ADA = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final String GRACE = "CN=Grace Hopper,OU=Staff,DC=corp,DC=example";

    @TempDir
    Path stateDir;
    @TempDir
    Path relayDir;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final List<List<HashSyncEntry>> batches = new ArrayList<>();
    private final List<String> sentHex = new ArrayList<>();
    private EmbeddedDirectory directory;
    private HashSyncReceiver relay;
    private dev.writeback.relay.store.Store store;
    private String TENANT;
    private HashSyncer syncer;
    private CapturedLogs logs;

    @BeforeEach
    void start() throws Exception {
        logs = new CapturedLogs();
        directory = EmbeddedDirectory.start(EmbeddedDirectoryConfig.defaults().withEphemeralPorts("data"), stateDir, clock);
        // Small Argon2id parameters keep the test fast; the production ones are measured in StoredHashTest.
        MasterKey masterKey = MasterKey.loadOrCreate(relayDir, Map.of());
        store = dev.writeback.relay.store.Store.openSqlite(relayDir, masterKey, clock);
        TENANT = store.createTenant("acme").id();
        relay = new HashSyncReceiver(new StoredHash(masterKey, new SecureRandom(), 64, 1), store.hashSync(), clock);
        relay.setEnabled(TENANT, true);
        syncer = new HashSyncer(new EmbeddedHashSource(directory), (cursor, full, entries) -> {
            batches.add(List.copyOf(entries));
            entries.stream().filter(e -> e.hash() != null).forEach(e -> sentHex.add(HexFormat.of().formatHex(e.hash())));
            return reply(relay.accept(TENANT, "agent-1", cursor, full, entries));
        }, clock, new SecureRandom());
    }

    @AfterEach
    void stop() {
        syncer.close();
        directory.close();
        store.close();
        logs.close();
    }

    @Test
    void fullSync_thenChecksAcceptTheOnPremisesPasswordOnly() {
        assertThat(syncer.cycle()).isGreaterThanOrEqualTo(5);
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.VALID);
        assertThat(check("ada@corp.example", "Engine-1844")).isEqualTo(CheckResult.INVALID);
        assertThat(check("nobody@corp.example", "Engine-1843")).isEqualTo(CheckResult.UNKNOWN_USER);
        // user objects only: the computer account is not synced
        assertThat(batches.get(0)).noneMatch(e -> e.upn().startsWith("ws01"));
        var status = relay.status(TENANT);
        assertThat(status.enabled()).isTrue();
        assertThat(status.counts().get(HashSyncStatus.SUCCESS)).isGreaterThanOrEqualTo(5);
        assertThat(status.lastCycle()).isEqualTo(clock.instant());
    }

    @Test
    void changeOnPremises_isCheckableWithinOneCycle() throws Exception {
        syncer.cycle();
        clock.advance(Duration.ofSeconds(30));
        setPassword(ADA, "Analytical-1842");
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.VALID);   // not yet synced
        clock.advance(HashSyncer.CYCLE);
        assertThat(syncer.cycle()).isEqualTo(1);   // only the changed user travels
        assertThat(check("ada@corp.example", "Analytical-1842")).isEqualTo(CheckResult.VALID);
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.INVALID);
        assertThat(syncer.cycle()).isZero();
    }

    @Test
    void resetThroughWriteback_isCheckableAtOnce() {
        syncer.cycle();
        String anchor = relay.user(TENANT, anchorOf("ada@corp.example")).orElseThrow().anchor();
        char[] password = "Difference-Engine-1".toCharArray();
        syncer.pushPassword(anchor, "ada@corp.example", password, false, 42, Runnable::run);
        assertThat(check("ada@corp.example", "Difference-Engine-1")).isEqualTo(CheckResult.VALID);
    }

    @Test
    void mustChangeUser_isFilteredByTarget_andNotCheckable() throws Exception {
        syncer.cycle();
        try (var conn = serviceConnection()) {
            conn.modify(GRACE, new Modification(ModificationType.REPLACE, "pwdLastSet", "0"));
        }
        clock.advance(HashSyncer.CYCLE);
        syncer.cycle();
        var grace = relay.user(TENANT, anchorOf("grace@corp.example")).orElseThrow();
        assertThat(grace.status()).isEqualTo(HashSyncStatus.FILTERED_BY_TARGET);
        assertThat(grace.history()).extracting(HashSyncReceiver.StatusRecord::status)
                .containsExactly(HashSyncStatus.SUCCESS, HashSyncStatus.FILTERED_BY_TARGET);
        assertThat(check("grace@corp.example", "Cobol-1959!")).isEqualTo(CheckResult.NOT_SYNCED);
        assertThat(batches.get(batches.size() - 1)).allMatch(e -> e.hash() == null);
    }

    @Test
    void failedBatch_isRetriedInTheNextCycle() throws Exception {
        var failing = new HashSyncer(new EmbeddedHashSource(directory), new FlakySink(), clock, new SecureRandom());
        assertThat(failing.cycle()).isZero();
        assertThat(failing.pendingRetries()).isGreaterThanOrEqualTo(5);
        clock.advance(HashSyncer.CYCLE);
        assertThat(failing.cycle()).isGreaterThanOrEqualTo(5);
        assertThat(failing.pendingRetries()).isZero();
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.VALID);
        assertThat(relay.user(TENANT, anchorOfAny("ada@corp.example")).orElseThrow().agentId()).isEqualTo("agent-2");
    }

    @Test
    void secondCycle_stillReadsTheDirectorysHashes() {
        syncer.cycle();
        syncer.requestFullSync();
        clock.advance(HashSyncer.CYCLE);
        syncer.cycle();
        assertThat(check("grace@corp.example", "Cobol-1959!")).isEqualTo(CheckResult.VALID);
    }

    @Test
    void ntHash_isNotReadableOverLdap_evenByTheServiceAccount() throws Exception {
        try (var conn = serviceConnection()) {
            var entry = conn.getEntry(ADA, "*", "writebackNtHash", "unicodePwd");
            assertThat(entry.hasAttribute("writebackNtHash")).isFalse();
            assertThat(entry.hasAttribute("unicodePwd")).isFalse();
        }
        assertThat(directory.passwordHashes()).anyMatch(u -> u.upn().equals("ada@corp.example") && u.ntHash() != null);
    }

    @Test
    void repeatedFailures_lockTheUser() {
        syncer.cycle();
        for (int i = 0; i < HashSyncReceiver.LOCKOUT_THRESHOLD; i++) {
            assertThat(check("ada@corp.example", "wrong-" + i)).isEqualTo(CheckResult.INVALID);
        }
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.LOCKED);
        clock.advance(HashSyncReceiver.LOCKOUT.plusSeconds(1));
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.VALID);
    }

    @Test
    void fullSyncTrigger_idleHeartbeat_overdueWarning_andDisableDeletes() {
        syncer.cycle();
        int before = batches.size();
        relay.requestFullSync(TENANT);
        assertThat(relay.status(TENANT).fullSyncRequested()).isTrue();
        syncer.requestFullSync();
        clock.advance(HashSyncer.CYCLE);
        assertThat(syncer.cycle()).isGreaterThanOrEqualTo(5);
        assertThat(relay.status(TENANT).fullSyncRequested()).isFalse();
        clock.advance(HashSyncer.HEARTBEAT);
        syncer.cycle();
        assertThat(batches.subList(before, batches.size())).anyMatch(List::isEmpty);   // the heartbeat
        assertThat(logs.text()).contains("RLY-601 hash sync heartbeat").contains("AGT-615 hash sync heartbeat");
        clock.advance(HashSyncReceiver.HEARTBEAT_OVERDUE.plusMinutes(1));
        assertThat(relay.checkHeartbeats()).containsExactly(TENANT);
        assertThat(logs.text()).contains("RLY-610 hash sync heartbeat overdue tenant=" + TENANT);
        relay.setEnabled(TENANT, false);
        assertThat(check("ada@corp.example", "Engine-1843")).isEqualTo(CheckResult.UNKNOWN_USER);
        assertThat(relay.status(TENANT).counts()).isEmpty();
    }

    @Test
    void noNtHashOrPph1ValueInAnyLog() throws Exception {
        syncer.cycle();
        clock.advance(HashSyncer.CYCLE);
        setPassword(ADA, "Analytical-1842");
        syncer.cycle();
        check("ada@corp.example", "Analytical-1842");
        String text = logs.text().toLowerCase();
        assertThat(sentHex).isNotEmpty();
        for (String hex : sentHex) {
            assertThat(text).doesNotContain(hex);
        }
        for (String pw : List.of("Engine-1843", "Analytical-1842")) {
            assertThat(text).doesNotContain(HexFormat.of().formatHex(Pph1.ntHash(pw.toCharArray())))
                    .doesNotContain(pw.toLowerCase());
        }
        assertThat(text).doesNotContain("pph1_md4");
        // the relay's store holds neither the PPH1 values nor an NT hash, in its file or its write-ahead log
        var stored = new java.io.ByteArrayOutputStream();
        try (var files = java.nio.file.Files.list(relayDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("relay.db")).toList()) {
                stored.write(java.nio.file.Files.readAllBytes(f));
            }
        }
        String storedHex = HexFormat.of().formatHex(stored.toByteArray());
        assertThat(storedHex).hasSizeGreaterThan(1000);
        for (String hex : sentHex) {
            assertThat(storedHex).doesNotContain(hex);
        }
        for (String pw : List.of("Engine-1843", "Analytical-1842")) {
            assertThat(storedHex).doesNotContain(HexFormat.of().formatHex(Pph1.ntHash(pw.toCharArray())));
        }
        assertThat(logs.text()).contains("AGT-612 hash sync: full sync done").contains("RLY-600 hash sync batch");
    }

    private String anchorOf(String upn) {
        return batches.stream().flatMap(List::stream).filter(e -> e.upn().equalsIgnoreCase(upn)).findFirst().orElseThrow().anchor();
    }

    private String anchorOfAny(String upn) {
        try {
            return directory.passwordHashes().stream().filter(u -> u.upn().equalsIgnoreCase(upn)).findFirst().orElseThrow().anchor();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private CheckResult check(String user, String password) {
        return relay.check(TENANT, user, password.toCharArray());
    }

    private void setPassword(String dn, String password) throws Exception {
        try (var conn = serviceConnection()) {
            conn.modify(dn, new Modification(ModificationType.REPLACE, "unicodePwd",
                    ("\"" + password + "\"").getBytes(StandardCharsets.UTF_16LE)));
        }
    }

    private LDAPConnection serviceConnection() throws Exception {
        var conn = new LDAPConnection(new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory(), "127.0.0.1", directory.ldapsPort());
        try (Secret password = directory.serviceAccountPassword()) {
            conn.bind(directory.serviceAccountDn(), new String(password.reveal()));
        }
        return conn;
    }

    /** Refuses the first batch, then hands every batch to the relay. */
    private final class FlakySink implements dev.writeback.agent.hashsync.HashSyncSink {
        private boolean failed;

        @Override
        public Reply send(long cursor, boolean fullSync, List<HashSyncEntry> entries) throws SyncOff {
            if (!failed) {
                failed = true;
                throw new IllegalStateException("link down");
            }
            return reply(relay.accept(TENANT, "agent-2", cursor, fullSync, entries));
        }
    }

    /** What the link's sink makes of the relay's acknowledgement. */
    private static dev.writeback.agent.hashsync.HashSyncSink.Reply reply(HashSyncReceiver.Ack ack)
            throws dev.writeback.agent.hashsync.HashSyncSink.SyncOff {
        if (!ack.enabled()) {
            throw new dev.writeback.agent.hashsync.HashSyncSink.SyncOff();
        }
        return new dev.writeback.agent.hashsync.HashSyncSink.Reply(ack.fullSyncRequested());
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
