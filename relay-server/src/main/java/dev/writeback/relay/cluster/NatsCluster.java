package dev.writeback.relay.cluster;

import static java.util.Objects.requireNonNull;

import dev.writeback.protocol.FrameType;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.crypto.EnvelopeContext;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.Sealing;
import dev.writeback.relay.agent.AgentSession;
import dev.writeback.relay.agent.AgentSessions;
import dev.writeback.relay.routing.InFlight;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to the others over NATS. As a holder it subscribes, for every agent it holds a session of, to
 * {@code wb.v1.deliver.<agentId>} in the queue group of that agent's holders, delivers what arrives to a local
 * session as if its own API had routed it, and answers how it ended (the outcome sealed again under the request's
 * package key). As an origin it sends such requests ({@link #forward}). NATS delivers at most once: a request is
 * never sent twice, a "no responders" answer means nobody held the agent, and a lost answer after delivery is
 * {@code OUTCOME_UNKNOWN}.
 */
public final class NatsCluster implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(NatsCluster.class);

    private final String nodeId;
    private final Connection connection;
    private final Dispatcher dispatcher;
    private final AgentSessions sessions;
    private final SecureRandom random;
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();

    private NatsCluster(String nodeId, Connection connection, AgentSessions sessions, SecureRandom random) {
        this.nodeId = nodeId;
        this.connection = connection;
        this.sessions = sessions;
        this.random = random;
        this.dispatcher = connection.createDispatcher();
    }

    /** Connects to NATS (failing at once, naming the servers, when it cannot) and starts offering local agents. */
    public static NatsCluster start(ClusterSettings settings, String nodeId, AgentSessions sessions,
                                    Function<String, String> environment, SecureRandom random) {
        requireNonNull(settings, "settings");
        var options = Options.builder()
                .servers(settings.urls().toArray(String[]::new))
                .connectionName("writeback-relay " + nodeId)
                .connectionTimeout(Duration.ofSeconds(5))
                .maxReconnects(-1)
                .reconnectWait(Duration.ofSeconds(1))
                .noEcho()
                .reportNoResponders();   // "nobody holds the agent" must not look like a timeout (which may have applied)
        char[] password = settings.password(environment);
        if (password != null) {
            // jnats keeps this array and logs in with it again at every reconnect: it must not be wiped here
            options.userInfo(settings.username().toCharArray(), password);
        }
        if (settings.caFile() != null) {
            options.sslContext(trusting(settings));
        }
        Connection connection;
        try {
            connection = Nats.connect(options.build());
        } catch (IOException e) {
            throw new IllegalStateException("cluster.nats.urls: " + settings.urls() + " cannot be reached ("
                    + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("cluster: interrupted while connecting to NATS", e);
        }
        var cluster = new NatsCluster(nodeId, connection, sessions, random);
        sessions.onPresence(cluster::presence);
        for (AgentSession s : sessions.all()) {
            cluster.presence(s.agentId(), true);
        }
        logger.info("RLY-016 cluster node {} connected to NATS {}", nodeId, connection.getConnectedUrl());
        return cluster;
    }

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /** Whether NATS is connected now (readiness). */
    public boolean connected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
    }

    /** Sends a request to the holders of its agent; completes with their reply, or exceptionally. */
    CompletableFuture<Message> forward(Forwarded.Request request, Duration timeout) {
        return connection.requestWithTimeout(Forwarded.subject(request.agentId()), Forwarded.encode(request), timeout);
    }

    private void presence(String agentId, boolean present) {
        String subject = Forwarded.subject(agentId);
        if (present) {
            if (subscribed.add(agentId)) {
                dispatcher.subscribe(subject, Forwarded.QUEUE, this::onRequest);
            }
        } else if (sessions.ofAgent(agentId).isEmpty() && subscribed.remove(agentId)) {
            dispatcher.unsubscribe(subject);
        }
    }

    /** A request from another node for an agent this node holds; never blocks the dispatcher. */
    private void onRequest(Message message) {
        String replyTo = message.getReplyTo();
        if (replyTo == null) {
            return;   // not a request: nobody to answer
        }
        Forwarded.Request request;
        try {
            request = Forwarded.decode(message.getData(), Forwarded.Request.class);
            if (request.v() != 1) {
                throw new IOException("version " + request.v() + " (expected: 1)");
            }
        } catch (IOException | RuntimeException e) {
            logger.warn("RLY-017 forwarded request refused: {}", e.getMessage());
            return;   // the origin's deadline ends it as if lost
        }
        Optional<AgentSession> session = sessions.ofAgent(request.agentId()).stream()
                .filter(s -> s.tenantId().equals(request.tenantId()) && s.acceptsWork())
                .min(java.util.Comparator.comparingInt(AgentSession::inFlight));
        if (session.isEmpty()) {
            reply(replyTo, Forwarded.Reply.missed(nodeId, InFlight.Miss.GONE));
            return;
        }
        AgentSession holder = session.get();
        var flight = new InFlight[1];
        flight[0] = new InFlight(request.info(), request.sealedRequest(), end -> {
            if (end instanceof InFlight.Missed missed) {
                reply(replyTo, Forwarded.Reply.missed(nodeId, missed.why()));
            } else if (end instanceof InFlight.Finished finished) {
                reply(replyTo, Forwarded.Reply.finished(nodeId, flight[0].endedIn(), finished.retrySafe(),
                        sealOutcome(holder, request, finished)));
            }
        });
        logger.debug("forwarded request {} from node {} to agent {}", request.requestId(), request.origin(), request.agentId());
        holder.deliver(flight[0]);
    }

    private byte[] sealOutcome(AgentSession holder, Forwarded.Request request, InFlight.Finished finished) {
        PackageKey key = holder.packageKey(request.keyVersion()).orElse(null);
        if (key == null) {
            return null;   // the version is gone here: the origin treats the answer as unreadable
        }
        var context = new EnvelopeContext(FrameType.RESULT, RequestId.parse(request.requestId()), request.tenantId(),
                request.agentId());
        return Sealing.sealResult(finished.outcome(), key, context, random);
    }

    private void reply(String replyTo, Forwarded.Reply reply) {
        try {
            connection.publish(replyTo, Forwarded.encode(reply));
        } catch (RuntimeException e) {
            logger.warn("RLY-018 answer to a forwarded request not sent: {}", e.toString());
        }
    }

    private static SSLContext trusting(ClusterSettings settings) {
        try (InputStream in = Files.newInputStream(settings.caFile())) {
            var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("cluster.nats.caFile: " + settings.caFile() + " holds no certificate");
            }
            var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            var context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cluster.nats.caFile: " + settings.caFile() + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
