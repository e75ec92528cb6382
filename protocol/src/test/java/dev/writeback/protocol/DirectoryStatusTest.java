package dev.writeback.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryStatusTest {
    @Test
    void summary_namesEachDirectory_upWithServerAndLatency_downWithItsProblem() {
        var up = new DirectoryStatus("corp", "active-directory", true, "dc1.corp.example:636", 3, true, "");
        var down = new DirectoryStatus("lab", "ldap", false, "", 0, false, "connection refused");

        assertThat(DirectoryStatus.summary(List.of(up, down)))
                .isEqualTo("corp:UP(dc1.corp.example:636 3ms),lab:DOWN(connection refused)");
        assertThat(DirectoryStatus.summary(List.of())).isEqualTo("-");
    }

    @Test
    void summary_makesWhatTheAgentSentLogSafe() {
        var forged = new DirectoryStatus("corp\nRLY-200 forged", "ldap", false, "", 0, false, "x\r\ny");

        assertThat(DirectoryStatus.summary(List.of(forged))).doesNotContain("\n").doesNotContain("\r");
    }
}
