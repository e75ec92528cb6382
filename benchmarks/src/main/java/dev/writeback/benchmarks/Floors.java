package dev.writeback.benchmarks;

import com.unboundid.ldap.sdk.Control;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import dev.writeback.agent.embedded.EmbeddedDirectory;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.protocol.codec.MessageCodec;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.KeyRing;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * The physical floors of one reset, measured in the benchmark's JVM against the same relay and directory: a direct
 * LDAPS password modify, a sealed-request open (RSA-2048 OAEP + AES-GCM), and an HTTPS round trip of a trivial
 * request on a kept-alive connection. Each runs on one thread for a fixed time; its throughput is 1/latency.
 */
final class Floors {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Floors() {}

    /** One floor: its latency histogram (µs) and operations per second on one thread. */
    record Floor(String name, Histogram histogram, double perSecond) {
        double p50Millis() {
            return histogram.getValueAtPercentile(50) / 1000.0;
        }

        String line() {
            return String.format("floor %-28s p50 %.3f ms  p99 %.3f ms  %,.0f/s on one thread", name, p50Millis(),
                    histogram.getValueAtPercentile(99) / 1000.0, perSecond);
        }
    }

    private interface Op {
        void run(long n) throws Exception;
    }

    private static Floor measure(String name, Duration duration, Op op) throws Exception {
        var histogram = new Histogram(3);
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        long n = 0;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            op.run(n++);
            histogram.recordValue(Math.max(1, (System.nanoTime() - start) / 1000));
        }
        return new Floor(name, histogram, n / ((System.nanoTime() - t0) / 1e9));
    }

    /** Password resets as the agent's service account on a kept LDAPS connection, with the policy-hints control. */
    static Floor ldapsModify(EmbeddedDirectory directory, String accountDn, Duration duration) throws Exception {
        try (var conn = new LDAPConnection(new SSLUtil(new TrustAllTrustManager()).createSSLSocketFactory(),
                directory.host(), directory.ldapsPort());
             Secret password = directory.serviceAccountPassword()) {
            conn.bind(directory.serviceAccountDn(), new String(password.reveal()));
            return measure("ldaps password modify", duration, n -> {
                var modify = new ModifyRequest(accountDn, new Modification(ModificationType.REPLACE, "unicodePwd",
                        ("\"Fl-" + n + "-" + System.nanoTime() + "-Zz9\"").getBytes(StandardCharsets.UTF_16LE)));
                modify.addControl(new Control("1.2.840.113556.1.4.2239", false));
                conn.modify(modify);
            });
        }
    }

    /** Opening a sealed reset as the agent does; the keys are made here, the same sizes as a registered agent's. */
    static Floor sealedOpen(Duration duration) throws Exception {
        var sample = Sample.create();
        return measure("sealed request open", duration, n -> Sealing.openRequest(sample.sealed, sample.context, sample.keys));
    }

    /** GET /healthz on the client's kept-alive HTTPS connection. */
    static Floor httpsRoundTrip(HttpClient http, URI healthz, Duration duration) throws Exception {
        return measure("https round trip (/healthz)", duration, n -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(healthz).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /healthz: " + r.statusCode() + " (expected: 200)");
            }
        });
    }

    /** Wire sizes of the REQUEST and RESULT frames of a typical reset (frame codec bytes, before WebSocket and TLS). */
    static String wireSizes() {
        var sample = Sample.create();
        var result = Sealing.sealResult(Outcome.of(ResultCode.SUCCESS, "Your password was changed.", ""), sample.packageKey,
                new EnvelopeContext(FrameType.RESULT, sample.context.requestId(), sample.context.tenantId(),
                        sample.context.agentId()), RANDOM);
        return String.format("wire: REQUEST frame %d bytes (sealed body %d), RESULT frame %d bytes (sealed body %d); "
                        + "plus 4 bytes of WebSocket header and TLS record overhead each",
                frameBytes(new Message.Request(sample.context.requestId(), sample.sealed)), sample.sealed.length,
                frameBytes(new Message.Result(sample.context.requestId(), result)), result.length);
    }

    private static int frameBytes(Message message) {
        ByteBuf frame = MessageCodec.encode(UnpooledByteBufAllocator.DEFAULT, message);
        try {
            return frame.readableBytes();
        } finally {
            frame.release();
        }
    }

    /** A typical sealed reset: a UPN anchor, unlock, a 20-character password, 15 s deadline. */
    private static final class Sample {
        final byte[] sealed;
        final EnvelopeContext context;
        final KeyRing keys;
        final PackageKey packageKey;

        private Sample(byte[] sealed, EnvelopeContext context, KeyRing keys, PackageKey packageKey) {
            this.sealed = sealed;
            this.context = context;
            this.keys = keys;
            this.packageKey = packageKey;
        }

        static Sample create() {
            var rsa = KeyPairs.newEncryptionKeyPair(RANDOM);
            var packageKey = PackageKey.generate(1, RANDOM);
            var context = new EnvelopeContext(FrameType.REQUEST, RequestId.random(), "t-0123456789abcdef", "a-0123456789abcdef");
            Instant now = Instant.now();
            var request = new PasswordRequest(Operation.RESET, Anchor.parse("upn:ada@corp.example"), true, false, now,
                    now.plusSeconds(15), Optional.of(Secret.of("Bm-123456-Zz9-abcdef")), Optional.empty());
            byte[] sealed = Sealing.sealRequest(request, packageKey, rsa.getPublic(), context, RANDOM);
            KeyRing keys = new KeyRing() {
                @Override
                public Optional<PackageKey> packageKey(int version) {
                    return version == 1 ? Optional.of(packageKey) : Optional.empty();
                }

                @Override
                public Optional<java.security.PrivateKey> encryptionKey(int version) {
                    return version == 1 ? Optional.of(rsa.getPrivate()) : Optional.empty();
                }
            };
            return new Sample(sealed, context, keys, packageKey);
        }
    }
}
