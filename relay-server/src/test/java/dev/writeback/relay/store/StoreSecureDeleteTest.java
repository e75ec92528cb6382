package dev.writeback.relay.store;

import static dev.writeback.relay.store.StoreFixture.START;
import static dev.writeback.relay.store.StoreFixture.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.testing.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A destroyed key version leaves no copy of its sealed bytes in relay.db or its write-ahead log. */
class StoreSecureDeleteTest {
    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(START);
    private Store store;
    private String agentId;

    @BeforeEach
    void open() {
        store = Store.openSqlite(dataDir, StoreFixture.masterKey(), clock);
        agentId = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91)).id();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void destroyedKeyVersion_isOverwrittenInTheDatabaseAndItsLog() throws Exception {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        byte[] sealed = sealedPackageKey(1);
        assertThat(contains(files(), sealed)).as("found before destruction (the test can fail)").isTrue();
        store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));
        store.retireKeysBelow(agentId, 2, START.plusSeconds(60));
        clock.advance(Duration.ofMinutes(2));

        assertThat(store.destroyRetiredKeys(clock.instant())).isEqualTo(1);

        assertThat(contains(files(), sealed)).as("sealed v1 package key in relay.db or relay.db-wal").isFalse();
        assertThat(store.key(agentId, 2)).isPresent();
    }

    @Test
    void deletedAgent_leavesNoCopyOfItsKeys() throws Exception {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        byte[] sealed = sealedPackageKey(1);

        store.deleteAgent(agentId);

        assertThat(contains(files(), sealed)).isFalse();
    }

    private byte[] sealedPackageKey(int version) throws SQLException {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("relay.db"));
             var q = c.prepareStatement("SELECT sealed_package_key FROM agent_key WHERE agent_id = ? AND version = ?")) {
            q.setString(1, agentId);
            q.setInt(2, version);
            try (var rows = q.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return rows.getBytes(1);
            }
        }
    }

    private List<byte[]> files() throws IOException {
        var out = new ArrayList<byte[]>();
        for (String name : List.of("relay.db", "relay.db-wal")) {
            Path f = dataDir.resolve(name);
            if (Files.exists(f)) {
                out.add(Files.readAllBytes(f));
            }
        }
        return out;
    }

    private static boolean contains(List<byte[]> haystacks, byte[] needle) {
        for (byte[] h : haystacks) {
            outer:
            for (int i = 0; i + needle.length <= h.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (h[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
        }
        return false;
    }
}
