package dev.writeback.portal;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.Secret;
import java.util.concurrent.CompletableFuture;

/**
 * What the portal needs from password writeback for one tenant: two implementations, in-process inside the relay
 * and {@link RestWriteback} over the REST API with an {@code operations} token. Futures never complete
 * exceptionally for an outcome the directory or the relay decided; they do for a broken transport, which the
 * portal shows as "not possible now".
 */
public interface Writeback {
    /** The tenant's writeback state; the portal refuses to start a reset unless it is UP or DEGRADED. */
    CompletableFuture<WritebackState> status(String tenantId);

    /** Looks up the account a user id (UPN, sAMAccountName or mail) names; never shown to the user as such. */
    CompletableFuture<Lookup> lookup(String tenantId, String userId);

    /** Resets the password (and unlocks when {@code unlock}); the caller keeps and wipes {@code newPassword}. */
    CompletableFuture<WritebackResult> reset(String tenantId, Anchor anchor, Secret newPassword, boolean unlock);

    /** Clears a lockout without touching the password. */
    CompletableFuture<WritebackResult> unlock(String tenantId, Anchor anchor);
}
