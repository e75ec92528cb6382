package dev.writeback.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.crypto.KeyPairs;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real TLS handshakes between a relay-side and an agent-side context, over Netty's in-JVM local transport. */
class TlsPolicyTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final KeyPair KEY = KeyPairs.newIdentityKeyPair(RANDOM);
    private static final X509Certificate CERT = Certificates.selfSigned(KEY, List.of("relay.example.com", "localhost"),
            Instant.now(), Duration.ofDays(30), RANDOM);

    private static EventLoopGroup group;
    private Channel server;
    private final LocalAddress address = new LocalAddress("tls-" + UUID.randomUUID());

    @BeforeAll
    static void startGroup() {
        group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void startServer() throws Exception {
        SslContext tls = TlsPolicy.server(KEY.getPrivate(), List.of(CERT));
        server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                })
                .bind(address).sync().channel();
    }

    @AfterEach
    void stopServer() {
        server.close().syncUninterruptibly();
    }

    @Test
    void pinnedClient_completesAHandshakeWithTls13_whateverTheHostName() throws Exception {
        Future<Channel> handshake = handshake(TlsPolicy.pinned(Certificates.fingerprint(CERT)), "10.0.0.1");
        assertThat(handshake.isSuccess()).as("handshake: %s", handshake.cause()).isTrue();
        SslHandler ssl = handshake.getNow().pipeline().get(SslHandler.class);
        assertThat(ssl.engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
        assertThat(ssl.engine().getSession().getPeerCertificates()[0]).isEqualTo(CERT);
        handshake.getNow().close().syncUninterruptibly();
    }

    @Test
    void pinnedClient_acceptsTheFingerprintInAnySpelling() throws Exception {
        String loose = "sha256:" + Certificates.fingerprint(CERT).substring("SHA256:".length()).replace(":", "")
                .toLowerCase(java.util.Locale.ROOT);
        Future<Channel> handshake = handshake(TlsPolicy.pinned(loose), "relay.example.com");
        assertThat(handshake.isSuccess()).as("handshake: %s", handshake.cause()).isTrue();
        handshake.getNow().close().syncUninterruptibly();
    }

    @Test
    void pinnedClient_withAnotherFingerprint_failsTheHandshake() throws Exception {
        var other = Certificates.selfSigned(KeyPairs.newIdentityKeyPair(RANDOM), List.of("relay.example.com"), Instant.now(),
                Duration.ofDays(1), RANDOM);
        Future<Channel> handshake = handshake(TlsPolicy.pinned(Certificates.fingerprint(other)), "relay.example.com");
        assertThat(handshake.isSuccess()).isFalse();
        assertThat(handshake.cause()).isInstanceOf(SSLHandshakeException.class);
        assertThat(causeMessages(handshake.cause())).contains("server key pin: " + Certificates.publicKeyPin(CERT));
    }

    @Test
    void caClient_trustingTheCertificate_checksTheHostName() throws Exception {
        SslContext client = TlsPolicy.trusting(List.of(CERT));
        Future<Channel> good = handshake(client, "relay.example.com");
        assertThat(good.isSuccess()).as("handshake: %s", good.cause()).isTrue();
        good.getNow().close().syncUninterruptibly();

        Future<Channel> wrongName = handshake(client, "other.example.com");
        assertThat(wrongName.isSuccess()).isFalse();
        assertThat(wrongName.cause()).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void systemTrustClient_rejectsASelfSignedRelay() throws Exception {
        Future<Channel> handshake = handshake(TlsPolicy.systemTrust(), "relay.example.com");
        assertThat(handshake.isSuccess()).isFalse();
        assertThat(handshake.cause()).isInstanceOf(SSLHandshakeException.class);
    }

    private Future<Channel> handshake(SslContext tls, String host) throws InterruptedException {
        // the handler is kept here: a handshake that fails at once closes the channel and empties its pipeline
        var ssl = new java.util.concurrent.atomic.AtomicReference<SslHandler>();
        Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                .handler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        ssl.set(tls.newHandler(ch.alloc(), host, 8443));
                        ch.pipeline().addLast(ssl.get());
                    }
                })
                .connect(address).sync().channel();
        Future<Channel> handshake = ssl.get().handshakeFuture();
        assertThat(handshake.await(10, TimeUnit.SECONDS)).as("handshake finished in time").isTrue();
        if (!handshake.isSuccess()) {
            client.close().syncUninterruptibly();
        }
        return handshake;
    }

    private static String causeMessages(Throwable t) {
        var text = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            text.append(c.getMessage()).append('\n');
        }
        return text.toString();
    }
}
