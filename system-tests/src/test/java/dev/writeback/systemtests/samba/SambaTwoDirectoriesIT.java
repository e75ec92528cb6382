package dev.writeback.systemtests.samba;

import static dev.writeback.systemtests.samba.SambaDomain.INITIAL_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.systemtests.Await;
import dev.writeback.systemtests.Loopback;
import dev.writeback.systemtests.LoopbackStack;
import dev.writeback.systemtests.RelayClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One agent, two directories (domains): the Samba AD domain and the embedded directory {@code corp.example}.
 * A request is routed by its anchor to the one directory that holds the account; an anchor that matches in
 * both is refused with MULTIPLE_MATCHES and changes nothing.
 */
class SambaTwoDirectoriesIT {
    private static final String ADA_DN = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final String ADA_PASSWORD = "Engine-1843";
    private static final String GRACE_DN = "CN=Grace Hopper,OU=Staff,DC=corp,DC=example";
    private static final String GRACE_PASSWORD = "Cobol-1959!";

    @RegisterExtension
    static final SambaDomain samba = new SambaDomain();

    @TempDir
    static Path dir;

    static LoopbackStack stack;
    static int embeddedLdapsPort;
    static final Set<String> passwords = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws Exception {
        if (samba.env() == null) {
            return;   // SambaDomain skips each test and says why
        }
        SambaEnv env = samba.env();
        passwords.addAll(List.of(INITIAL_PASSWORD, ADA_PASSWORD, GRACE_PASSWORD, env.secret("SERVICE_PASSWORD_FILE"),
                env.account("alice").password()));
        stack = LoopbackStack.start(dir);
        embeddedLdapsPort = Loopback.freePort();
        stack.agent("agent-two-domains", env.directoryYaml("STAFF_OU", "CONTRACTORS_OU") + """
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      baseDn: DC=corp,DC=example
                      host: 127.0.0.1
                      ldapPort: %d
                      ldapsPort: %d
                """.formatted(Loopback.freePort(), embeddedLdapsPort));
    }

    @AfterAll
    static void stopAndCheckForLeaks() throws Exception {
        LoopbackStack.stopAndCheckForLeaks(stack, passwords);
    }

    @Test
    void reset_landsInTheDirectoryThatHoldsTheAnchor() throws Exception {
        TestUser alice = samba.env().account("alice");
        samba.afterTest(() -> samba.probe().resetPassword(alice.dn(), alice.password()));
        String alicePassword = remember("Route-Samba-81x");
        String adaPassword = remember("Route-Embedded-82x");

        var toSamba = reset("upn:" + alice.upn(), alicePassword);
        var toEmbedded = reset("upn:ada@corp.example", adaPassword);

        assertThat(toSamba.status()).as(toSamba.text()).isEqualTo(200);
        assertThat(toEmbedded.status()).as(toEmbedded.text()).isEqualTo(200);
        assertThat(samba.probe().bindFailure(alice.dn(), alicePassword)).isEmpty();
        assertThat(samba.probe().bindFailure(alice.dn(), alice.password())).isPresent();
        assertThat(embeddedBind(ADA_DN, adaPassword)).isEqualTo(ResultCode.SUCCESS);
        assertThat(embeddedBind(ADA_DN, ADA_PASSWORD)).isEqualTo(ResultCode.INVALID_CREDENTIALS);
        assertThat(stack.logLines(toSamba.requestId())).anySatisfy(line -> assertThat(line).contains("DIR-200 reset applied directory=samba"));
        assertThat(stack.logLines(toEmbedded.requestId())).anySatisfy(line -> assertThat(line).contains("DIR-200 reset applied directory=corp"));
    }

    @Test
    void anchorInBothDirectories_isMultipleMatches_andChangesNothing() throws Exception {
        TestUser twin = samba.newUserNamed(samba.env().get("STAFF_OU"), "grace");   // embedded has sam "grace" too

        var r = reset("sam:" + twin.sam(), remember("Both-Places-83x"));

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("MULTIPLE_MATCHES");
        assertThat(samba.probe().bindFailure(twin.dn(), INITIAL_PASSWORD)).isEmpty();
        assertThat(embeddedBind(GRACE_DN, GRACE_PASSWORD)).isEqualTo(ResultCode.SUCCESS);
        assertThat(stack.logLines(r.requestId())).anySatisfy(line -> assertThat(line).contains("DIR-230")
                .contains("[samba, corp]"));
    }

    @Test
    void anchorInNeitherDirectory_isUserNotFound() {
        var r = reset("upn:nobody@corp.example", remember("Nowhere-Found-84x"));

        assertThat(r.status()).as(r.text()).isEqualTo(422);
        assertThat(r.result()).isEqualTo("USER_NOT_FOUND");
    }

    @Test
    void status_listsBothDirectories() {
        Await.until("a heartbeat listing both directories", Duration.ofSeconds(20),
                () -> directories().size() == 2);

        List<JsonNode> directories = directories();

        assertThat(directories).extracting(d -> d.path("name").asText(), d -> d.path("type").asText(),
                        d -> d.path("reachable").asBoolean(), d -> d.path("historyEnforcedOnReset").asBoolean())
                .containsExactly(
                        tuple("samba", "active-directory", true, false),
                        tuple("corp", "embedded", true, true));
    }

    private static List<JsonNode> directories() {
        var status = stack.get("/api/v1/writeback/status");
        assertThat(status.status()).as(status.text()).isEqualTo(200);
        var list = new ArrayList<JsonNode>();
        status.json().path("agents").path(0).path("directories").forEach(list::add);
        return list;
    }

    private static RelayClient.Response reset(String anchor, String newPassword) {
        return stack.post("/api/v1/writeback/password-reset",
                "{\"anchor\":\"" + anchor + "\",\"newPassword\":\"" + newPassword + "\"}");
    }

    private static ResultCode embeddedBind(String dn, String password) throws Exception {
        var ssl = new SSLUtil(new TrustAllTrustManager());   // the embedded directory's own self-signed certificate
        try (var c = new LDAPConnection(ssl.createSSLSocketFactory(), "127.0.0.1", embeddedLdapsPort)) {
            return c.bind(dn, password).getResultCode();
        } catch (LDAPException e) {
            return e.getResultCode();
        }
    }

    private static String remember(String password) {
        passwords.add(password);
        return password;
    }
}
