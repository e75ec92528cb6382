package dev.writeback.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.tls.Certificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 7, finding 9 on the relay: owner-only directories, host names from the certificate, a bounded blocking queue. */
class RelayFilesAndNamesTest {
    @TempDir
    Path dir;

    @Test
    void dataDirAndTls_areCreatedOwnerOnly() throws Exception {
        Path data = dir.resolve("new/relay-data");
        try (var relay = RelayServer.start(RelayConfig.builder(data).listen("127.0.0.1", 0).build())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("tls")))).isEqualTo("rwx------");
            assertThat(relay.config().publicHostnames()).as("derived from the self-signed certificate")
                    .contains("localhost", "127.0.0.1");
        }
    }

    @Test
    void hostNames_areTheCertificatesDnsAndIpNames() throws Exception {
        var random = new SecureRandom();
        var cert = Certificates.selfSigned(KeyPairs.newIdentityKeyPair(random), List.of("relay.example.com", "10.1.2.3"),
                Instant.now(), Duration.ofDays(1), random);

        assertThat(RelayTls.hostNames(cert)).contains("relay.example.com", "10.1.2.3").doesNotContain("any.other.host");
    }

    @Test
    void blockingPool_refusesWorkPastItsQueue_soOverloadedCanHappen() throws Exception {
        var pool = RelayServer.blockingPool(1, 2);
        var release = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            pool.execute(() -> { });
            pool.execute(() -> { });   // the queue (2) is full now

            assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        } finally {
            release.countDown();
            pool.shutdown();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
