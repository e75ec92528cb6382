package dev.writeback.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentServiceTest {
    @TempDir
    Path dir;

    @Test
    void install_writesTheShippedUnit_withThisConfigUserAndStateDirectory() throws Exception {
        Path yaml = Files.writeString(dir.resolve("agent.yaml"), """
                stateDir: state
                directories:
                  - name: corp
                    type: embedded
                """);
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));

        int code = cl.execute("service", "install", "--config", yaml.toString(), "--user", "svc-writeback",
                "--unit-dir", dir.resolve("units").toString(), "--no-enable");

        assertThat(code).as(out.toString()).isZero();
        String unit = Files.readString(dir.resolve("units").resolve(AgentService.UNIT));
        assertThat(unit).contains("ExecStart=" + AgentService.home().resolve("bin/agent") + " run --config " + yaml,
                "User=svc-writeback\n", "Group=svc-writeback\n", "NoNewPrivileges=yes", "UMask=0077",
                "ReadWritePaths=/var/lib/writeback-agent " + dir.resolve("state"));
        assertThat(out.toString()).contains("systemctl daemon-reload && systemctl enable --now writeback-agent");

        int removed = cl.execute("service", "uninstall", "--unit-dir", dir.resolve("units").toString(), "--no-systemctl");
        assertThat(removed).as(out.toString()).isZero();
        assertThat(dir.resolve("units").resolve(AgentService.UNIT)).doesNotExist();
    }

    @Test
    void winswDefinition_pointsAtTheLauncherAndConfig_ofTheLayoutItShipsIn() throws Exception {
        // The distribution keeps src/dist's layout: service\writeback-agent.xml next to bin\ and conf\.
        Path service = Path.of("src/dist/service");
        String xml = Files.readString(service.resolve("writeback-agent.xml"));
        var m = Pattern.compile("<executable>%BASE%\\\\(.+?)</executable>").matcher(xml);
        assertThat(m.find()).isTrue();
        assertThat(service.resolve(m.group(1).replace('\\', '/')).normalize()).exists().hasFileName("agent.cmd");
        var c = Pattern.compile("--config \"%BASE%\\\\(.+?)\"").matcher(xml);
        assertThat(c.find()).isTrue();
        assertThat(service.resolve(c.group(1).replace('\\', '/')).normalize()).exists().hasFileName("agent.yaml");
    }
}
