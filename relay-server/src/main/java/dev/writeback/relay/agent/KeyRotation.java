package dev.writeback.relay.agent;

import dev.writeback.protocol.ErrorCode;
import dev.writeback.protocol.Message;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.crypto.KeyPairs;
import dev.writeback.protocol.crypto.PackageKey;
import dev.writeback.protocol.crypto.RsaOaep;
import dev.writeback.relay.store.AgentKey;
import dev.writeback.relay.store.AuditRecord;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Key rollover (DESIGN §4): the relay sends ROTATE_KEYS, the agent answers KEYS with a new RSA public key, the
 * relay stores a new package key and sends it back wrapped with that key. Both sides keep the previous version
 * for {@link #overlap()} so requests sealed before the switch still open, then destroy it.
 */
public final class KeyRotation {
    private static final Logger logger = LoggerFactory.getLogger(KeyRotation.class);

    private final SessionContext context;

    /** Rotation for the sessions of one relay. */
    public KeyRotation(SessionContext context) {
        this.context = context;
    }

    /** How long a replaced key version stays usable: by default twice the longest request plus a minute. */
    public Duration overlap() {
        return context.config().keyOverlap();
    }

    /** Starts a rollover on every session of the agent; false when none is connected. */
    public boolean rotate(String agentId) {
        var sessions = context.sessions().ofAgent(agentId);
        if (sessions.isEmpty()) {
            return false;
        }
        start(sessions.get(0));
        return true;
    }

    /** Rotates when the current key is older than the configured interval. */
    void rotateIfDue(AgentSession session) {
        Instant created = session.keys().currentCreatedAt();
        if (created != null && Duration.between(created, context.clock().instant()).compareTo(context.config().keyRotationInterval()) >= 0) {
            logger.info("RLY-401 key version {} of agent={} is older than {}, rotating", session.keys().currentVersion(),
                    session.agentId(), context.config().keyRotationInterval());
            start(session);
        }
    }

    /** Checks every live session for due rotation and destroys retired key versions past their overlap. */
    public void tick() {
        for (AgentSession s : context.sessions().all()) {
            s.channel().eventLoop().execute(() -> rotateIfDue(s));
        }
        context.blocking().execute(() -> {
            try {
                int destroyed = context.store().destroyRetiredKeys(context.clock().instant());
                if (destroyed > 0) {
                    logger.info("RLY-403 destroyed {} retired key versions", destroyed);
                }
            } catch (RuntimeException e) {
                logger.warn("RLY-404 destroying retired keys failed: {}", e.toString());
            }
        });
    }

    private void start(AgentSession session) {
        session.channel().eventLoop().execute(() -> {
            if (session.rotatingTo() != 0 || !session.channel().isActive()) {
                return;
            }
            int next = session.keys().currentVersion() + 1;
            session.rotatingTo(next);
            session.channel().writeAndFlush(new Message.RotateKeys(next));
            logger.info("RLY-400 key rotation started agent={} from={} to={}", session.agentId(), next - 1, next);
        });
    }

    /** Handles the agent's KEYS answer (on the session's event loop). */
    void onKeys(AgentSession session, Message.Keys keys) {
        if (session.rotatingTo() == 0 || keys.keyVersion() != session.rotatingTo() || keys.rsaPublicKey().length == 0) {
            session.channel().writeAndFlush(new Message.ErrorMessage(RequestId.ZERO, ErrorCode.UNEXPECTED_FRAME,
                    "KEYS version " + keys.keyVersion() + " (expected: " + session.rotatingTo() + " after ROTATE_KEYS)"));
            return;
        }
        PublicKey rsa;
        try {
            rsa = KeyPairs.encryptionPublicKey(keys.rsaPublicKey());
        } catch (IllegalArgumentException e) {
            session.rotatingTo(0);
            session.channel().writeAndFlush(new Message.ErrorMessage(RequestId.ZERO, ErrorCode.MALFORMED_FRAME, e.getMessage()));
            return;
        }
        int version = keys.keyVersion();
        PackageKey packageKey = PackageKey.generate(version, context.random());
        CompletableFuture.supplyAsync(() -> persist(session, version, keys.rsaPublicKey(), packageKey), context.blocking())
                .whenComplete((stored, error) -> session.channel().eventLoop().execute(() -> {
                    session.rotatingTo(0);
                    if (error != null) {
                        packageKey.close();
                        logger.warn("RLY-405 key rotation failed agent={} version={}: {}", session.agentId(), version, error.toString());
                        return;
                    }
                    byte[] wrapped = RsaOaep.wrap(packageKey, rsa, context.random());
                    packageKey.close();
                    int previous = session.keys().currentVersion();
                    session.keys().add(stored);
                    session.channel().writeAndFlush(new Message.Keys(version, new byte[0], wrapped));
                    session.channel().eventLoop().schedule(() -> session.keys().forget(previous), overlap().toMillis(), TimeUnit.MILLISECONDS);
                    logger.info("RLY-402 key rotation done agent={} keyVersion={} previous={} destroyedAfter={}",
                            session.agentId(), version, previous, overlap());
                }));
    }

    private AgentKey persist(AgentSession session, int version, byte[] rsaDer, PackageKey key) {
        var store = context.store();
        byte[] raw = key.bytes();
        try {
            store.addKeyVersion(session.agentId(), version, rsaDer, raw);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
        Instant now = context.clock().instant();
        store.retireKeysBelow(session.agentId(), version, now.plus(overlap()));
        store.appendAudit(new AuditRecord(0, now, session.tenantId(), "", "relay", "KEYS_ROTATED", "", "OK", "",
                session.agentId(), 0, "key version " + version));
        return store.key(session.agentId(), version).orElseThrow();
    }
}
