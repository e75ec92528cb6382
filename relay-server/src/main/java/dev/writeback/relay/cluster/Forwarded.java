package dev.writeback.relay.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.writeback.protocol.Operation;
import dev.writeback.protocol.RequestId;
import dev.writeback.relay.routing.InFlight;
import dev.writeback.relay.routing.RequestInfo;
import dev.writeback.relay.routing.SealedRequest;
import java.io.IOException;
import java.time.Instant;

/**
 * The two messages of a forwarded operation, as JSON on NATS: the request (what routing knows of it, nothing
 * secret, and the sealed bytes for one agent) and the reply (how it ended on the node holding the agent, with the
 * agent's outcome sealed again under the same package key). Subject: {@code wb.v1.deliver.<agentId>}.
 */
final class Forwarded {
    static final String SUBJECT_PREFIX = "wb.v1.deliver.";
    /** Holders of one agent form a queue group: one of them takes each request. */
    static final String QUEUE = "holders";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private Forwarded() {}

    static String subject(String agentId) {
        return SUBJECT_PREFIX + agentId;
    }

    /** A request for the node holding {@code agentId}. */
    record Request(int v, String origin, String tenantId, String requestId, String operation, String anchor,
                   long expiresAtMillis, String agentId, int keyVersion, byte[] sealed) {
        static Request of(String origin, RequestInfo info, SealedRequest sealed) {
            return new Request(1, origin, info.tenantId(), info.requestId().toString(), info.operation().name(),
                    info.anchor(), info.expiresAt().toEpochMilli(), sealed.agentId(), sealed.keyVersion(), sealed.sealed());
        }

        RequestInfo info() {
            return new RequestInfo(tenantId, RequestId.parse(requestId), Operation.valueOf(operation), anchor,
                    Instant.ofEpochMilli(expiresAtMillis));
        }

        SealedRequest sealedRequest() {
            return new SealedRequest(agentId, keyVersion, sealed);
        }
    }

    /**
     * How it ended on the holder: {@code miss} (BUSY or GONE: not delivered there), or {@code endedIn} with the
     * outcome sealed for the origin ({@code result}) and whether a retry is safe.
     */
    record Reply(int v, String node, String miss, String endedIn, boolean retrySafe, byte[] result) {
        static Reply missed(String node, InFlight.Miss why) {
            return new Reply(1, node, why.name(), null, true, null);
        }

        static Reply finished(String node, InFlight.State endedIn, boolean retrySafe, byte[] sealedOutcome) {
            return new Reply(1, node, null, endedIn.name(), retrySafe, sealedOutcome);
        }
    }

    static byte[] encode(Object message) {
        try {
            return JSON.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    static <T> T decode(byte[] bytes, Class<T> type) throws IOException {
        T value = JSON.readValue(bytes, type);
        if (value == null) {
            throw new IOException("empty " + type.getSimpleName());
        }
        return value;
    }
}
