package dev.writeback.systemtests;

import dev.writeback.agent.Agent;
import dev.writeback.agent.AgentCommand;
import dev.writeback.agent.AgentConfig;
import dev.writeback.relay.RelayConfig;
import dev.writeback.relay.RelayServer;
import dev.writeback.relay.store.Tenant;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Starts a relay and agents on 127.0.0.1 with the embedded directory, the way an operator would. */
public final class Loopback {
    private Loopback() {}

    static RelayServer relay(Path dir) throws Exception {
        var config = RelayConfig.builder(dir.resolve("relay")).listen("127.0.0.1", 0)
                .heartbeat(Duration.ofSeconds(5), Duration.ofSeconds(30)).build();
        return RelayServer.start(config);
    }

    /** Creates a tenant and returns its id and API token. */
    static String[] tenant(RelayServer relay, String name) {
        Tenant t = relay.store().createTenant(name);
        return new String[] {t.id(), relay.store().createApiToken(t.id(), "test").plaintext()};
    }

    /** Registers an agent through the real {@code agent register} command line; returns its state directory. */
    public static Path register(RelayServer relay, String tenantId, Path dir, String name) {
        String token = relay.store().createRegistrationToken(tenantId, Duration.ofHours(1)).plaintext();
        Path state = dir.resolve(name).resolve("state");
        var out = new StringWriter();
        var cl = AgentCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute("register", "--relay", "https://127.0.0.1:" + relay.port(), "--token", token, "--name", name,
                "--state-dir", state.toString(), "--trust-fingerprint", relay.fingerprint());
        if (code != 0) {
            throw new AssertionError("agent register exited " + code + ": " + out);
        }
        return state;
    }

    /** Writes agent.yaml for an embedded directory on the given ports and starts the agent. */
    static Agent agent(Path state, int ldapPort, int ldapsPort) throws Exception {
        return agent(state, ldapPort, ldapsPort, java.time.Clock.systemUTC());
    }

    /** As {@link #agent(Path, int, int)}, on the given clock. */
    static Agent agent(Path state, int ldapPort, int ldapsPort, java.time.Clock clock) throws Exception {
        return agent(state, ldapPort, ldapsPort, clock, "");
    }

    /** As {@link #agent(Path, int, int)}, on the given clock, with {@code moreYaml} appended to agent.yaml. */
    static Agent agent(Path state, int ldapPort, int ldapsPort, java.time.Clock clock, String moreYaml) throws Exception {
        Path yaml = state.getParent().resolve("agent.yaml");
        Files.writeString(yaml, """
                stateDir: state
                heartbeatInterval: 5s
                directories:
                  - name: corp
                    type: embedded
                    embedded:
                      dataDir: embedded-directory
                      baseDn: DC=corp,DC=example
                      host: 127.0.0.1
                      ldapPort: %d
                      ldapsPort: %d
                """.formatted(ldapPort, ldapsPort) + moreYaml);
        return Agent.start(AgentConfig.load(yaml), clock, System.getenv());
    }

    public static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
