package dev.writeback.relay.api;

import static java.util.Objects.requireNonNull;

import dev.writeback.portal.Account;
import dev.writeback.portal.Lookup;
import dev.writeback.portal.Writeback;
import dev.writeback.portal.WritebackResult;
import dev.writeback.portal.WritebackState;
import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Outcome;
import dev.writeback.protocol.PasswordRequest;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import dev.writeback.relay.store.Store;
import dev.writeback.relay.store.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The portal's {@link Writeback} inside the relay process: LOOKUP, reset and unlock are sealed and routed to one
 * healthy agent of the tenant through the same {@link AgentGateway} as the REST API, and the tenant's writeback
 * settings apply as they do there (writeback off: WRITEBACK_DISABLED; unlock only when allowed). The portal keeps
 * ownership of the new password and wipes it.
 */
public final class RelayWriteback implements Writeback {
    /** How long past the deadline the portal waits for the gateway before it takes TIMEOUT as the answer. */

    private final AgentGateway gateway;
    private final Store store;
    private final Clock clock;
    private final Duration timeout;

    public RelayWriteback(AgentGateway gateway, Store store, Clock clock, Duration timeout) {
        this.gateway = requireNonNull(gateway, "gateway");
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    @Override
    public CompletableFuture<WritebackState> status(String tenantId) {
        boolean on = tenant(tenantId).map(Tenant::enabled).orElse(false);
        return CompletableFuture.completedFuture(on && !gateway.live(tenantId).isEmpty() ? WritebackState.UP : WritebackState.DOWN);
    }

    @Override
    public CompletableFuture<Lookup> lookup(String tenantId, String userId) {
        RequestId id = RequestId.random();
        if (!tenant(tenantId).map(Tenant::enabled).orElse(false)) {
            return CompletableFuture.completedFuture(Lookup.failed(id.toString(), ResultCode.WRITEBACK_DISABLED));
        }
        Instant now = clock.instant();
        PasswordRequest request;
        try {
            request = PasswordRequest.lookup(userId, now, now.plus(timeout));
        } catch (IllegalArgumentException e) {   // blank, too long or with control characters: names no account
            return CompletableFuture.completedFuture(Lookup.failed(id.toString(), ResultCode.USER_NOT_FOUND));
        }
        return submit(tenantId, id, request).thenApply(outcome -> outcome.profile()
                .map(p -> Lookup.found(id.toString(), Account.of(p)))
                .orElseGet(() -> Lookup.failed(id.toString(),
                        outcome.code() == ResultCode.SUCCESS ? ResultCode.INTERNAL_ERROR : outcome.code())));
    }

    @Override
    public CompletableFuture<WritebackResult> reset(String tenantId, Anchor anchor, Secret newPassword, boolean unlock) {
        RequestId id = RequestId.random();
        if (!tenant(tenantId).map(Tenant::enabled).orElse(false)) {
            return refused(id, ResultCode.WRITEBACK_DISABLED);
        }
        Instant now = clock.instant();
        // not destroyed afterwards: the portal owns newPassword and wipes it itself
        var request = PasswordRequest.reset(anchor, newPassword, unlock, false, now, now.plus(timeout));
        return submit(tenantId, id, request).thenApply(o -> new WritebackResult(id.toString(), o.code(), o.reason()));
    }

    @Override
    public CompletableFuture<WritebackResult> unlock(String tenantId, Anchor anchor) {
        RequestId id = RequestId.random();
        Optional<Tenant> tenant = tenant(tenantId);
        if (!tenant.map(Tenant::enabled).orElse(false)) {
            return refused(id, ResultCode.WRITEBACK_DISABLED);
        }
        if (!tenant.get().allowUnlockWithoutReset()) {
            return refused(id, ResultCode.UNLOCK_NOT_ALLOWED);
        }
        Instant now = clock.instant();
        var request = PasswordRequest.unlock(anchor, now, now.plus(timeout));
        return submit(tenantId, id, request).thenApply(o -> new WritebackResult(id.toString(), o.code(), o.reason()));
    }

    private CompletableFuture<Outcome> submit(String tenantId, RequestId id, PasswordRequest request) {
        return gateway.submit(tenantId, id, request).thenApply(Delivery::outcome);
    }

    private Optional<Tenant> tenant(String tenantId) {
        return store.tenant(tenantId);
    }

    private static CompletableFuture<WritebackResult> refused(RequestId id, ResultCode code) {
        return CompletableFuture.completedFuture(new WritebackResult(id.toString(), code, dev.writeback.protocol.PolicyReason.NONE));
    }
}
