package dev.writeback.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code agent service install|uninstall} on Linux: writes the hardened systemd unit shipped in the distribution
 * ({@code service/writeback-agent.service}) with the paths of the installation it runs from, the configuration and
 * the state directory, then reloads systemd and enables and starts it. On Windows the WinSW definition in
 * {@code service\} does the same.
 */
@Command(name = "service", mixinStandardHelpOptions = true, description = "Install or remove the agent's systemd service (Linux).",
        subcommands = {AgentService.Install.class, AgentService.Uninstall.class})
final class AgentService {
    static final String UNIT = "writeback-agent.service";
    private static final String DEFAULT_HOME = "/opt/writeback-agent";
    private static final String DEFAULT_CONFIG = "/etc/writeback/agent.yaml";
    private static final String DEFAULT_STATE = "/var/lib/writeback-agent";

    /** {@code agent service install}. */
    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Write " + UNIT + " to the unit directory, then systemctl daemon-reload and enable --now it.")
    static final class Install implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE", defaultValue = DEFAULT_CONFIG, description = "agent.yaml the service runs with (default ${DEFAULT-VALUE}).")
        Path config;

        @Option(names = "--user", paramLabel = "USER", defaultValue = "writeback-agent", description = "Account the service runs as (default ${DEFAULT-VALUE}); register the agent as this account.")
        String user;

        @Option(names = "--unit-dir", paramLabel = "DIR", defaultValue = "/etc/systemd/system", description = "Where the unit is written (default ${DEFAULT-VALUE}).")
        Path unitDir;

        @Option(names = "--no-enable", description = "Only write the unit; do not run systemctl.")
        boolean noEnable;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path cfgFile = config.toAbsolutePath().normalize();
            AgentConfig cfg;
            try {
                cfg = AgentConfig.load(cfgFile);
            } catch (AgentConfig.ConfigException e) {
                err.println("--config: " + e.getMessage());
                return 2;
            }
            if (!user.matches("[a-z_][a-z0-9_-]{0,31}")) {
                err.println("--user: " + user + " (expected: a system account name)");
                return 2;
            }
            String unit = unit(home(), cfgFile, user, cfg.stateDir().toAbsolutePath().normalize());
            Files.createDirectories(unitDir);
            Path file = unitDir.resolve(UNIT);
            Files.writeString(file, unit, StandardCharsets.UTF_8);
            out.println("Wrote " + file);
            if (noEnable) {
                out.println("Next: systemctl daemon-reload && systemctl enable --now writeback-agent");
                return 0;
            }
            return systemctl(out, err, List.of("daemon-reload"), List.of("enable", "--now", UNIT)) ? 0 : 1;
        }
    }

    /** {@code agent service uninstall}. */
    @Command(name = "uninstall", mixinStandardHelpOptions = true,
            description = "systemctl disable --now the service and remove its unit (the state directory stays).")
    static final class Uninstall implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--unit-dir", paramLabel = "DIR", defaultValue = "/etc/systemd/system", description = "Where the unit was written (default ${DEFAULT-VALUE}).")
        Path unitDir;

        @Option(names = "--no-systemctl", description = "Only remove the unit; do not run systemctl.")
        boolean noSystemctl;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path file = unitDir.resolve(UNIT);
            if (!Files.exists(file)) {
                err.println("--unit-dir: " + file + " not found (expected: a unit written by `agent service install`)");
                return 1;
            }
            boolean ok = noSystemctl || systemctl(out, err, List.of("disable", "--now", UNIT));
            Files.delete(file);
            out.println("Removed " + file + "; the state directory is kept");
            return ok && (noSystemctl || systemctl(out, err, List.of("daemon-reload"))) ? 0 : 1;
        }
    }

    /** The shipped unit with this installation's home, configuration, account and state directory. */
    static String unit(Path home, Path config, String user, Path stateDir) throws IOException {
        String text;
        try (InputStream in = AgentService.class.getResourceAsStream("service/" + UNIT)) {
            if (in == null) {
                throw new IOException("resource service/" + UNIT + " missing from the agent jar");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        text = text.replace(DEFAULT_HOME + "/bin/agent", home.resolve("bin").resolve("agent").toString())
                .replace(DEFAULT_CONFIG, config.toString())
                .replace("User=writeback-agent", "User=" + user)
                .replace("Group=writeback-agent", "Group=" + user);
        if (!stateDir.startsWith(DEFAULT_STATE)) {   // a state directory elsewhere must stay writable too
            text = text.replace("ReadWritePaths=" + DEFAULT_STATE, "ReadWritePaths=" + DEFAULT_STATE + " " + stateDir);
        }
        return text;
    }

    /** The installation this runs from: the parent of {@code lib/} holding the agent jar. */
    static Path home() {
        try {
            Path jar = Path.of(AgentService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path lib = jar.getParent();
            return lib != null && lib.getFileName().toString().equals("lib") ? lib.getParent() : Path.of(DEFAULT_HOME);
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return Path.of(DEFAULT_HOME);
        }
    }

    @SafeVarargs
    private static boolean systemctl(PrintWriter out, PrintWriter err, List<String>... calls) throws IOException, InterruptedException {
        for (List<String> args : calls) {
            var command = new ArrayList<String>();
            command.add("systemctl");
            command.addAll(args);
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                err.println("systemctl: not found (" + e.getMessage() + "); run `" + String.join(" ", command) + "` where systemd runs");
                return false;
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                err.println(String.join(" ", command) + " failed: " + output);
                return false;
            }
            out.println(String.join(" ", command) + (output.isEmpty() ? "" : ": " + output));
        }
        return true;
    }
}
