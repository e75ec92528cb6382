package dev.writeback.agent;

import dev.writeback.agent.directory.DirectoryHealth;
import dev.writeback.agent.directory.Directories;
import dev.writeback.agent.link.ProxySettings;
import dev.writeback.agent.link.RelayProbe;
import dev.writeback.agent.link.RelayTrust;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code agent} command line: register, run, doctor, trust, service. */
@Command(name = "agent", mixinStandardHelpOptions = true, versionProvider = AgentCommand.Version.class,
        description = "Writeback on-premises agent: applies password resets, changes and unlocks sent by the relay.",
        subcommands = {AgentCommand.Register.class, AgentCommand.Run.class, AgentCommand.Doctor.class, AgentCommand.Trust.class,
                AgentService.class})
public final class AgentCommand {
    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli command line (tests call {@code execute} on it). */
    public static CommandLine commandLine() {
        return new CommandLine(new AgentCommand()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    /** {@code agent register}. */
    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Register this agent with a relay using a one-time token; writes the state directory.")
    static final class Register implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--relay", required = true, paramLabel = "URL", description = "Relay base URL, e.g. https://relay.example.com:8443")
        String relay;

        @Option(names = "--token", paramLabel = "TOKEN", description = "One-time registration token (or --token-file, or env WRITEBACK_REGISTRATION_TOKEN).")
        String token;

        @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the registration token.")
        Path tokenFile;

        @Option(names = "--name", paramLabel = "NAME", description = "Display name of this agent (default: host name).")
        String name;

        @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "state", description = "State directory to create (default: ${DEFAULT-VALUE}).")
        Path stateDir;

        @Option(names = "--trust-fingerprint", paramLabel = "SHA256:…", description = "Pin the relay certificate by its SHA-256 fingerprint.")
        String fingerprint;

        @Option(names = "--ca-file", paramLabel = "PEM", description = "Trust the relay certificate through this CA file.")
        Path caFile;

        @Option(names = "--proxy", paramLabel = "URL", description = "HTTP CONNECT proxy, http://host:port (default: relay.proxy of --config).")
        String proxy;

        @Option(names = "--proxy-user", paramLabel = "USER", description = "Basic-auth user of --proxy.")
        String proxyUser;

        @Option(names = "--proxy-password-file", paramLabel = "FILE", description = "File holding the password of --proxy-user.")
        Path proxyPasswordFile;

        @Option(names = "--config", paramLabel = "FILE", description = "agent.yaml: its relay.proxy is used unless --proxy is given.")
        Path config;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String tokenText = token(err);
            if (tokenText == null) {
                return 2;
            }
            if (!relay.matches("(?i)https://[^/\\s]+/?")) {
                err.println("--relay: " + relay + " (expected: https://host:port)");
                return 2;
            }
            RelayTrust trust;
            try {
                trust = new RelayTrust(fingerprint, caFile);
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
            ProxySettings proxySettings;
            try {
                proxySettings = proxy(err);
            } catch (IllegalArgumentException | AgentConfig.ConfigException e) {
                err.println(e.getMessage());
                return 2;
            }
            String agentName = name != null ? name : hostName();
            try {
                AgentState state = Registration.register(URI.create(relay.replaceAll("/$", "")), trust, proxySettings,
                        tokenText, agentName, stateDir, Clock.systemUTC());
                out.println("Registered agent " + state.agentId() + " (" + agentName + ") for tenant " + state.tenantId());
                out.println("State directory: " + stateDir.toAbsolutePath() + " (owner-only; back it up, it holds the agent's private keys)");
                out.println("Next: write agent.yaml with stateDir and directories, then run: agent run --config agent.yaml");
                return 0;
            } catch (IOException | RuntimeException e) {
                err.println("Registration failed: " + e.getMessage());
                return 1;
            }
        }

        /** The proxy of {@code --proxy} (and its user), else of {@code --config}'s relay.proxy, else none. */
        private ProxySettings proxy(PrintWriter err) throws IOException, AgentConfig.ConfigException {
            if (proxy == null) {
                if (proxyUser != null || proxyPasswordFile != null) {
                    throw new IllegalArgumentException("--proxy-user: given without --proxy (expected: --proxy http://host:port)");
                }
                return config == null ? null : Agent.proxy(AgentConfig.load(config), System.getenv());
            }
            if (!proxy.matches("(?i)http://[^/\\s:]+:\\d+/?")) {
                throw new IllegalArgumentException("--proxy: " + proxy + " (expected: http://host:port)");
            }
            if ((proxyUser == null) != (proxyPasswordFile == null)) {
                throw new IllegalArgumentException((proxyUser == null ? "--proxy-password-file" : "--proxy-user")
                        + ": given alone (expected: --proxy-user with --proxy-password-file)");
            }
            URI uri = URI.create(proxy);
            char[] password = null;
            if (proxyPasswordFile != null) {
                if (!Files.isReadable(proxyPasswordFile)) {
                    throw new IllegalArgumentException("--proxy-password-file: " + proxyPasswordFile
                            + " not readable (expected: a file with the proxy password)");
                }
                password = Files.readString(proxyPasswordFile).strip().toCharArray();
            }
            err.println("Registering through proxy " + uri.getHost() + ":" + uri.getPort());
            return new ProxySettings(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), proxyUser, password);
        }

        private String token(PrintWriter err) throws IOException {
            if (token != null) {
                return token.strip();
            }
            if (tokenFile != null) {
                if (!Files.isReadable(tokenFile)) {
                    err.println("--token-file: " + tokenFile + " not readable (expected: a file holding the registration token)");
                    return null;
                }
                return Files.readString(tokenFile).strip();
            }
            String env = System.getenv("WRITEBACK_REGISTRATION_TOKEN");
            if (env != null) {
                return env.strip();
            }
            err.println("--token: missing (expected: --token, --token-file or env WRITEBACK_REGISTRATION_TOKEN)");
            return null;
        }
    }

    /** {@code agent run}. */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the agent until stopped (Ctrl-C or service stop).")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "agent.yaml")
        Path config;

        @Override
        public Integer call() throws Exception {
            AgentConfig cfg;
            try {
                cfg = AgentConfig.load(config);
            } catch (AgentConfig.ConfigException e) {
                spec.commandLine().getErr().println("Configuration error: " + e.getMessage());
                return 2;
            }
            Agent agent;
            try {
                agent = Agent.start(cfg);
            } catch (IOException e) {
                spec.commandLine().getErr().println("Cannot start: " + e.getMessage());
                return 1;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-shutdown"));
            agent.awaitShutdown();
            return 0;
        }
    }

    /** {@code agent doctor}. */
    @Command(name = "doctor", mixinStandardHelpOptions = true, description = "Check the configuration, state, keys and directories; exit 0 when all pass.")
    static final class Doctor implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "agent.yaml")
        Path config;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            AgentConfig cfg;
            try {
                cfg = AgentConfig.load(config);
                out.println("OK   configuration " + config);
            } catch (AgentConfig.ConfigException e) {
                out.println("FAIL configuration: " + e.getMessage());
                return 1;
            }
            boolean ok = true;
            AgentState state = null;
            try {
                state = AgentState.load(cfg.stateDir());
                out.println("OK   registration agent=" + state.agentId() + " tenant=" + state.tenantId() + " relay=" + state.relayUrl());
                out.println("OK   keys " + AgentKeys.load(cfg.stateDir()));
            } catch (IOException | RuntimeException e) {
                out.println("FAIL state: " + e.getMessage());
                ok = false;
            }
            if (state != null) {
                ok &= checkRelay(out, cfg, state);
            }
            try (Directories dirs = Directories.open(cfg.directories(), cfg.stateDir())) {
                for (DirectoryHealth h : dirs.health()) {
                    boolean good = h.reachable();
                    ok &= good;
                    out.println((good ? "OK   " : "FAIL ") + "directory " + h.name() + " (" + h.type() + ") "
                            + (good ? h.server() + " " + h.latencyMillis() + " ms" : h.problem())
                            + (good && !h.historyEnforcedOnReset() ? " — password history is not enforced on resets by this server" : ""));
                }
            } catch (Exception e) {
                out.println("FAIL directories: " + e.getMessage());
                ok = false;
            }
            return ok ? 0 : 1;
        }

        /** Connects to the relay as {@code agent run} would and authenticates; prints one line per step. */
        private static boolean checkRelay(PrintWriter out, AgentConfig cfg, AgentState state) {
            RelayTrust trust;
            try {
                trust = new RelayTrust(state.trustFingerprint(), state.trustCaFile() == null ? null : Path.of(state.trustCaFile()));
            } catch (RuntimeException e) {
                out.println("FAIL relay trust in " + cfg.stateDir().resolve(AgentState.FILE) + ": " + e.getMessage());
                return false;
            }
            return checkRelay(out, cfg, state, trust);
        }

        /** The same check with a given trust ({@code agent trust} tries a new pin before saving it). */
        static boolean checkRelay(PrintWriter out, AgentConfig cfg, AgentState state, RelayTrust trust) {
            String url = (cfg.relay().url() != null ? cfg.relay().url() : state.relayUrl()).replaceFirst("(?i)^wss://", "https://");
            RelayProbe.Target target;
            try {
                target = new RelayProbe.Target(URI.create(url), trust, Agent.proxy(cfg, System.getenv()), state.agentId(),
                        Agent.VERSION, AgentState.identityKey(cfg.stateDir()));
            } catch (IOException | AgentConfig.ConfigException | RuntimeException e) {
                out.println("FAIL relay " + url + ": " + e.getMessage());
                return false;
            }
            boolean ok = true;
            for (RelayProbe.Step step : RelayProbe.run(target, Clock.systemUTC(), RelayProbe.STEP_TIMEOUT)) {
                out.println((step.ok() ? "OK   " : "FAIL ") + step.name() + " " + step.detail());
                ok &= step.ok();
            }
            out.flush();
            return ok;
        }
    }

    /** {@code agent trust}: re-pins the relay in the state directory without registering again. */
    @Command(name = "trust", mixinStandardHelpOptions = true,
            description = "Trust the relay another way without registering again: a new key pin (--fingerprint, as"
                    + " `relay serve` prints it) or a CA file. Connects and authenticates with the new trust first and"
                    + " saves it only when that works (unless --no-check); restart the agent afterwards.")
    static final class Trust implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", required = true, paramLabel = "FILE", description = "agent.yaml (its stateDir and relay.proxy)")
        Path config;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Choice choice;

        static final class Choice {
            @Option(names = "--fingerprint", required = true, paramLabel = "SHA256:…",
                    description = "The relay's key pin (or, for older relays, its certificate fingerprint).")
            String fingerprint;

            @Option(names = "--ca-file", required = true, paramLabel = "PEM", description = "Trust the relay through this CA file.")
            Path caFile;
        }

        @Option(names = "--no-check", description = "Save without connecting to the relay first (e.g. while it is down).")
        boolean noCheck;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AgentConfig cfg;
            AgentState state;
            RelayTrust trust;
            try {
                cfg = AgentConfig.load(config);
                state = AgentState.load(cfg.stateDir());
                Path ca = choice.caFile == null ? null : choice.caFile.toAbsolutePath().normalize();
                if (ca != null && !Files.isReadable(ca)) {
                    err.println("--ca-file: " + ca + " not readable (expected: a PEM file with the CA certificate)");
                    return 2;
                }
                trust = new RelayTrust(choice.fingerprint, ca);
            } catch (AgentConfig.ConfigException | IOException | IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
            if (!noCheck && !Doctor.checkRelay(out, cfg, state, trust)) {
                err.println("Not saved: the relay did not pass with the new trust (use --no-check to save anyway)");
                return 1;
            }
            try {
                state.withTrust(trust.fingerprint(), trust.caFile() == null ? null : trust.caFile().toString()).write(cfg.stateDir());
            } catch (IOException e) {
                err.println("Cannot write " + cfg.stateDir().resolve(AgentState.FILE) + ": " + e.getMessage());
                return 1;
            }
            out.println("Saved: the agent trusts the relay by " + trust.describe() + " (" + cfg.stateDir().resolve(AgentState.FILE)
                    + "); restart the agent to use it (systemctl restart writeback-agent)");
            return 0;
        }
    }

    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "agent";
        }
    }

    /** Reports the build version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Writeback agent " + Agent.VERSION};
        }
    }
}
