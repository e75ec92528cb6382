package dev.writeback.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentKeysTest {
    private final SecureRandom random = new SecureRandom();

    @TempDir
    Path state;

    @Test
    void load_keepsNewestAndPrevious_deletesOlderAndOvertakenIncompleteVersions() throws Exception {
        for (int v = 1; v <= 4; v++) {
            complete(v);
        }
        AgentKeys.newVersion(state, 2, random);   // stands in for an incomplete rollover: .rsa without .wrapped
        Files.delete(state.resolve("keys/v2.wrapped"));
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
