package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.protocol.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
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
 * Many LDAPS connections hashing at once, each with results known in advance: every thread resets its own account
 * and binds with the new password, while the service account binds in between. Each listener thread hashes, so
 * a hash shared between threads shows up here as a failed bind ({@code 52e}) or a stored hash that matches nothing.
 */
class ConcurrentBindsIT {
    private static final int THREADS = 16;
    private static final int ROUNDS = 20;

    @TempDir
    Path stateDir;

    private EmbeddedDirectory directory;

    @BeforeEach
    void start() throws Exception {
        // Lockout off: a wrong hash must show as that bind's failure, not as later lockouts.
        var config = new EmbeddedDirectoryConfig("data", null, null, 0, 0, null, null, null, null, 0);
        directory = EmbeddedDirectory.start(config, stateDir);
        for (int t = 0; t < THREADS; t++) {
            var entry = new Entry(dn(t), new Attribute("objectClass", "top", "person",
                    "organizationalPerson", "user"));
            entry.setAttribute("cn", "Load " + t);
            entry.setAttribute("sn", "Load");
            entry.setAttribute("sAMAccountName", "load" + t);
            entry.setAttribute("userPrincipalName", "load" + t + "@corp.example");
            AdEntries.prepareNew(entry, Clock.systemUTC());
            directory.server().add(entry);
        }
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    @Test
    void resetAndBind_concurrentOnManyConnections_everyBindWithTheNewPasswordSucceeds() throws Exception {
        List<String> failures = new CopyOnWriteArrayList<>();
        var start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            var futures = new ArrayList<Future<?>>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    try (var service = ldaps(); var user = ldaps()) {
                        start.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < ROUNDS; i++) {
                            String password = "Conc-" + thread + "-" + i + "-Zz9";
                            attempt(failures, "service bind", () -> bindService(service));
                            attempt(failures, "reset " + thread + "/" + i, () -> reset(service, dn(thread), password));
                            attempt(failures, "user bind " + thread + "/" + i, () -> user.bind(dn(thread), password));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as("operations that failed").isEmpty();
    }

    private interface LdapCall {
        Object call() throws LDAPException;
    }

    private static void attempt(List<String> failures, String what, LdapCall call) {
        try {
            call.call();
        } catch (LDAPException e) {
            failures.add(what + ": " + e.getResultCode() + " " + e.getDiagnosticMessage());
        }
    }

    private static String dn(int thread) {
        return "CN=Load " + thread + ",OU=Staff,DC=corp,DC=example";
    }

    private static Object reset(LDAPConnection conn, String dn, String password) throws LDAPException {
        var modify = new ModifyRequest(dn, new Modification(ModificationType.REPLACE, "unicodePwd",
                ("\"" + password + "\"").getBytes(StandardCharsets.UTF_16LE)));
        modify.addControl(new Control(dev.writeback.agent.directory.PolicyHints.OID, false));
        return conn.modify(modify);
    }

    private Object bindService(LDAPConnection conn) throws LDAPException {
        try (Secret password = directory.serviceAccountPassword()) {
            return conn.bind(directory.serviceAccountDn(), new String(password.reveal()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private LDAPConnection ldaps() throws Exception {
        return new LDAPConnection(new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory(), "127.0.0.1",
                directory.ldapsPort());
    }
}
