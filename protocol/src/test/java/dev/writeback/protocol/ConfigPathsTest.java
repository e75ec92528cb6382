package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigPathsTest {
    private static final Path BASE = Path.of("/etc/writeback");

    @Test
    void resolve_relative_isUnderTheConfigFolder() {
        assertThat(ConfigPaths.resolve(BASE, "bind.pw")).isEqualTo(Path.of("/etc/writeback/bind.pw"));
        assertThat(ConfigPaths.resolve(BASE, "../ca/dc.pem")).isEqualTo(Path.of("/etc/ca/dc.pem"));
    }

    @Test
    void resolve_absolute_isKept() {
        assertThat(ConfigPaths.resolve(BASE, "/srv/bind.pw")).isEqualTo(Path.of("/srv/bind.pw"));
    }

    @Test
    void resolveText_leavesUnsetValuesAlone() {
        assertThat(ConfigPaths.resolveText(BASE, null)).isNull();
        assertThat(ConfigPaths.resolveText(BASE, "")).isEmpty();
        assertThat(ConfigPaths.resolveText(BASE, "seed.ldif")).isEqualTo("/etc/writeback/seed.ldif");
    }

    @Test
    void baseOf_relativeFile_isAbsoluteParent() {
        Path base = ConfigPaths.baseOf(Path.of("conf/agent.yaml"));
        assertThat(base.isAbsolute()).isTrue();
        assertThat(base.getFileName()).isEqualTo(Path.of("conf"));
    }
}
