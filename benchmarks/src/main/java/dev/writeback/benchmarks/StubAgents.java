package dev.writeback.benchmarks;

import dev.writeback.agent.AgentKeys;
import dev.writeback.agent.AgentState;
import dev.writeback.agent.link.LinkContext;
import dev.writeback.agent.link.RelayLink;
import dev.writeback.agent.link.RelayTrust;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.ResultCode;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Agents without a directory, in their own JVM: each registered state directory gets {@code links} real relay links
 * (TLS, AUTH with the agent's identity key, sealed REQUEST opened with its RSA key, sealed RESULT), and every
 * request is answered SUCCESS from memory. Prints {@code READY n} once every link is up, then runs until its
 * standard input closes (the benchmark that started it ended).
 *
 * <p>Usage: {@code StubAgents <links per agent> <state dir>...}
 */
public final class StubAgents {
    private StubAgents() {}

    public static void main(String[] args) throws Exception {
        org.slf4j.Logger root = org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger logback) {
            logback.setLevel(ch.qos.logback.classic.Level.WARN);
        }
        int perAgent = Integer.parseInt(args[0]);
        var workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors() * 2));
        var links = new ArrayList<RelayLink>();
        Outcome success = Outcome.of(ResultCode.SUCCESS, "Your password was changed.", "stub agent: answered from memory");
        for (int a = 1; a < args.length; a++) {
            Path state = Path.of(args[a]);
            AgentState s = AgentState.load(state);
            AgentKeys keys = AgentKeys.load(state);
            PrivateKey identity = identityKey(state);
            for (int i = 0; i < perAgent; i++) {
                var context = new LinkContext(URI.create(s.relayUrl()), new RelayTrust(s.trustFingerprint(), null), null,
                        s.tenantId(), s.agentId(), "stub", identity, keys, state, request -> success, List::of, workers, null,
                        Clock.systemUTC(), new SecureRandom(), null, null);
                var link = new RelayLink(context);
                link.start();
                links.add(link);
            }
        }
        for (RelayLink link : links) {
            link.firstReady().get(120, TimeUnit.SECONDS);
        }
        System.out.println("READY " + links.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our input
        }
        links.forEach(RelayLink::close);
        workers.shutdownNow();
        System.exit(0);
    }

    /** The agent's identity key: the PKCS#8 PEM {@code identity.key} that {@code agent register} wrote. */
    private static PrivateKey identityKey(Path state) throws java.io.IOException {
        String pem = java.nio.file.Files.readString(state.resolve("identity.key"));
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return dev.writeback.protocol.crypto.KeyPairs.privateKey("EC", java.util.Base64.getDecoder().decode(base64));
    }
}
