package dev.writeback.relay.store;

import dev.writeback.protocol.testing.FakeClock;
import static dev.writeback.relay.store.StoreFixture.START;
import static dev.writeback.relay.store.StoreFixture.kind;
import static dev.writeback.relay.store.StoreFixture.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dataDir;

    private final FakeClock clock = new FakeClock(START);
    private Store store;

    @BeforeEach
    void open() {
        store = StoreFixture.open(dataDir, StoreFixture.masterKey(), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---- tenants

    @Test
    void createTenant_defaults() {
        Tenant tenant = store.createTenant("acme");

        assertThat(tenant.id()).matches("[0-9a-f-]{36}");
        assertThat(tenant.name()).isEqualTo("acme");
        assertThat(tenant.enabled()).isTrue();
        assertThat(tenant.allowUnlockWithoutReset()).isFalse();
        assertThat(tenant.createdAt()).isEqualTo(START);
        assertThat(store.tenant(tenant.id())).contains(tenant);
    }

    @Test
    void createTenant_duplicateName_throwsConflict() {
        store.createTenant("acme");

        assertThatThrownBy(() -> store.createTenant("acme"))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.CONFLICT))
                .hasMessageContaining("tenant name: acme");
    }

    @Test
    void createTenant_blankName_isRejected() {
        assertThatThrownBy(() -> store.createTenant(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant name: (blank)");
    }

    @Test
    void tenants_listsAllByName() {
        store.createTenant("zeta");
        store.createTenant("alpha");

        assertThat(store.tenants()).extracting(Tenant::name).containsExactly("alpha", "zeta");
    }

    @Test
    void tenant_unknown_isEmpty() {
        assertThat(store.tenant("nope")).isEmpty();
    }

    @Test
    void updateSettings_changesBothFlags() {
        Tenant tenant = store.createTenant("acme");

        Tenant updated = store.updateSettings(tenant.id(), false, true);

        assertThat(updated.enabled()).isFalse();
        assertThat(updated.allowUnlockWithoutReset()).isTrue();
        assertThat(store.tenant(tenant.id())).contains(updated);
    }

    @Test
    void updateSettings_unknownTenant_throwsNotFound() {
        assertThatThrownBy(() -> store.updateSettings("nope", true, true))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.NOT_FOUND))
                .hasMessageContaining("tenant: nope");
    }

    // ---- API tokens

    @Test
    void findApiToken_byPlaintext_returnsInfo() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken issued = store.createApiToken(tenant.id(), "portal");

        assertThat(issued.plaintext()).matches("wb_api_[A-Za-z0-9_-]{43}");
        assertThat(issued.expiresAt()).isNull();
        assertThat(store.findApiToken(issued.plaintext()))
                .contains(new ApiTokenInfo(issued.id(), tenant.id(), "portal", ApiScope.ADMIN, START));
    }

    @Test
    void createApiToken_withScope_isFoundWithThatScope() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken operations = store.createApiToken(tenant.id(), "portal", ApiScope.OPERATIONS);
        IssuedToken admin = store.createApiToken(tenant.id(), "admin", ApiScope.ADMIN);

        assertThat(store.findApiToken(operations.plaintext()).map(ApiTokenInfo::scope)).contains(ApiScope.OPERATIONS);
        assertThat(store.findApiToken(admin.plaintext()).map(ApiTokenInfo::scope)).contains(ApiScope.ADMIN);
    }

    @Test
    void createApiToken_twoArguments_isAdmin() {
        IssuedToken issued = store.createApiToken(store.createTenant("acme").id(), "portal");

        assertThat(store.findApiToken(issued.plaintext()).map(ApiTokenInfo::scope)).contains(ApiScope.ADMIN);
    }

    @Test
    void apiScope_wireNames_roundTrip() {
        assertThat(ApiScope.OPERATIONS.wire()).isEqualTo("operations");
        assertThat(ApiScope.ADMIN.wire()).isEqualTo("admin");
        for (ApiScope scope : ApiScope.values()) {
            assertThat(ApiScope.ofWire(scope.wire())).contains(scope);
        }
        assertThat(ApiScope.ofWire("ADMIN")).isEmpty();
        assertThat(ApiScope.ofWire("read")).isEmpty();
        assertThat(ApiScope.ofWire(null)).isEmpty();
    }

    @Test
    void apiScope_adminAllowsEverything_operationsOnlyOperations() {
        assertThat(ApiScope.ADMIN.allows(ApiScope.ADMIN)).isTrue();
        assertThat(ApiScope.ADMIN.allows(ApiScope.OPERATIONS)).isTrue();
        assertThat(ApiScope.OPERATIONS.allows(ApiScope.OPERATIONS)).isTrue();
        assertThat(ApiScope.OPERATIONS.allows(ApiScope.ADMIN)).isFalse();
    }

    @Test
    void findApiToken_unknown_returnsEmpty() {
        store.createApiToken(store.createTenant("acme").id(), "portal");

        assertThat(store.findApiToken("wb_api_" + "A".repeat(43))).isEmpty();
        assertThat(store.findApiToken("garbage")).isEmpty();
        assertThat(store.findApiToken("wb_api_" + "A".repeat(10_000))).isEmpty();
        assertThat(store.findApiToken(null)).isEmpty();
    }

    @Test
    void findApiToken_revoked_returnsEmpty() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken issued = store.createApiToken(tenant.id(), "portal");

        assertThat(store.revokeApiToken("other-tenant", issued.id())).isFalse();
        assertThat(store.revokeApiToken(tenant.id(), issued.id())).isTrue();
        assertThat(store.findApiToken(issued.plaintext())).isEmpty();
    }

    @Test
    void tokens_listBothKinds_andRevokeTokenRemovesEither() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken api = store.createApiToken(tenant.id(), "portal", ApiScope.OPERATIONS);
        clock.advance(Duration.ofSeconds(1));
        IssuedToken registration = store.createRegistrationToken(tenant.id());
        store.createApiToken(store.createTenant("other").id(), "theirs");

        assertThat(store.tokens(tenant.id())).extracting(TokenInfo::id, TokenInfo::kind)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(api.id(), TokenInfo.Kind.API),
                        org.assertj.core.groups.Tuple.tuple(registration.id(), TokenInfo.Kind.REGISTRATION));
        assertThat(store.revokeToken("other-tenant", api.id())).isEmpty();
        assertThat(store.revokeToken(tenant.id(), registration.id())).map(TokenInfo::kind)
                .contains(TokenInfo.Kind.REGISTRATION);
        assertThat(store.revokeToken(tenant.id(), api.id())).map(TokenInfo::scope).contains(ApiScope.OPERATIONS);
        assertThat(store.tokens(tenant.id())).isEmpty();
        assertThat(store.findApiToken(api.plaintext())).isEmpty();
        assertThat(store.consumeRegistrationToken(registration.plaintext())).isEmpty();
    }

    @Test
    void recordApiTokenUse_keepsOneTimePerMinute() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken api = store.createApiToken(tenant.id(), "portal");

        store.recordApiTokenUse(api.id(), START);
        store.recordApiTokenUse(api.id(), START.plusSeconds(30));
        assertThat(store.findApiToken(api.plaintext()).map(ApiTokenInfo::lastUsedAt)).contains(START);

        store.recordApiTokenUse(api.id(), START.plusSeconds(60));
        assertThat(store.findApiToken(api.plaintext()).map(ApiTokenInfo::lastUsedAt)).contains(START.plusSeconds(60));
        assertThat(store.tokens(tenant.id()).get(0).lastUsedAt()).isEqualTo(START.plusSeconds(60));
    }

    @Test
    void createApiToken_unknownTenant_throwsNotFound() {
        assertThatThrownBy(() -> store.createApiToken("nope", "portal"))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.NOT_FOUND));
    }

    @Test
    void issuedToken_toString_hidesPlaintext() {
        IssuedToken issued = store.createApiToken(store.createTenant("acme").id(), "portal");

        assertThat(issued.toString()).doesNotContain(issued.plaintext()).contains(issued.id());
    }

    // ---- registration tokens

    @Test
    void consumeRegistrationToken_firstUse_returnsTenant() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken issued = store.createRegistrationToken(tenant.id());

        assertThat(issued.plaintext()).matches("wb_reg_[A-Za-z0-9_-]{43}");
        assertThat(issued.expiresAt()).isEqualTo(START.plus(Duration.ofHours(1)));
        assertThat(store.consumeRegistrationToken(issued.plaintext())).contains(tenant.id());
    }

    @Test
    void consumeRegistrationToken_secondUse_returnsEmpty() {
        IssuedToken issued = store.createRegistrationToken(store.createTenant("acme").id());
        store.consumeRegistrationToken(issued.plaintext());

        assertThat(store.consumeRegistrationToken(issued.plaintext())).isEmpty();
    }

    @Test
    void consumeRegistrationToken_expired_returnsEmpty() {
        IssuedToken issued = store.createRegistrationToken(store.createTenant("acme").id(), Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(10));

        assertThat(store.consumeRegistrationToken(issued.plaintext())).isEmpty();
    }

    @Test
    void consumeRegistrationToken_justBeforeExpiry_returnsTenant() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken issued = store.createRegistrationToken(tenant.id(), Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(10).minusMillis(1));

        assertThat(store.consumeRegistrationToken(issued.plaintext())).contains(tenant.id());
    }

    @Test
    void consumeRegistrationToken_unknownOrApiToken_returnsEmpty() {
        Tenant tenant = store.createTenant("acme");
        IssuedToken api = store.createApiToken(tenant.id(), "portal");

        assertThat(store.consumeRegistrationToken("wb_reg_" + "B".repeat(43))).isEmpty();
        assertThat(store.consumeRegistrationToken(api.plaintext())).isEmpty();
    }

    @Test
    void consumeRegistrationToken_concurrentCallers_onlyOneWins() throws Exception {
        IssuedToken issued = store.createRegistrationToken(store.createTenant("acme").id());
        var executor = Executors.newFixedThreadPool(4);
        try {
            var start = new CountDownLatch(1);
            var results = new ArrayList<Future<Boolean>>();
            for (int i = 0; i < 8; i++) {
                Callable<Boolean> consume = () -> {
                    start.await();
                    return store.consumeRegistrationToken(issued.plaintext()).isPresent();
                };
                results.add(executor.submit(consume));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void createRegistrationToken_ttlOutOfRange_isRejected() {
        String tenantId = store.createTenant("acme").id();

        assertThatThrownBy(() -> store.createRegistrationToken(tenantId, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl: PT0S");
        assertThatThrownBy(() -> store.createRegistrationToken(tenantId, Duration.ofDays(31)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- agents

    @Test
    void createAgent_roundTrips() {
        Tenant tenant = store.createTenant("acme");
        byte[] identity = randomBytes(91);

        AgentRecord agent = store.createAgent(tenant.id(), "dc-agent-1", identity);

        assertThat(agent.registeredAt()).isEqualTo(START);
        assertThat(agent.lastSeen()).isNull();
        assertThat(agent.lastVersion()).isNull();
        assertThat(agent.identityPublicKey()).isEqualTo(identity);
        assertThat(store.agent(agent.id())).contains(agent);
        assertThat(store.agents(tenant.id())).containsExactly(agent);
    }

    @Test
    void createAgent_copiesKeyInAndOut() {
        byte[] identity = randomBytes(91);
        byte[] original = identity.clone();
        AgentRecord agent = store.createAgent(store.createTenant("acme").id(), "a", identity);

        identity[0] ^= 1;
        agent.identityPublicKey()[1] ^= 1;

        assertThat(agent.identityPublicKey()).isEqualTo(original);
        assertThat(agent.toString()).contains("91 bytes");
    }

    @Test
    void createAgent_unknownTenant_throwsNotFound() {
        assertThatThrownBy(() -> store.createAgent("nope", "a", randomBytes(91)))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.NOT_FOUND));
    }

    @Test
    void agents_onlyOfThatTenant_oldestFirst() {
        String acme = store.createTenant("acme").id();
        String other = store.createTenant("other").id();
        AgentRecord first = store.createAgent(acme, "first", randomBytes(91));
        clock.advance(Duration.ofSeconds(1));
        AgentRecord second = store.createAgent(acme, "second", randomBytes(91));
        store.createAgent(other, "elsewhere", randomBytes(91));

        assertThat(store.agents(acme)).containsExactly(first, second);
    }

    @Test
    void touchAgent_recordsLastSeenAndVersion() {
        AgentRecord agent = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91));
        Instant seen = START.plusSeconds(300);

        store.touchAgent(agent.id(), seen, "0.1.0");

        AgentRecord touched = store.agent(agent.id()).orElseThrow();
        assertThat(touched.lastSeen()).isEqualTo(seen);
        assertThat(touched.lastVersion()).isEqualTo("0.1.0");
    }

    @Test
    void touchAgent_unknown_throwsNotFound() {
        assertThatThrownBy(() -> store.touchAgent("nope", START, "0.1.0"))
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.NOT_FOUND));
    }

    @Test
    void deleteAgent_removesAgentAndKeys() {
        AgentRecord agent = store.createAgent(store.createTenant("acme").id(), "a", randomBytes(91));
        store.addKeyVersion(agent.id(), 1, randomBytes(294), randomBytes(32));

        assertThat(store.deleteAgent(agent.id())).isTrue();

        assertThat(store.agent(agent.id())).isEmpty();
        assertThat(store.keys(agent.id())).isEmpty();
        assertThat(store.deleteAgent(agent.id())).isFalse();
    }

    @Test
    void close_laterCalls_throwUnavailable() {
        store.close();

        assertThatThrownBy(() -> store.tenants())
                .isInstanceOfSatisfying(StoreException.class, kind(StoreException.Kind.UNAVAILABLE));
    }

    @Test
    void sessionsOfEveryNode_areReplacedPerNode_andOldRowsDropOut() {
        Tenant t = store.createTenant("acme");
        Instant now = clock.instant();
        var a1 = new SessionRow("s-a1", "node-a", t.id(), "agent-1", "/10.0.0.1:5000", now, null, "1.0", 1, 0, "[]", now);
        var b1 = new SessionRow("s-b1", "node-b", t.id(), "agent-1", "/10.0.0.1:5001", now, now, "1.0", 1, 2, "[]",
                now.minusSeconds(60));
        store.publishSessions("node-a", List.of(a1));
        store.publishSessions("node-b", List.of(b1));

        assertThat(store.sessions(t.id(), now.minusSeconds(120))).extracting(SessionRow::sessionId)
                .containsExactlyInAnyOrder("s-a1", "s-b1");
        assertThat(store.sessions(t.id(), now.minusSeconds(15))).as("node-b's row is a minute old")
                .containsExactly(a1);

        store.publishSessions("node-a", List.of());
        assertThat(store.sessions(t.id(), now.minusSeconds(120))).extracting(SessionRow::sessionId).containsExactly("s-b1");
        assertThat(store.sessions("another-tenant", now.minusSeconds(120))).isEmpty();
        assertThatThrownBy(() -> store.publishSessions("node-c", List.of(a1)))
                .hasMessageContaining("session s-a1: node node-a (expected: node-c)");
    }

    @Test
    void aLease_isHeldByOneHolderUntilItExpires_andRenewedByItsHolder() {
        Instant now = clock.instant();
        Duration ttl = Duration.ofMinutes(10);

        assertThat(store.takeLease("key-rotation:agent-1", "node-a", now, ttl)).isTrue();
        assertThat(store.takeLease("key-rotation:agent-1", "node-b", now.plusSeconds(60), ttl)).as("node-a holds it").isFalse();
        assertThat(store.takeLease("key-rotation:agent-2", "node-b", now, ttl)).as("another name").isTrue();
        assertThat(store.takeLease("key-rotation:agent-1", "node-a", now.plusSeconds(60), ttl)).as("renewed").isTrue();
        assertThat(store.takeLease("key-rotation:agent-1", "node-b", now.plus(ttl), ttl))
                .as("still held: renewed at +60 s").isFalse();
        assertThat(store.takeLease("key-rotation:agent-1", "node-b", now.plus(ttl).plusSeconds(61), ttl))
                .as("expired").isTrue();
    }
}
