package dev.writeback.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.Agent;
import dev.writeback.relay.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay + agent + embedded directory in one JVM over loopback TLS, driven through the REST API, with the
 * directory checked from the outside over LDAPS. After all tests, nothing the system wrote holds a password.
 */
class EndToEndIT {
    private static final String ADA_DN = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final String GRACE_DN = "CN=Grace Hopper,OU=Staff,DC=corp,DC=example";
    private static final String LINUS_DN = "CN=Linus Torvalds,OU=Engineering,DC=corp,DC=example";

    @TempDir
    static Path dir;

    static CapturedLogs logs;
    static RelayServer relay;
    static Agent agent;
    static RelayClient api;
    static String tenantId;
    static int ldapsPort;
    static final List<String> passwords = new ArrayList<>(List.of("Engine-1843", "Cobol-1959!", "Penguin-1991"));

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        relay = Loopback.relay(dir);
        String[] tenant = Loopback.tenant(relay, "acme");
        tenantId = tenant[0];
        api = new RelayClient(relay.port(), relay.fingerprint(), tenant[1]);
        Path state = Loopback.register(relay, tenantId, dir, "agent-1");
        ldapsPort = Loopback.freePort();
        agent = Loopback.agent(state, Loopback.freePort(), ldapsPort);
        agent.link().firstReady().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        try {
            var audit = api.get("/api/v1/audit?since=2000-01-01T00:00:00Z&limit=1000");
            assertThat(audit.status()).isEqualTo(200);
            if (agent != null) {
                agent.close();
            }
            if (relay != null) {
                relay.stop();
            }
            Leaks.assertNoSecrets(passwords, dir, logs.text(), audit.text());
        } finally {
            logs.close();
        }
    }

    @Test
    void reset_succeeds_andTheNewPasswordBinds() throws Exception {
        String pw = newPassword();
        var r = api.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"" + pw + "\"}");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.result()).isEqualTo("SUCCESS");
        assertThat(r.json().path("requestId").asText()).hasSize(36);
        assertThat(bind(ADA_DN, pw)).isEqualTo(ResultCode.SUCCESS);
        assertThat(bind(ADA_DN, "Engine-1843")).isEqualTo(ResultCode.INVALID_CREDENTIALS);
        assertThat(logs.text()).contains("AGT-200").contains(r.json().path("requestId").asText());
    }

    @Test
    void reset_tooShort_isPolicyViolationNamingTheRule() {
        var r = api.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:grace@corp.example\",\"newPassword\":\"Ab1!\"}");
        passwords.add("Ab1!");

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("POLICY_VIOLATION");
        assertThat(r.json().path("reason").asText()).isEqualTo("TOO_SHORT");
    }

    @Test
    void reset_unknownAccount_isUserNotFound() {
        var r = api.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:nobody@corp.example\",\"newPassword\":\"" + newPassword() + "\"}");

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("USER_NOT_FOUND");
    }

    @Test
    void change_withWrongCurrentPassword_isRefused() {
        var r = api.post("/api/v1/writeback/password-change",
                "{\"anchor\":\"sam:linus\",\"currentPassword\":\"Not-The-Password-1\",\"newPassword\":\"" + newPassword() + "\"}");
        passwords.add("Not-The-Password-1");

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("WRONG_CURRENT_PASSWORD");
    }

    @Test
    void change_withRightCurrentPassword_succeeds() throws Exception {
        String pw = newPassword();
        var r = api.post("/api/v1/writeback/password-change",
                "{\"anchor\":\"dn:" + LINUS_DN + "\",\"currentPassword\":\"Penguin-1991\",\"newPassword\":\"" + pw + "\"}");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(bind(LINUS_DN, pw)).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void unlock_afterLockout_letsTheUserBindAgain() throws Exception {
        assertThat(api.put("/api/v1/writeback/settings", "{\"enabled\":true,\"allowUnlockWithoutReset\":true}").status()).isEqualTo(200);
        for (int i = 0; i < 6; i++) {
            assertThat(bind(GRACE_DN, "Wrong-Guess-" + i)).isEqualTo(ResultCode.INVALID_CREDENTIALS);
        }
        assertThat(bind(GRACE_DN, "Cobol-1959!")).as("locked out").isNotEqualTo(ResultCode.SUCCESS);

        var r = api.post("/api/v1/writeback/unlock", "{\"anchor\":\"sam:grace\"}");

        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(bind(GRACE_DN, "Cobol-1959!")).isEqualTo(ResultCode.SUCCESS);
    }

    @Test
    void reset_forTenantWithoutAgents_failsFastWithAgentOffline() {
        String[] other = Loopback.tenant(relay, "no-agents");
        var client = new RelayClient(relay.port(), relay.fingerprint(), other[1]);
        long started = System.nanoTime();

        var r = client.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"" + newPassword() + "\"}");

        assertThat(r.status()).as(r.text()).isEqualTo(503);
        assertThat(r.result()).isEqualTo("AGENT_OFFLINE");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void agentWithUnknownIdentityKey_isRefused() throws Exception {
        Path state = Loopback.register(relay, tenantId, dir, "impostor");
        var forged = dev.writeback.protocol.crypto.KeyPairs.newIdentityKeyPair(new SecureRandom());
        Files.writeString(state.resolve("identity.key"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(forged.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");

        try (Agent impostor = Loopback.agent(state, 0, 0)) {
            Await.until("the relay to refuse the forged key", Duration.ofSeconds(20),
                    () -> logs.contains("RLY-230 agent refused code=AUTHENTICATION_FAILED"));
            assertThat(impostor.link().connected()).isFalse();
        }
        assertThat(api.get("/api/v1/writeback/status").json().path("state").asText()).isIn("UP", "DEGRADED");
    }

    @Test
    void status_showsTheConnectedAgentAndItsHeartbeat() {
        Await.until("a heartbeat", Duration.ofSeconds(20), () -> logs.contains("RLY-310 heartbeat"));
        var r = api.get("/api/v1/writeback/status");

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).contains("agent-1").contains("\"connected\":true");
    }

    @Test
    void malformedBody_isRejectedNamingTheField() {
        var r = api.post("/api/v1/writeback/password-reset", "{\"anchor\":\"upn:ada@corp.example\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).contains("newPassword");
    }

    private static String newPassword() {
        String pw = "Wb-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6)) + "-Zz9";
        passwords.add(pw);
        return pw;
    }

    private static ResultCode bind(String dn, String password) throws Exception {
        var ssl = new SSLUtil(new TrustAllTrustManager());
        try (var c = new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", ldapsPort)) {
            return c.bind(dn, password).getResultCode();
        } catch (LDAPException e) {
            return e.getResultCode();
        }
    }
}
