package dev.writeback.relay.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.relay.agent.AgentSession;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Routing, the agent sessions and the cluster (what crosses NATS) carry only sealed bytes: no compiled class of
 * theirs refers to the plaintext request or the secret type (a reference to a class is a constant-pool entry naming
 * it).
 */
class PlaintextBoundaryTest {
    private static final List<String> PLAINTEXT = List.of("dev/writeback/protocol/PasswordRequest",
            "dev/writeback/protocol/Secret");

    @Test
    void routingAgentAndClusterPackages_neverReferToThePlaintextRequest() throws Exception {
        for (Class<?> inPackage : List.of(Router.class, AgentSession.class, dev.writeback.relay.cluster.NatsCluster.class)) {
            List<Path> classes = classesOf(inPackage);
            assertThat(classes).as("compiled classes of " + inPackage.getPackageName()).hasSizeGreaterThan(3);
            for (Path c : classes) {
                String constants = new String(Files.readAllBytes(c), StandardCharsets.ISO_8859_1);
                for (String type : PLAINTEXT) {
                    assertThat(constants.contains(type)).as(c.getFileName() + " names " + type).isFalse();
                }
            }
        }
    }

    @Test
    void theScanSeesAReferenceWhereThereIsOne() throws Exception {
        // The API side holds the plaintext: the same scan finds it there, so the test above can fail.
        Path gateway = classesOf(dev.writeback.relay.api.RelayGateway.class).stream()
                .filter(p -> p.getFileName().toString().equals("RelayGateway.class")).findFirst().orElseThrow();
        assertThat(new String(Files.readAllBytes(gateway), StandardCharsets.ISO_8859_1)).contains(PLAINTEXT.get(0));
    }

    private static List<Path> classesOf(Class<?> type) throws URISyntaxException, IOException {
        Path root = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(type.getPackageName().replace('.', '/'));
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".class")).toList();
        }
    }
}
