package dev.writeback.relay.store;

import dev.writeback.protocol.testing.FakeClock;
import static dev.writeback.relay.store.StoreFixture.START;
import static dev.writeback.relay.store.StoreFixture.kind;
import static dev.writeback.relay.store.StoreFixture.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreKeysTest {
    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(START);
    private Store store;
    private String agentId;

    @BeforeEach
    void open() {
        store = StoreFixture.open(dataDir, StoreFixture.masterKey(), clock);
        agentId = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91)).id();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void registerAgent_storesTheAgentAndItsFirstKeyTogether() {
        String tenant = store.createTenant("beta").id();
        byte[] raw = randomBytes(32);
        try (var key = dev.writeback.protocol.crypto.PackageKey.of(1, raw.clone())) {
            AgentRecord agent = store.registerAgent(tenant, "dc1", randomBytes(91), randomBytes(294), key);

            assertThat(store.agents(tenant)).extracting(AgentRecord::id).containsExactly(agent.id());
            assertThat(store.currentKey(agent.id()).orElseThrow().packageKey()).isEqualTo(raw);
        }
    }

    @Test
    void registerAgent_whoseKeyIsRefused_leavesNoAgentBehind() {
        String tenant = store.createTenant("beta").id();
        try (var key = dev.writeback.protocol.crypto.PackageKey.of(1, randomBytes(32))) {
            assertThatThrownBy(() -> store.registerAgent(tenant, "dc1", randomBytes(91), new byte[0], key))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        try (var key = dev.writeback.protocol.crypto.PackageKey.of(1, randomBytes(32))) {
            assertThatThrownBy(() -> store.registerAgent("no-such-tenant", "dc1", randomBytes(91), randomBytes(294), key))
                    .isInstanceOf(StoreException.class);
        }
        assertThat(store.agents(tenant)).isEmpty();
    }

    @Test
    void rotateKey_addsTheVersionAndRetiresTheOlderOnesAtOnce() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        try (var key = dev.writeback.protocol.crypto.PackageKey.of(2, randomBytes(32))) {
            AgentKey stored = store.rotateKey(agentId, randomBytes(294), key, START.plusSeconds(300));

            assertThat(stored.version()).isEqualTo(2);
        }
        assertThat(store.key(agentId, 1).orElseThrow().destroyAfter()).isEqualTo(START.plusSeconds(300));
        assertThat(store.currentKey(agentId).orElseThrow().version()).isEqualTo(2);

        try (var stale = dev.writeback.protocol.crypto.PackageKey.of(2, randomBytes(32))) {
            assertThatThrownBy(() -> store.rotateKey(agentId, randomBytes(294), stale, START.plusSeconds(600)))
                    .isInstanceOf(StoreException.class);
        }
        assertThat(store.key(agentId, 1).orElseThrow().destroyAfter()).as("a refused rollover retires nothing")
                .isEqualTo(START.plusSeconds(300));
    }

    @Test
    void addKeyVersion_roundTripsDecryptedPackageKey() {
        byte[] rsa = randomBytes(294);
        byte[] packageKey = randomBytes(32);

        store.addKeyVersion(agentId, 1, rsa, packageKey);

        AgentKey key = store.key(agentId, 1).orElseThrow();
        assertThat(key.rsaPublicKey()).isEqualTo(rsa);
        assertThat(key.packageKey()).isEqualTo(packageKey);
        assertThat(key.createdAt()).isEqualTo(START);
        assertThat(key.destroyAfter()).isNull();
        assertThat(key.retired()).isFalse();
    }

    @Test
    void addKeyVersion_notAboveNewest_throwsConflict() {
        store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));

        assertThatThrownBy(() -> store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CONFLICT))
                .hasMessageContaining("key version: 2").hasMessageContaining("expected: > 2");
        assertThatThrownBy(() -> store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CONFLICT));
    }

    @Test
    void addKeyVersion_unknownAgent_throwsNotFound() {
        assertThatThrownBy(() -> store.addKeyVersion("nope", 1, randomBytes(294), randomBytes(32)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.NOT_FOUND));
    }

    @Test
    void addKeyVersion_wrongPackageKeyLength_isRejected() {
        assertThatThrownBy(() -> store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("package key: 16 bytes (expected: 32)");
    }

    @Test
    void currentKey_isHighestNotRetired() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));

        assertThat(store.currentKey(agentId)).map(AgentKey::version).contains(2);
        assertThat(store.currentKey("nope")).isEmpty();
    }

    @Test
    void retireKeysBelow_marksOlderVersionsOnly() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 3, randomBytes(294), randomBytes(32));
        Instant destroyAfter = START.plus(Duration.ofMinutes(2));

        store.retireKeysBelow(agentId, 3, destroyAfter);

        assertThat(store.keys(agentId)).extracting(AgentKey::version, AgentKey::destroyAfter)
                .containsExactly(
                        tuple(1, destroyAfter),
                        tuple(2, destroyAfter),
                        tuple(3, null));
        assertThat(store.currentKey(agentId)).map(AgentKey::version).contains(3);
        assertThat(store.key(agentId, 1)).isPresent();   // still usable for requests in flight
    }

    @Test
    void retireKeysBelow_keepsEarlierDestroyTime() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 3, randomBytes(294), randomBytes(32));
        Instant first = START.plusSeconds(60);
        store.retireKeysBelow(agentId, 2, first);

        store.retireKeysBelow(agentId, 3, START.plusSeconds(600));

        assertThat(store.key(agentId, 1).orElseThrow().destroyAfter()).isEqualTo(first);
        assertThat(store.key(agentId, 2).orElseThrow().destroyAfter()).isEqualTo(START.plusSeconds(600));
    }

    @Test
    void retireKeysBelow_unknownVersion_throwsNotFound() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));

        assertThatThrownBy(() -> store.retireKeysBelow(agentId, 5, START))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.NOT_FOUND))
                .hasMessageContaining("key version: 5");
        assertThat(store.key(agentId, 1).orElseThrow().retired()).isFalse();
    }

    @Test
    void destroyRetiredKeys_deletesOnlyDueVersions() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 2, randomBytes(294), randomBytes(32));
        store.addKeyVersion(agentId, 3, randomBytes(294), randomBytes(32));
        store.retireKeysBelow(agentId, 2, START.plusSeconds(60));
        store.retireKeysBelow(agentId, 3, START.plusSeconds(120));

        assertThat(store.destroyRetiredKeys(START.plusSeconds(59))).isZero();
        assertThat(store.destroyRetiredKeys(START.plusSeconds(60))).isEqualTo(1);
        assertThat(store.keys(agentId)).extracting(AgentKey::version).containsExactly(2, 3);
        assertThat(store.destroyRetiredKeys(START.plusSeconds(3600))).isEqualTo(1);
        assertThat(store.keys(agentId)).extracting(AgentKey::version).containsExactly(3);
    }

    @Test
    void agentKey_toString_neverPrintsKeyBytes() {
        byte[] packageKey = randomBytes(32);
        store.addKeyVersion(agentId, 1, randomBytes(294), packageKey);

        String text = store.key(agentId, 1).orElseThrow().toString();

        assertThat(text).contains("packageKey=****").doesNotContain(HexFormat.of().formatHex(packageKey))
                .doesNotContain(Base64.getEncoder().encodeToString(packageKey));
    }

    @Test
    void agentKey_copiesPackageKeyOut() {
        store.addKeyVersion(agentId, 1, randomBytes(294), randomBytes(32));
        AgentKey key = store.key(agentId, 1).orElseThrow();
        byte[] copy = key.packageKey();

        Arrays.fill(copy, (byte) 0);

        assertThat(key.packageKey()).isNotEqualTo(copy);
    }
}
