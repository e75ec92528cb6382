package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.writeback.agent.Agent;
import dev.writeback.protocol.hashsync.Pph1;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.systemtests.Await;
import dev.writeback.systemtests.Leaks;
import dev.writeback.systemtests.LoopbackStack;
import dev.writeback.systemtests.RelayClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password hash sync from a real Samba AD DC: the agent runs beside the DC (as root, as the tests already run it)
 * with {@code hashSync.source: samba}, so its hashes come from {@code samba-tool user syncpasswords}. Passwords are
 * changed on the DC with {@code samba-tool} and checked in the cloud with {@code POST
 * /api/v1/authentication/password-check}. The 2-minute cycle is run by the test ({@code cycle()}), not waited for.
 */
class SambaHashSyncIT {
    private static final String CHECK = "/api/v1/authentication/password-check";

    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @TempDir
    static Path dir;

    static LoopbackStack stack;
    static Agent agent;
    static RelayClient app;
    static final Set<String> passwords = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        if (samba.env() == null) {
            return;   // SambaDomain skips each test and says why
        }
        SambaEnv env = samba.env();
        passwords.add(INITIAL_PASSWORD);
        passwords.addAll(env.domainSecrets());
        stack = LoopbackStack.start(dir);
        var on = stack.put("/api/v1/hash-sync/settings", "{\"enabled\":true}");
        assertThat(on.status()).as(on.text()).isEqualTo(200);
        app = stack.client(ApiScope.PASSWORD_CHECK);
        agent = stack.agent("agent-samba-hash", env.directoryYaml("STAFF_OU", "CONTRACTORS_OU"), """
                hashSync:
                  directory: samba
                  source: samba
                  samba:
                    configFile: "%s"
                """.formatted(env.get("SAMBA_CONF")));
        Await.until("the full sync from Samba", Duration.ofSeconds(60), () -> agent.hashSyncer().fullSyncDone());
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        if (stack == null) {
            return;
        }
        String logs = stack.logs();
        LoopbackStack.stopAndCheckForLeaks(stack, passwords);
        // no NT hash (as hex or as its 16 bytes) in the logs or any file the relay and the agent wrote
        List<byte[]> ntHashes = new ArrayList<>();
        for (String pw : passwords) {
            byte[] nt = Pph1.ntHash(pw.toCharArray());
            assertThat(logs).doesNotContainIgnoringCase(HexFormat.of().formatHex(nt));
            ntHashes.add(nt);
        }
        Leaks.assertNoBytes(ntHashes, dir, "an NT hash");
    }

    @Test
    void theFullSync_coversTheScopes_only() throws Exception {
        TestUser staff = samba.newUser();
        TestUser outside = samba.newUserIn(samba.env().get("USERS_CN"));
        agent.hashSyncer().cycle();

        assertThat(result(staff.upn(), INITIAL_PASSWORD)).isEqualTo("VALID");
        assertThat(result(staff.upn(), INITIAL_PASSWORD + "x")).isEqualTo("INVALID");
        assertThat(result(outside.upn(), INITIAL_PASSWORD)).isEqualTo("UNKNOWN_USER");
        assertThat(stack.logs()).contains("AGT-623 hash sync: samba-tool syncpasswords cache initialized")
                .contains("AGT-612 hash sync: full sync done source=samba");
        var status = stack.get("/api/v1/hash-sync/status");
        assertThat(status.json().path("users").path("SUCCESS").asInt()).as(status.text()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aPasswordChangedOnTheDcWithSambaTool_isCheckableAfterOneCycle() throws Exception {
        TestUser user = samba.newUser();
        agent.hashSyncer().cycle();
        assertThat(result(user.upn(), INITIAL_PASSWORD)).isEqualTo("VALID");
        String pw = newPassword();

        sambaTool("user", "setpassword", user.sam(), "--newpassword=" + pw);
        assertThat(result(user.upn(), pw)).isEqualTo("INVALID");   // not synced yet

        assertThat(agent.hashSyncer().cycle()).isEqualTo(1);   // only the changed user travels
        assertThat(result(user.upn(), pw)).isEqualTo("VALID");
        assertThat(result(user.upn(), INITIAL_PASSWORD)).isEqualTo("INVALID");
    }

    @Test
    void aResetThroughWriteback_isCheckableAtOnce_underTheSameAnchorAsSambasOwn() throws Exception {
        TestUser user = samba.newUser();
        agent.hashSyncer().cycle();
        String pw = newPassword();

        var r = stack.reset("upn:" + user.upn(), pw, "");
        assertThat(r.status()).as(r.text()).isEqualTo(200);

        Await.until("the reset is pushed", Duration.ofSeconds(30), () -> "VALID".equals(result(user.upn(), pw)));
        assertThat(result(user.upn(), INITIAL_PASSWORD)).isEqualTo("INVALID");
        agent.hashSyncer().cycle();   // Samba reports the same change under its own stamp: still one user, same password
        assertThat(result(user.upn(), pw)).isEqualTo("VALID");
        String anchor = "guid:" + Guids.base64(samba.probe().objectGuid(user.dn()));
        var row = user(user.upn());
        assertThat(row.path("anchor").asText()).isEqualTo(anchor);
        assertThat(row.path("history").size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aUserWhoMustChangeAtNextLogon_isFilteredByTarget() throws Exception {
        TestUser user = samba.newUser();
        agent.hashSyncer().cycle();
        String pw = newPassword();

        sambaTool("user", "setpassword", user.sam(), "--newpassword=" + pw, "--must-change-at-next-login");
        agent.hashSyncer().cycle();

        assertThat(user(user.upn()).path("status").asText()).isEqualTo("FILTERED_BY_TARGET");
        assertThat(result(user.upn(), pw)).isEqualTo("NOT_SYNCED");
        assertThat(result(user.upn(), INITIAL_PASSWORD)).isEqualTo("NOT_SYNCED");
    }

    @Test
    void aDeletedUser_isSourceNotPresent_andAFullSyncReadsTheDcAgain() throws Exception {
        TestUser user = samba.probe().createUser(samba.env().get("STAFF_OU"), INITIAL_PASSWORD);   // the test deletes it
        agent.hashSyncer().cycle();
        String anchor = user(user.upn()).path("anchor").asText();

        samba.probe().delete(user.dn());
        agent.hashSyncer().cycle();
        var gone = stack.get("/api/v1/hash-sync/users/" + URLEncoder.encode(anchor, StandardCharsets.UTF_8));
        assertThat(gone.json().path("status").asText()).as(gone.text()).isEqualTo("SOURCE_NOT_PRESENT");
        assertThat(result(user.upn(), INITIAL_PASSWORD)).isIn("UNKNOWN_USER", "NOT_SYNCED");

        int inits = count(stack.logs(), "AGT-623");
        assertThat(stack.post("/api/v1/hash-sync/full-sync", "{}").status()).isEqualTo(202);
        agent.hashSyncer().cycle();   // its acknowledgement asks for the full sync
        assertThat(agent.hashSyncer().cycle()).isGreaterThanOrEqualTo(3);
        assertThat(count(stack.logs(), "AGT-623")).isEqualTo(inits + 1);
    }

    private static JsonNode user(String upn) {
        var r = stack.get("/api/v1/hash-sync/users/" + URLEncoder.encode(upn, StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json();
    }

    private static String result(String upn, String password) {
        var r = app.post(CHECK, "{\"upn\":\"" + upn + "\",\"password\":\"" + password + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return r.json().path("result").asText();
    }

    private static String newPassword() {
        String pw = "Hs-" + UUID.randomUUID().toString().substring(0, 12) + "-9a";
        passwords.add(pw);
        return pw;
    }

    private static void sambaTool(String... args) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of("samba-tool"));
        command.addAll(List.of(args));
        command.add("--configfile=" + samba.env().get("SAMBA_CONF"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
