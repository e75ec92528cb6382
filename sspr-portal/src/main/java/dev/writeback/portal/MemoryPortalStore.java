package dev.writeback.portal;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link PortalStore} in memory, for tests and a portal run on its own; its limits end with the process. */
public final class MemoryPortalStore implements PortalStore {
    private record Stored(Instant expiresAt, byte[] state) {}

    private final Map<String, PortalSettings> settings = new ConcurrentHashMap<>();
    private final Map<String, Stored> sessions = new ConcurrentHashMap<>();
    private final Map<String, List<Instant>> events = new ConcurrentHashMap<>();
    private final Map<String, Instant> locks = new ConcurrentHashMap<>();
    private final List<PortalAudit> audit = new CopyOnWriteArrayList<>();
    private final byte[] codeKey = new byte[32];

    public MemoryPortalStore() {
        new SecureRandom().nextBytes(codeKey);
    }

    /** Sets a tenant's settings. */
    public void put(PortalSettings tenant) {
        settings.put(tenant.tenantName(), requireNonNull(tenant, "tenant"));
    }

    /** Every audit record so far. */
    public List<PortalAudit> auditRecords() {
        return List.copyOf(audit);
    }

    /** Every session's serialized state (tests search it for secrets). */
    public List<byte[]> sessionStates() {
        return sessions.values().stream().map(Stored::state).toList();
    }

    @Override
    public Optional<PortalSettings> settings(String tenantName) {
        return Optional.ofNullable(settings.get(tenantName));
    }

    @Override
    public Optional<PortalSettings> settingsByHostname(String host) {
        String name = PortalSettings.normalHost(host);
        return name == null ? Optional.empty()
                : settings.values().stream().filter(s -> name.equals(s.hostname())).findFirst();
    }

    @Override
    public Optional<byte[]> session(String sessionKey, Instant now) {
        Stored s = sessions.get(sessionKey);
        return s == null || !s.expiresAt.isAfter(now) ? Optional.empty() : Optional.of(s.state.clone());
    }

    @Override
    public void saveSession(String sessionKey, String tenantId, Instant expiresAt, byte[] state) {
        sessions.put(sessionKey, new Stored(expiresAt, state.clone()));
    }

    @Override
    public void deleteSession(String sessionKey) {
        sessions.remove(sessionKey);
    }

    @Override
    public void addEvent(String tenantId, String kind, String key, Instant at) {
        events.computeIfAbsent(tenantId + "/" + kind + "/" + key, k -> new CopyOnWriteArrayList<>()).add(at);
    }

    @Override
    public int countEvents(String tenantId, String kind, String key, Instant since) {
        return (int) events.getOrDefault(tenantId + "/" + kind + "/" + key, new ArrayList<>()).stream()
                .filter(t -> !t.isBefore(since)).count();
    }

    @Override
    public void clearEvents(String tenantId, String kind, String key) {
        events.remove(tenantId + "/" + kind + "/" + key);
    }

    @Override
    public void lock(String tenantId, String key, Instant until) {
        locks.put(tenantId + "/" + key, until);
    }

    @Override
    public Optional<Instant> lockedUntil(String tenantId, String key, Instant now) {
        Instant until = locks.get(tenantId + "/" + key);
        return until != null && until.isAfter(now) ? Optional.of(until) : Optional.empty();
    }

    @Override
    public void unlock(String tenantId, String key) {
        locks.remove(tenantId + "/" + key);
    }

    @Override
    public byte[] codeKey() {
        return codeKey.clone();
    }

    @Override
    public void audit(PortalAudit record) {
        audit.add(requireNonNull(record, "record"));
    }
}
