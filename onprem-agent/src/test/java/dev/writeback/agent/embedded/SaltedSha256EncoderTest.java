package dev.writeback.agent.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.listener.Base64PasswordEncoderOutputFormatter;
import com.unboundid.ldap.listener.InMemoryPasswordEncoder;
import com.unboundid.ldap.listener.SaltedMessageDigestInMemoryPasswordEncoder;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.ReadOnlyEntry;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The embedded directory's password hashes: the {SSHA256} format, and correct when many threads hash at once. */
class SaltedSha256EncoderTest {
    private static final ReadOnlyEntry ENTRY = new ReadOnlyEntry(new Entry("CN=Ada,DC=corp,DC=example"));
    private static final int THREADS = 16;
    private static final int ROUNDS = 2_000;

    @Test
    void encode_concurrentFromManyThreads_everyHashMatchesItsPassword() throws Exception {
        InMemoryPasswordEncoder encoder = EmbeddedDirectory.passwordEncoder();
        List<String> wrong = new CopyOnWriteArrayList<>();
        var start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            var futures = new ArrayList<Future<?>>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < ROUNDS && wrong.size() < 10; i++) {
                        var clear = new ASN1OctetString("Pw-" + thread + "-" + i + "-Zz9");
                        ASN1OctetString hash = encoder.encodePassword(clear, ENTRY, List.of());
                        if (!encoder.clearPasswordMatchesEncodedPassword(clear, hash, ENTRY)) {
                            wrong.add(clear.stringValue());
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
        assertThat(wrong).as("passwords whose own hash did not match them").isEmpty();
    }

    @Test
    void encode_isTheSsha256FormatOfTheLdapSdk_bothWays() throws Exception {
        InMemoryPasswordEncoder ours = EmbeddedDirectory.passwordEncoder();
        var sdk = new SaltedMessageDigestInMemoryPasswordEncoder("{SSHA256}", Base64PasswordEncoderOutputFormatter.getInstance(),
                MessageDigest.getInstance("SHA-256"), 16, true, true);
        var clear = new ASN1OctetString("Engine-1843");

        ASN1OctetString byOurs = ours.encodePassword(clear, ENTRY, List.of());
        ASN1OctetString bySdk = sdk.encodePassword(clear, ENTRY, List.of());

        assertThat(byOurs.stringValue()).startsWith("{SSHA256}");
        assertThat(sdk.clearPasswordMatchesEncodedPassword(clear, byOurs, ENTRY)).isTrue();
        assertThat(ours.clearPasswordMatchesEncodedPassword(clear, bySdk, ENTRY)).isTrue();
        assertThat(ours.clearPasswordMatchesEncodedPassword(new ASN1OctetString("Engine-1844"), bySdk, ENTRY)).isFalse();
    }

    @Test
    void encode_saltsEachHash() throws Exception {
        InMemoryPasswordEncoder encoder = EmbeddedDirectory.passwordEncoder();
        var clear = new ASN1OctetString("Engine-1843");
        assertThat(encoder.encodePassword(clear, ENTRY, List.of()))
                .isNotEqualTo(encoder.encodePassword(clear, ENTRY, List.of()));
    }
}
