package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.protocol.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password writes to one account from many LDAPS connections at once: each one reads the history and the policy
 * state and writes a new history, so they must not interleave. No write may be lost from the history, and no
 * password may pass the history check twice.
 */
class ConcurrentPasswordWritesIT {
    private static final String ADA = "CN=Ada Lovelace,OU=Staff,DC=corp,DC=example";
    private static final int THREADS = 8;
    private static final int PASSWORDS_PER_THREAD = 4;
    private static final int HISTORY_LENGTH = 24;

    @TempDir
    Path stateDir;

    private EmbeddedDirectory directory;

    @BeforeEach
    void start() throws Exception {
        var config = new EmbeddedDirectoryConfig("data", null, null, 0, 0, null, null, null, HISTORY_LENGTH, null);
        directory = EmbeddedDirectory.start(config, stateDir);
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    @Test
    void reset_concurrentOnOneAccount_everyPasswordWrittenOnceAndKeptInHistory() throws Exception {
        int before = history().size();
        // Threads t and t + THREADS/2 try the same passwords: one of the two must win, the other hit the history.
        List<List<String>> plans = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            var plan = new ArrayList<String>();
            for (int k = 0; k < PASSWORDS_PER_THREAD; k++) {
                plan.add("Race-" + t % (THREADS / 2) + "-" + k + "-Zz9");
            }
            plans.add(plan);
        }
        Map<String, List<String>> outcomes = new ConcurrentHashMap<>();
        List<String> unexpected = new CopyOnWriteArrayList<>();
        var start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            var futures = new ArrayList<Future<?>>();
            for (List<String> plan : plans) {
                futures.add(pool.submit(() -> {
                    try (var conn = serviceConnection()) {
                        start.await(30, TimeUnit.SECONDS);
                        for (String password : plan) {
                            String outcome = reset(conn, password);
                            outcomes.computeIfAbsent(password, p -> new CopyOnWriteArrayList<>()).add(outcome);
                            if (!outcome.equals("SUCCESS") && !outcome.equals("HISTORY")) {
                                unexpected.add(password + ": " + outcome);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(unexpected).as("outcomes other than success or a history refusal").isEmpty();
        assertThat(outcomes).hasSize(THREADS / 2 * PASSWORDS_PER_THREAD);
        outcomes.forEach((password, results) -> assertThat(results).as(password)
                .containsExactlyInAnyOrder("SUCCESS", "HISTORY"));
        List<String> history = history();
        assertThat(history).hasSize(Math.min(HISTORY_LENGTH, before + outcomes.size()));
        for (String password : outcomes.keySet()) {
            assertThat(PasswordHistory.contains(history, password.toCharArray())).as(password + " in the history").isTrue();
        }
    }

    /** A reset with the policy-hints control, so the history applies as it does for the agent. */
    private static String reset(LDAPConnection conn, String password) {
        var modify = new ModifyRequest(ADA, new Modification(ModificationType.REPLACE, "unicodePwd",
                ("\"" + password + "\"").getBytes(StandardCharsets.UTF_16LE)));
        modify.addControl(new Control(dev.writeback.agent.directory.PolicyHints.OID, false));
        try {
            conn.modify(modify);
            return "SUCCESS";
        } catch (LDAPException e) {
            boolean history = e.getResultCode() == ResultCode.UNWILLING_TO_PERFORM
                    && e.getDiagnosticMessage() != null && e.getDiagnosticMessage().startsWith("0000052D")
                    && e.getDiagnosticMessage().contains(AdDiagnostics.HISTORY);
            return history ? "HISTORY" : e.getResultCode() + " " + e.getDiagnosticMessage();
        }
    }

    private List<String> history() throws LDAPException {
        String[] values = directory.server().getEntry(ADA).getAttributeValues(AdSchema.HISTORY_ATTRIBUTE);
        return values == null ? List.of() : List.of(values);
    }

    private LDAPConnection serviceConnection() throws Exception {
        var conn = new LDAPConnection(new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory(), "127.0.0.1",
                directory.ldapsPort());
        try (Secret password = directory.serviceAccountPassword()) {
            conn.bind(directory.serviceAccountDn(), new String(password.reveal()));
        }
        return conn;
    }
}
