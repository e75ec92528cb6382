package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.Agent;
import dev.writeback.agent.embedded.EmbeddedDirectory;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.ApiScope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password hash sync over the real link: a relay and an agent with an embedded directory on loopback, HASH_SYNC
 * frames sealed with the package key, the relay's SQLite store, and the REST API as a cloud application and an
 * administrator use it. The agent's 2-minute cycle is run by the test (its {@code cycle()}), not waited for.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HashSyncLinkIT {
    private static final String ADA_DN = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final String CHECK = "/api/v1/authentication/password-check";

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static RelayServer relay;
    static Agent agent;
    static RelayClient admin;
    static RelayClient app;
    static final List<String> secrets = new ArrayList<>(List.of("Engine-1843", "Cobol-1959!"));

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        relay = Loopback.relay(dir);
        String[] tenant = Loopback.tenant(relay, "acme");
        admin = new RelayClient(relay.port(), relay.fingerprint(), tenant[1]);
        app = new RelayClient(relay.port(), relay.fingerprint(),
                relay.store().createApiToken(tenant[0], "sign-in app", ApiScope.PASSWORD_CHECK).plaintext());
        Path state = Loopback.register(relay, tenant[0], dir, "agent-1");
        agent = Loopback.agent(state, Loopback.freePort(), Loopback.freePort(), java.time.Clock.systemUTC(), """
                hashSync:
                  directory: corp
                """);
        agent.link().firstReady().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            var audit = admin.get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
            if (agent != null) {
                agent.close();
            }
            if (relay != null) {
                relay.stop();
            }
            Leaks.assertNoSecrets(secrets, dir, logs.text(), audit.text());
            // neither an NT hash nor its hex form anywhere the system wrote
            String all = logs.text() + audit.text();
            for (String pw : secrets) {
                assertThat(all).doesNotContainIgnoringCase(HexFormat.of().formatHex(Pph1.ntHash(pw.toCharArray())));
            }
        } finally {
            logs.close();
        }
    }

    @Test
    @Order(1)
    void syncOff_theAgentAsksOnly_andChecksAreNotSynced() {
        Await.until("the agent learns that sync is off", Duration.ofSeconds(30), () -> agent.hashSyncer().relayOff());
        assertThat(logs.text()).contains("AGT-618 hash sync is off for this tenant");
        var r = check("{\"upn\":\"ada@corp.example\",\"password\":\"Engine-1843\"}");
        assertThat(r.json().path("result").asText()).isEqualTo("UNKNOWN_USER");
        assertThat(admin.post("/api/v1/hash-sync/full-sync", "{}").status()).isEqualTo(409);
    }

    @Test
    @Order(2)
    void enabled_theFullSyncMakesEveryUsersPasswordCheckable() {
        var on = admin.put("/api/v1/hash-sync/settings", "{\"enabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);

        assertThat(agent.hashSyncer().cycle()).isGreaterThanOrEqualTo(5);

        assertThat(result("ada@corp.example", "Engine-1843")).isEqualTo("VALID");
        assertThat(result("ada@corp.example", "Engine-1844")).isEqualTo("INVALID");
        assertThat(result("grace@corp.example", "Cobol-1959!")).isEqualTo("VALID");
        assertThat(result("nobody@corp.example", "Engine-1843")).isEqualTo("UNKNOWN_USER");
        var status = admin.get("/api/v1/hash-sync/status");
        assertThat(status.json().path("enabled").asBoolean()).isTrue();
        assertThat(status.json().path("users").path("SUCCESS").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(status.json().path("lastCycle").asText()).isNotEmpty();
        assertThat(logs.text()).contains("AGT-612 hash sync: full sync done").contains("RLY-600 hash sync batch");
    }

    @Test
    @Order(3)
    void aChangeOnPremises_isCheckableAfterOneCycle() throws Exception {
        secrets.add("Analytical-1842");
        setPassword(ADA_DN, "Analytical-1842");
        assertThat(result("ada@corp.example", "Engine-1843")).isEqualTo("VALID");   // not synced yet

        assertThat(agent.hashSyncer().cycle()).isEqualTo(1);   // only the changed user travels

        assertThat(result("ada@corp.example", "Analytical-1842")).isEqualTo("VALID");
        assertThat(result("ada@corp.example", "Engine-1843")).isEqualTo("INVALID");
    }

    @Test
    @Order(4)
    void aResetThroughWriteback_isCheckableAtOnce_withoutACycle() {
        String pw = "Difference-Engine-" + System.nanoTime();
        secrets.add(pw);
        var r = admin.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:linus@corp.example\",\"newPassword\":\"" + pw + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);

        Await.until("the reset is pushed", Duration.ofSeconds(30), () -> "VALID".equals(result("linus@corp.example", pw)));
        assertThat(result("linus@corp.example", "Penguin-1991")).isEqualTo("INVALID");
    }

    @Test
    @Order(5)
    void aMustChangeUser_isFilteredByTarget_andNotCheckable() {
        String pw = "Temporary-Start-" + System.nanoTime();
        secrets.add(pw);
        var r = admin.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:grace@corp.example\",\"newPassword\":\""
                + pw + "\",\"forceChangeAtNextLogon\":true}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);

        Await.until("grace is filtered", Duration.ofSeconds(30), () -> "FILTERED_BY_TARGET".equals(
                admin.get("/api/v1/hash-sync/users/" + URLEncoder.encode("grace@corp.example", StandardCharsets.UTF_8))
                        .json().path("status").asText()));
        assertThat(result("grace@corp.example", pw)).isEqualTo("NOT_SYNCED");
        assertThat(result("grace@corp.example", "Cobol-1959!")).isEqualTo("NOT_SYNCED");
        var user = admin.get("/api/v1/hash-sync/users/" + URLEncoder.encode("grace@corp.example", StandardCharsets.UTF_8));
        assertThat(user.json().path("anchor").asText()).startsWith("guid:");
        assertThat(user.json().path("history").size()).isGreaterThanOrEqualTo(2);
        // the same user by its anchor, percent-encoded (a GUID in base64 may hold '/', '+' and '=')
        var byAnchor = admin.get("/api/v1/hash-sync/users/" + URLEncoder.encode(user.json().path("anchor").asText(),
                StandardCharsets.UTF_8));
        assertThat(byAnchor.status()).as(byAnchor.text()).isEqualTo(200);
        assertThat(byAnchor.json().path("upn").asText()).isEqualTo("grace@corp.example");
    }

    @Test
    @Order(6)
    void aFullSyncRequest_reachesTheAgentInTheNextCycle() {
        var r = admin.post("/api/v1/hash-sync/full-sync", "{}");
        assertThat(r.status()).as(r.text()).isEqualTo(202);
        assertThat(r.json().path("fullSyncRequested").asBoolean()).isTrue();

        agent.hashSyncer().cycle();   // nothing changed: an empty batch, whose acknowledgement asks for the full sync
        assertThat(agent.hashSyncer().cycle()).isGreaterThanOrEqualTo(5);

        assertThat(admin.get("/api/v1/hash-sync/status").json().path("fullSyncRequested").asBoolean()).isFalse();
        assertThat(logs.text()).contains("AGT-617 hash sync: the relay asked for a full sync");
    }

    @Test
    @Order(7)
    void thePasswordCheckScope_checksOnly_andOneUserIdIsNeeded() {
        var reset = app.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"x\"}");
        assertThat(reset.status()).isEqualTo(403);
        assertThat(app.get("/api/v1/hash-sync/status").status()).isEqualTo(403);
        var both = check("{\"upn\":\"ada@corp.example\",\"anchor\":\"guid:x\",\"password\":\"y\"}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.text()).contains("exactly one");
    }

    @Test
    @Order(8)
    void repeatedFailures_lockTheUserOut_andAreAudited() {
        assertThat(result("ada@corp.example", "Analytical-1842")).isEqualTo("VALID");   // failures so far are reset
        for (int i = 0; i < 10; i++) {
            assertThat(result("ada@corp.example", "Wrong-Guess-" + i)).isEqualTo("INVALID");
        }
        assertThat(result("ada@corp.example", "Analytical-1842")).isEqualTo("LOCKED");
        assertThat(logs.text()).contains("RLY-611 password check lockout");
        var audit = admin.get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
        assertThat(audit.text()).contains("PASSWORD_CHECK").contains("LOCKED");
    }

    @Test
    @Order(9)
    void disabling_deletesTheStoredHashes() {
        assertThat(admin.put("/api/v1/hash-sync/settings", "{\"enabled\":false}").status()).isEqualTo(200);

        assertThat(result("linus@corp.example", "Penguin-1991")).isEqualTo("UNKNOWN_USER");
        assertThat(admin.get("/api/v1/hash-sync/status").json().path("users").path("SUCCESS").asInt()).isZero();
        agent.hashSyncer().cycle();
        assertThat(agent.hashSyncer().relayOff()).isTrue();
    }

    private static RelayClient.Response check(String json) {
        return app.post(CHECK, json);
    }

    private static String result(String upn, String password) {
        var r = check("{\"upn\":\"" + upn + "\",\"password\":\"" + password + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("result").asText();
    }

    private static void setPassword(String dn, String password) throws Exception {
        EmbeddedDirectory directory = agent.directories().embedded("corp");
        try (var conn = new LDAPConnection(new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory(), "127.0.0.1",
                directory.ldapsPort()); Secret service = directory.serviceAccountPassword()) {
            conn.bind(directory.serviceAccountDn(), new String(service.reveal()));
            conn.modify(dn, new Modification(ModificationType.REPLACE, "unicodePwd",
                    ("\"" + password + "\"").getBytes(StandardCharsets.UTF_16LE)));
        }
    }
}
