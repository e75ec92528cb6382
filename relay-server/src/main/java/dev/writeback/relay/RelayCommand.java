package dev.writeback.relay;

import dev.writeback.protocol.files.OwnerOnly;
import dev.writeback.relay.store.AgentRecord;
import dev.writeback.relay.store.ApiScope;
import dev.writeback.relay.store.AuditEvent;
import dev.writeback.relay.store.AuditRecord;
import dev.writeback.relay.store.IssuedToken;
import dev.writeback.relay.store.MasterKey;
import dev.writeback.relay.store.Store;
import dev.writeback.relay.store.StoreSettings;
import dev.writeback.relay.store.Tenant;
import dev.writeback.relay.store.TokenInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code relay} command line: serve, tenants, tokens, agents, portal, backup, store. */
@Command(name = "relay", mixinStandardHelpOptions = true, versionProvider = RelayCommand.Version.class,
        description = "Writeback relay: REST API for password writeback and the endpoint on-premises agents dial out to.",
        subcommands = {RelayCommand.Serve.class, RelayCommand.TenantCommands.class, RelayCommand.TokenCommands.class,
                RelayCommand.AgentCommands.class, PortalCommands.class, BackupCommand.class, StoreCommands.class})
public final class RelayCommand {
    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli command line (tests call {@code execute} on it). */
    public static CommandLine commandLine() {
        var cl = new CommandLine(new RelayCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("Error: " + e.getMessage());
            return 1;
        });
        return cl;
    }

    /**
     * The data directory of the store commands: {@code --data-dir}, else the {@code dataDir} of {@code --config},
     * else env {@code WRITEBACK_RELAY_DATA}, else {@code ./relay-data}. The administrative commands open only an
     * existing store (a mistyped path is an error that names it, never a new empty store), and say which one.
     */
    static final class DataDir {
        /** Environment variable naming the data directory when no option does. */
        static final String ENV = "WRITEBACK_RELAY_DATA";

        @Option(names = "--data-dir", paramLabel = "DIR", description = "Relay data directory (default: dataDir of --config, env WRITEBACK_RELAY_DATA or ./relay-data).")
        Path dataDir;

        @Option(names = "--config", paramLabel = "FILE", description = "relay.yaml: `relay serve` reads it all (flags override it), the other commands its dataDir.")
        Path config;

        Path resolve() {
            if (dataDir != null) {
                return dataDir;
            }
            if (config != null) {
                return RelayConfigLoader.load(config).dataDir();   // a refusal names the file and the key
            }
            String env = System.getenv(ENV);
            return Path.of(env != null ? env : "relay-data");
        }

        /** The PostgreSQL store of {@code --config}'s {@code store:} section, or null for the data directory's SQLite. */
        StoreSettings sharedStore() {
            return config != null ? RelayConfigLoader.load(config).store() : null;
        }

        /** Opens the existing store of the data directory; throws naming the path when there is none. */
        Store open(CommandSpec spec) {
            return open(spec, false);
        }

        /** Opens the store; creates a new one only when {@code create} (the operator asked for it). */
        Store open(CommandSpec spec, boolean create) {
            quietLogs();
            Path dir = resolve().toAbsolutePath().normalize();
            StoreSettings shared = sharedStore();
            if (shared != null) {
                // The cluster's PostgreSQL store; the master key that seals its package keys is in the data directory.
                try {
                    OwnerOnly.createDirectories(dir);
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("--data-dir: " + dir + " cannot be created (" + e.getMessage() + ")");
                }
                spec.commandLine().getErr().println("Store: " + shared.address() + " (master key in " + dir + ")");
                return Store.open(shared, dir, MasterKey.loadOrCreate(dir, System.getenv()), Clock.systemUTC(), System::getenv);
            }
            boolean exists = Store.existsSqlite(dir);
            if (!exists && !create) {
                throw new IllegalArgumentException("data directory: " + dir + " holds no relay store ("
                        + Store.SQLITE_FILE + ") (expected: the dataDir of a relay that ran `relay serve`; check"
                        + " --data-dir or --config, or pass --init to `relay tenant create` to start a new one)");
            }
            try {
                OwnerOnly.createDirectories(dir);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--data-dir: " + dir + " cannot be created (" + e.getMessage() + ")");
            }
            spec.commandLine().getErr().println((exists ? "Data directory: " : "New store in data directory: ") + dir);
            return Store.openSqlite(dir, MasterKey.loadOrCreate(dir, System.getenv()), Clock.systemUTC());
        }
    }

    /** {@code relay serve}. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the relay until stopped (Ctrl-C or service stop).")
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Option(names = "--port", paramLabel = "N", description = "TLS port (default 8443).")
        Integer port;

        @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to bind (default 127.0.0.1; 0.0.0.0 for all).")
        String bind;

        @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain; without it a self-signed one is created in the data directory.")
        Path tlsCert;

        @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key for --tls-cert.")
        Path tlsKey;

        @Option(names = "--public-hostname", paramLabel = "HOST", description = "Name agents use to reach the relay (repeatable).")
        List<String> hostnames = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            RelayConfig cfg;
            OperationsConfig operations;
            try {
                cfg = build();
                operations = dataDir.config == null ? OperationsConfig.DEFAULTS : RelayConfigLoader.operations(dataDir.config);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("Configuration error: " + e.getMessage());
                return 2;
            }
            RelayServer server = RelayServer.start(cfg, operations, Clock.systemUTC());
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "relay-shutdown"));
            spec.commandLine().getOut().printf("Relay listening on https://%s:%d  key pin %s%n", cfg.bindAddress(), server.port(),
                    server.fingerprint());
            spec.commandLine().getOut().flush();
            server.awaitShutdown();
            return 0;
        }

        RelayConfig build() throws java.io.IOException {
            Path config = dataDir.config;
            RelayConfig base = config != null ? RelayConfigLoader.load(config) : RelayConfig.defaults(dataDir.resolve());
            Path dir = dataDir.dataDir != null || config == null ? dataDir.resolve() : base.dataDir();
            List<String> names = hostnames.isEmpty() ? base.publicHostnames() : hostnames;
            Path cert = tlsCert != null ? tlsCert : base.tlsCertificate();
            Path key = tlsKey != null ? tlsKey : base.tlsKey();
            return base.toBuilder().dataDir(dir).listen(bind != null ? bind : base.bindAddress(), port != null ? port : base.port())
                    .tls(cert, key).publicHostnames(names).build();
        }
    }

    /** {@code relay tenant ...}. */
    @Command(name = "tenant", mixinStandardHelpOptions = true, description = "Create and list tenants.",
            subcommands = {TenantCreate.class, TenantList.class})
    static final class TenantCommands {
        // a group: without a subcommand picocli prints "Missing required subcommand" and the usage, exit code 2
    }

    /** {@code relay tenant create NAME}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a tenant; prints its id, an admin API token and an operations API token for the"
                    + " SSPR portal (each shown once).")
    static final class TenantCreate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Parameters(paramLabel = "NAME", description = "Tenant name (unique).")
        String name;

        @Option(names = "--init", description = "Create a new, empty store when the data directory has none"
                + " (otherwise that is an error: a mistyped --data-dir must not start a second store).")
        boolean init;

        @Override
        public Integer call() {
            try (Store store = dataDir.open(spec, init)) {
                Tenant t = store.createTenant(name);
                IssuedToken admin = store.createApiToken(t.id(), "created with tenant", ApiScope.ADMIN);
                IssuedToken operations = store.createApiToken(t.id(), "created with tenant", ApiScope.OPERATIONS);
                PrintWriter out = spec.commandLine().getOut();
                out.println("tenant-id: " + t.id());
                out.println("api-token: " + admin.plaintext());
                out.println("operations-token: " + operations.plaintext());
                out.println("api-token has scope admin: everything (settings, agents, registration tokens, audit and"
                        + " operations); keep it for administrators.");
                out.println("operations-token has scope operations: password reset, change, unlock and status only;"
                        + " give it to the SSPR portal.");
                out.println("Both tokens are shown only once. Send one as: Authorization: Bearer <token>");
                return 0;
            }
        }
    }

    /** {@code relay tenant list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants.")
    static final class TenantList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Override
        public Integer call() {
            try (Store store = dataDir.open(spec)) {
                PrintWriter out = spec.commandLine().getOut();
                out.printf("%-36s  %-8s  %-6s  %s%n", "TENANT-ID", "ENABLED", "UNLOCK", "NAME");
                for (Tenant t : store.tenants()) {
                    out.printf("%-36s  %-8s  %-6s  %s%n", t.id(), t.enabled(), t.allowUnlockWithoutReset(), t.name());
                }
                return 0;
            }
        }
    }

    /** {@code relay token ...}. */
    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Create, list and revoke registration and API tokens.",
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class TokenCommands {
        // a group: without a subcommand picocli prints "Missing required subcommand" and the usage, exit code 2
    }

    /** {@code relay token create --tenant ID [--api [--scope SCOPE]]}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a one-time agent registration token (default) or, with --api, an API token.")
    static final class TokenCreate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id.")
        String tenant;

        @Option(names = "--api", description = "Create a REST API token instead of a registration token.")
        boolean api;

        @Option(names = "--scope", paramLabel = "operations|password-check|admin",
                description = "Scope of the API token (with --api). Default: operations (least privilege):"
                        + " password reset, change, unlock and status, for an SSPR portal. password-check: only"
                        + " POST /api/v1/authentication/password-check, for a cloud sign-in checking synced passwords."
                        + " admin: everything, also settings, agents, registration tokens, hash sync and the audit log.")
        String scope;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h", description = "Registration token lifetime (default ${DEFAULT-VALUE}).")
        String ttl;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            if (scope != null && !api) {
                err.println("--scope: " + scope + " (expected: only with --api)");
                return 2;
            }
            ApiScope apiScope = scope == null ? ApiScope.OPERATIONS : ApiScope.ofWire(scope).orElse(null);
            if (apiScope == null) {
                err.println("--scope: " + scope + " (expected: " + ApiScope.EXPECTED + ")");
                return 2;
            }
            try (Store store = dataDir.open(spec)) {
                if (store.tenant(tenant).isEmpty()) {
                    err.println("--tenant: " + tenant + " (expected: an existing tenant id; see `relay tenant list`)");
                    return 2;
                }
                PrintWriter out = spec.commandLine().getOut();
                if (api) {
                    out.println(store.createApiToken(tenant, "cli", apiScope).plaintext());
                    err.println("API token with scope " + apiScope.wire() + ", shown only once");
                } else {
                    Duration d = RelayConfigLoader.parseDuration("--ttl", ttl);
                    IssuedToken t = store.createRegistrationToken(tenant, d);
                    out.println(t.plaintext());
                    spec.commandLine().getErr().println("One-time registration token, valid until " + t.expiresAt());
                }
                return 0;
            }
        }
    }

    /** {@code relay token list --tenant ID}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List a tenant's API and registration tokens: id, kind, scope, state, label, created and last"
                    + " used (never the token itself).")
    static final class TokenList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id.")
        String tenant;

        @Override
        public Integer call() {
            try (Store store = dataDir.open(spec)) {
                if (store.tenant(tenant).isEmpty()) {
                    spec.commandLine().getErr().println("--tenant: " + tenant
                            + " (expected: an existing tenant id; see `relay tenant list`)");
                    return 2;
                }
                PrintWriter out = spec.commandLine().getOut();
                String row = "%-36s  %-12s  %-10s  %-7s  %-24s  %-24s  %s%n";
                out.printf(row, "TOKEN-ID", "KIND", "SCOPE", "STATE", "CREATED", "LAST-USED", "LABEL");
                java.time.Instant now = java.time.Instant.now();
                for (TokenInfo t : store.tokens(tenant)) {
                    out.printf(row, t.id(), t.kind().wire(), t.scope() == null ? "-" : t.scope().wire(), t.state(now),
                            t.createdAt(), t.lastUsedAt() == null ? "never" : t.lastUsedAt(),
                            t.label() == null ? "-" : t.label());
                }
                return 0;
            }
        }
    }

    /** {@code relay token revoke --tenant ID TOKEN_ID}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke an API or registration token at once: the next request that presents it gets 401.")
    static final class TokenRevoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id.")
        String tenant;

        @Parameters(paramLabel = "TOKEN_ID", description = "The token's id, from `relay token list`.")
        String tokenId;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            try (Store store = dataDir.open(spec)) {
                if (store.tenant(tenant).isEmpty()) {
                    err.println("--tenant: " + tenant + " (expected: an existing tenant id; see `relay tenant list`)");
                    return 2;
                }
                var revoked = store.revokeToken(tenant, tokenId);
                if (revoked.isEmpty()) {
                    err.println("TOKEN_ID: " + tokenId + " (expected: a token id of tenant " + tenant
                            + "; see `relay token list --tenant " + tenant + "`)");
                    return 1;
                }
                store.appendAudit(new AuditRecord(0, java.time.Instant.now(), tenant, null, "cli", AuditEvent.TOKEN_REVOKED.name(), "",
                        AuditEvent.OK, null, null, 0, "tokenId=" + tokenId + " kind=" + revoked.get().kind().wire()));
                spec.commandLine().getOut().println("Revoked " + revoked.get().kind().wire() + " token " + tokenId);
                return 0;
            }
        }
    }

    /** {@code relay agents ...}. */
    @Command(name = "agents", mixinStandardHelpOptions = true, description = "List registered agents.", subcommands = AgentsList.class)
    static final class AgentCommands {
        // a group: without a subcommand picocli prints "Missing required subcommand" and the usage, exit code 2
    }

    /** {@code relay agents list --tenant ID}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the agents of a tenant.")
    static final class AgentsList implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DataDir dataDir;

        @Option(names = "--tenant", required = true, paramLabel = "ID", description = "Tenant id.")
        String tenant;

        @Override
        public Integer call() {
            try (Store store = dataDir.open(spec)) {
                if (store.tenant(tenant).isEmpty()) {
                    spec.commandLine().getErr().println("--tenant: " + tenant + " (expected: an existing tenant id; see `relay tenant list`)");
                    return 2;
                }
                PrintWriter out = spec.commandLine().getOut();
                // The nodes of a cluster write the sessions they hold; a relay on its own writes none ("-").
                var fresh = java.time.Instant.now().minus(dev.writeback.relay.cluster.SessionPresence.EXPIRY);
                var nodes = new java.util.TreeMap<String, java.util.TreeSet<String>>();
                store.sessions(tenant, fresh).forEach(r -> nodes.computeIfAbsent(r.agentId(), k -> new java.util.TreeSet<>())
                        .add(r.nodeId()));
                String row = "%-36s  %-20s  %-10s  %-25s  %-20s  %s%n";
                out.printf(row, "AGENT-ID", "NAME", "KEY", "LAST-SEEN", "NODES", "VERSION");
                for (AgentRecord a : store.agents(tenant)) {
                    var key = store.currentKey(a.id());
                    var on = nodes.get(a.id());
                    out.printf(row, a.id(), a.name(), key.map(k -> "v" + k.version()).orElse("-"),
                            a.lastSeen() == null ? "never" : a.lastSeen(), on == null ? "-" : String.join(",", on),
                            a.lastVersion() == null ? "-" : a.lastVersion());
                }
                return 0;
            }
        }
    }

    /** Administrative commands print their own results; library INFO lines would only clutter them. */
    static void quietLogs() {
        if (System.getenv("WRITEBACK_LOG_LEVEL") == null
                && org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    /** Reports the build version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RelayCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Writeback relay " + (v == null ? "0.1.0-dev" : v)};
        }
    }
}
