package dev.writeback.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class AgentKeysTest {
    private final SecureRandom random = new SecureRandom();

    @TempDir
    Path state;

    @Test
    void load_keepsNewestAndPrevious_deletesOlderAndOvertakenIncompleteVersions() throws Exception {
        for (int v = 1; v <= 4; v++) {
            complete(v);
        }
        Files.delete(state.resolve("keys/v2.wrapped"));   // stands in for an incomplete rollover: .rsa without .wrapped
        AgentKeys.newVersion(state, 5, random);   // a rollover still in progress: kept

        var keys = AgentKeys.load(state);

        assertThat(keys.oldestVersion()).isEqualTo(3);
        assertThat(keys.currentVersion()).isEqualTo(4);
        assertThat(files()).containsExactly("v3.rsa", "v3.wrapped", "v4.rsa", "v4.wrapped", "v5.rsa");
    }

    @Test
    void add_tellsListenersAfterTheVersionIsUsable() throws Exception {
        complete(1);
        var keys = AgentKeys.load(state);
        List<String> seen = new ArrayList<>();
        keys.onInstalled(v -> seen.add(v + ":" + keys.packageKey(v).isPresent()));

        var pair = AgentKeys.newVersion(state, 2, random);
        try (var packageKey = PackageKey.generate(2, random)) {
            keys.add(2, RsaOaep.wrap(packageKey, pair.getPublic(), random));
        }

        assertThat(seen).containsExactly("2:true");
        assertThat(keys.currentVersion()).isEqualTo(2);
    }

    @Test
    void prepare_versionAlreadyHeld_isRefused_andItsFilesStayReadable() throws Exception {
        complete(1);
        var keys = AgentKeys.load(state);
        byte[] before = Files.readAllBytes(state.resolve("keys/v1.rsa"));

        assertThatThrownBy(() -> keys.prepare(1, random)).isInstanceOf(AgentKeys.RefusedVersionException.class)
                .hasMessage("ROTATE_KEYS key version: 1 (expected: > 1, the newest version this agent holds)");

        assertThat(Files.readAllBytes(state.resolve("keys/v1.rsa"))).isEqualTo(before);
        assertThat(AgentKeys.load(state).currentVersion()).isEqualTo(1);   // the agent still starts
    }

    @Test
    void prepare_olderVersion_isRefused() throws Exception {
        complete(1);
        complete(2);
        var keys = AgentKeys.load(state);

        assertThatThrownBy(() -> keys.prepare(1, random)).isInstanceOf(AgentKeys.RefusedVersionException.class);
        assertThat(files()).containsExactly("v1.rsa", "v1.wrapped", "v2.rsa", "v2.wrapped");
    }

    @Test
    void add_versionAlreadyHeld_isRefused_andTheHeldKeyStays() throws Exception {
        var pair = AgentKeys.newVersion(state, 1, random);
        byte[] genuine;
        try (var packageKey = PackageKey.generate(1, random)) {
            AgentKeys.completeVersion(state, 1, RsaOaep.wrap(packageKey, pair.getPublic(), random));
            genuine = packageKey.bytes();
        }
        var keys = AgentKeys.load(state);
        byte[] wrappedBefore = Files.readAllBytes(state.resolve("keys/v1.wrapped"));
        byte[] rogueWrapped;
        try (var rogue = PackageKey.generate(1, random)) {   // a well-formed key wrapped for v1 by someone else
            rogueWrapped = RsaOaep.wrap(rogue, pair.getPublic(), random);
        }

        assertThatThrownBy(() -> keys.add(1, rogueWrapped)).isInstanceOf(AgentKeys.RefusedVersionException.class)
                .hasMessageContaining("KEYS key version: 1");

        assertThat(keys.packageKey(1).orElseThrow().bytes()).isEqualTo(genuine);
        assertThat(Files.readAllBytes(state.resolve("keys/v1.wrapped"))).isEqualTo(wrappedBefore);
    }

    @Test
    void prepare_sameNewVersionTwice_returnsTheSameKeyPair_withoutRewritingIt() throws Exception {
        complete(1);
        var keys = AgentKeys.load(state);

        var first = keys.prepare(2, random);
        byte[] file = Files.readAllBytes(state.resolve("keys/v2.rsa"));
        var again = keys.prepare(2, random);   // a rotation interrupted before KEYS, started again by the relay

        assertThat(again.getPublic().getEncoded()).isEqualTo(first.getPublic().getEncoded());
        assertThat(Files.readAllBytes(state.resolve("keys/v2.rsa"))).isEqualTo(file);
    }

    @Test
    void newVersion_neverReplacesAnExistingKeyFile() throws Exception {
        complete(1);
        byte[] before = Files.readAllBytes(state.resolve("keys/v1.rsa"));

        assertThatThrownBy(() -> AgentKeys.newVersion(state, 1, random)).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> AgentKeys.completeVersion(state, 1, new byte[] {1, 2, 3}))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readAllBytes(state.resolve("keys/v1.rsa"))).isEqualTo(before);
    }

    @Test
    void load_damagedVersion_startsWithTheReadableOnes_logsIt_andLeavesTheFile() throws Exception {
        complete(1);
        complete(2);
        byte[] damaged = Files.readAllBytes(state.resolve("keys/v2.rsa"));
        Arrays.fill(damaged, 40, 80, (byte) 'A');
        Files.write(state.resolve("keys/v2.rsa"), damaged);
        var logs = new ListAppender<ILoggingEvent>();
        logs.start();
        var logger = (Logger) LoggerFactory.getLogger(AgentKeys.class);
        logger.addAppender(logs);
        AgentKeys keys;
        try {
            keys = AgentKeys.load(state);
        } finally {
            logger.detachAppender(logs);
        }

        assertThat(keys.currentVersion()).isEqualTo(1);
        assertThat(keys.packageKey(2)).isEmpty();
        assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).startsWith("AGT-003 key version 2 in "));
        assertThat(files()).containsExactly("v1.rsa", "v1.wrapped", "v2.rsa", "v2.wrapped");
    }

    @Test
    void load_noReadableVersion_failsNamingTheDamagedOnes() throws Exception {
        complete(1);
        Files.writeString(state.resolve("keys/v1.wrapped"), "not base64 at all!\n");

        assertThatThrownBy(() -> AgentKeys.load(state)).hasMessageContaining("no readable complete key version")
                .hasMessageContaining("unreadable: [1]");
    }

    @Test
    void destroyBelow_overwritesTheKeyFilesBeforeDeletingThem() throws Exception {
        complete(1);
        complete(2);
        var keys = AgentKeys.load(state);
        Path rsaView = state.resolve("v1.rsa.link");   // a second name for the same blocks, to read them afterwards
        Path wrappedView = state.resolve("v1.wrapped.link");
        Files.createLink(rsaView, state.resolve("keys/v1.rsa"));
        Files.createLink(wrappedView, state.resolve("keys/v1.wrapped"));
        long rsaSize = Files.size(rsaView);

        keys.destroyBelow(2);

        assertThat(files()).containsExactly("v2.rsa", "v2.wrapped");
        assertThat(Files.readAllBytes(rsaView)).hasSize((int) rsaSize).containsOnly(0);
        assertThat(Files.readAllBytes(wrappedView)).isNotEmpty().containsOnly(0);
        assertThat(keys.packageKey(1)).isEmpty();
    }

    private void complete(int version) throws Exception {
        var pair = AgentKeys.newVersion(state, version, random);
        try (var packageKey = PackageKey.generate(version, random)) {
            AgentKeys.completeVersion(state, version, RsaOaep.wrap(packageKey, pair.getPublic(), random));
        }
    }

    private List<String> files() throws Exception {
        try (Stream<Path> files = Files.list(state.resolve("keys"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
