package dev.writeback.portal;

import dev.writeback.protocol.Anchor;
import dev.writeback.protocol.PolicyReason;
import dev.writeback.protocol.RequestId;
import dev.writeback.protocol.ResultCode;
import dev.writeback.protocol.Secret;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link Writeback} with accounts in memory: ada (eligible), bob (disabled), root (protected), nomail. */
public final class FakeWriteback implements Writeback {
    public static final PasswordPolicy POLICY = new PasswordPolicy(8, true, 24);

    public volatile WritebackState state = WritebackState.UP;
    public final Map<String, Account> accounts = new ConcurrentHashMap<>();
    public final Map<String, String> passwords = new ConcurrentHashMap<>();
    public final List<String> unlocked = new CopyOnWriteArrayList<>();
    /** Passwords the "directory" refuses as used before. */
    public final List<String> history = new CopyOnWriteArrayList<>(List.of("Old-Password-1"));

    public FakeWriteback() {
        add("ada", "Ada Lovelace", true, false, List.of("ada@corp.example"));
        add("bob", "Bob", false, false, List.of("bob@corp.example"));
        add("root", "Root", true, true, List.of("root@corp.example"));
        add("nomail", "No Mail", true, false, List.of());
    }

    private void add(String sam, String name, boolean enabled, boolean prot, List<String> mail) {
        accounts.put(sam, new Account(Anchor.parse("sam:" + sam), name, enabled, true, false, prot, mail, POLICY));
    }

    @Override
    public CompletableFuture<WritebackState> status(String tenantId) {
        return CompletableFuture.completedFuture(state);
    }

    @Override
    public CompletableFuture<Lookup> lookup(String tenantId, String userId) {
        String id = RequestId.random().toString();
        if (!state.usable()) {
            return CompletableFuture.completedFuture(Lookup.failed(id, ResultCode.AGENT_OFFLINE));
        }
        String sam = userId.contains("@") ? userId.substring(0, userId.indexOf('@')) : userId;
        Account a = accounts.get(sam.toLowerCase(java.util.Locale.ROOT));
        return CompletableFuture.completedFuture(a == null ? Lookup.failed(id, ResultCode.USER_NOT_FOUND) : Lookup.found(id, a));
    }

    @Override
    public CompletableFuture<WritebackResult> reset(String tenantId, Anchor anchor, Secret newPassword, boolean unlock) {
        String id = RequestId.random().toString();
        String pw = new String(newPassword.reveal());
        if (history.contains(pw)) {
            return CompletableFuture.completedFuture(new WritebackResult(id, ResultCode.POLICY_VIOLATION, PolicyReason.HISTORY));
        }
        passwords.put(anchor.value(), pw);
        return CompletableFuture.completedFuture(new WritebackResult(id, ResultCode.SUCCESS, PolicyReason.NONE));
    }

    @Override
    public CompletableFuture<WritebackResult> unlock(String tenantId, Anchor anchor) {
        unlocked.add(anchor.value());
        return CompletableFuture.completedFuture(new WritebackResult(RequestId.random().toString(), ResultCode.SUCCESS,
                PolicyReason.NONE));
    }
}
