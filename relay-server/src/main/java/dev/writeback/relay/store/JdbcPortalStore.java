package dev.writeback.relay.store;

import static java.util.Objects.requireNonNull;

import dev.writeback.portal.PortalAudit;
import dev.writeback.portal.PortalSettings;
import dev.writeback.portal.PortalStore;
import dev.writeback.portal.mail.MailSettings;
import dev.writeback.protocol.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The portal's state in the relay's database (schema V3): settings per tenant, sessions, limit events and
 * lockouts, and the code key, stored sealed by the master key as is the SMTP password. Portal steps are audited
 * into the relay's audit log with actor {@code portal}.
 */
final class JdbcPortalStore implements PortalStore {
    private static final String CODE_KEY = "portal_code_key";
    private static final String COLUMNS = "enabled, contact, base_url, code_digits, captcha_bits, mail_transport,"
            + " smtp_host, smtp_port, smtp_security, smtp_username, smtp_password, mail_from, outbox, hostname";

    private final Database db;
    private final MasterKey masterKey;
    private final AuditLog audit;
    private final SecureRandom random;
    private final Supplier<Instant> now;

    JdbcPortalStore(Database db, MasterKey masterKey, AuditLog audit, SecureRandom random, Supplier<Instant> now) {
        this.db = db;
        this.masterKey = masterKey;
        this.audit = audit;
        this.random = random;
        this.now = now;
    }

    @Override
    public Optional<PortalSettings> settings(String tenantName) {
        requireNonNull(tenantName, "tenantName");
        return db.transaction(c -> Sql.one(c, "SELECT t.id, t.name, t.allow_unlock_without_reset, p.tenant_id AS configured, "
                + COLUMNS.replaceAll("(\\w+)", "p.$1") + " FROM tenant t LEFT JOIN portal_settings p ON p.tenant_id = t.id"
                + " WHERE t.name = ?", this::row, tenantName));
    }

    @Override
    public Optional<PortalSettings> settingsByHostname(String host) {
        String name = PortalSettings.normalHost(host);
        if (name == null) {
            return Optional.empty();
        }
        return db.transaction(c -> Sql.one(c, "SELECT t.id, t.name, t.allow_unlock_without_reset, p.tenant_id AS configured, "
                + COLUMNS.replaceAll("(\\w+)", "p.$1") + " FROM portal_settings p JOIN tenant t ON p.tenant_id = t.id"
                + " WHERE p.hostname = ?", this::row, name));
    }

    /** Replaces a tenant's portal settings. */
    void saveSettings(PortalSettings s) {
        MailSettings m = s.mail();
        byte[] sealed = m == null || m.password() == null ? null : seal(m.password(), s.tenantId());
        db.transaction(c -> {
            if (s.hostname() != null && Sql.exists(c, "SELECT 1 FROM portal_settings WHERE hostname = ? AND tenant_id <> ?",
                    s.hostname(), s.tenantId())) {
                // the other tenant is not named: an administrator of one tenant learns nothing of another
                throw new IllegalArgumentException("hostname: " + s.hostname() + " (expected: a hostname no other"
                        + " tenant's portal uses)");
            }
            Sql.update(c, "DELETE FROM portal_settings WHERE tenant_id = ?", s.tenantId());
            return Sql.update(c, "INSERT INTO portal_settings (tenant_id, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    s.tenantId(), s.enabled(), s.contact(), s.baseUrl() == null ? null : s.baseUrl().toString(),
                    s.codeDigits(), s.captchaBits(), m == null ? null : m.transport().name(), m == null ? null : m.host(),
                    m == null ? null : m.port(), m == null ? null : m.security().name(), m == null ? null : m.username(),
                    sealed, m == null ? null : m.from(), m == null || m.outbox() == null ? null : m.outbox().toString(),
                    s.hostname());
        });
    }

    private PortalSettings row(ResultSet r) throws SQLException {
        String tenantId = r.getString("id");
        var defaults = PortalSettings.defaults(tenantId, r.getString("name"), r.getBoolean("allow_unlock_without_reset"));
        if (r.getString("configured") == null) {
            return defaults;
        }
        MailSettings mail = null;
        String transport = r.getString("mail_transport");
        if (transport != null) {
            if (transport.equals("OUTBOX")) {
                mail = MailSettings.outbox(Path.of(r.getString("outbox")), r.getString("mail_from"));
            } else {
                byte[] sealed = r.getBytes("smtp_password");
                mail = MailSettings.smtp(r.getString("smtp_host"), r.getInt("smtp_port"),
                        MailSettings.Security.valueOf(r.getString("smtp_security")), r.getString("smtp_username"),
                        sealed == null ? null : open(sealed, tenantId), r.getString("mail_from"));
            }
        }
        String base = r.getString("base_url");
        return new PortalSettings(tenantId, defaults.tenantName(), r.getBoolean("enabled"),
                defaults.allowUnlockWithoutReset(), r.getString("contact"), base == null ? null : URI.create(base),
                r.getInt("code_digits"), r.getInt("captcha_bits"), mail, r.getString("hostname"));
    }

    @Override
    public Optional<byte[]> session(String sessionKey, Instant now) {
        return db.transaction(c -> Sql.one(c, "SELECT state FROM portal_session WHERE session_key = ? AND expires_at > ?",
                rows -> rows.getBytes(1), sessionKey, now));
    }

    @Override
    public void saveSession(String sessionKey, String tenantId, Instant expiresAt, byte[] state) {
        db.transaction(c -> {
            Sql.update(c, "DELETE FROM portal_session WHERE session_key = ? OR expires_at <= ?", sessionKey,
                    now.get());
            return Sql.update(c, "INSERT INTO portal_session (session_key, tenant_id, expires_at, state) VALUES (?, ?, ?, ?)",
                    sessionKey, tenantId, expiresAt, state);
        });
    }

    @Override
    public void deleteSession(String sessionKey) {
        db.transaction(c -> Sql.update(c, "DELETE FROM portal_session WHERE session_key = ?", sessionKey));
    }

    @Override
    public void addEvent(String tenantId, String kind, String key, Instant at) {
        db.transaction(c -> Sql.update(c, "INSERT INTO portal_event (tenant_id, kind, key_hash, occurred_at) VALUES (?, ?, ?, ?)",
                tenantId, kind, key, at));
    }

    @Override
    public int countEvents(String tenantId, String kind, String key, Instant since) {
        return db.transaction(c -> Sql.one(c, "SELECT COUNT(*) FROM portal_event WHERE tenant_id = ? AND kind = ?"
                + " AND key_hash = ? AND occurred_at >= ?", rows -> rows.getInt(1), tenantId, kind, key, since).orElse(0));
    }

    @Override
    public void clearEvents(String tenantId, String kind, String key) {
        db.transaction(c -> Sql.update(c, "DELETE FROM portal_event WHERE tenant_id = ? AND kind = ? AND key_hash = ?",
                tenantId, kind, key));
    }

    @Override
    public void lock(String tenantId, String key, Instant until) {
        db.transaction(c -> {
            Sql.update(c, "DELETE FROM portal_lock WHERE tenant_id = ? AND key_hash = ?", tenantId, key);
            return Sql.update(c, "INSERT INTO portal_lock (tenant_id, key_hash, locked_until) VALUES (?, ?, ?)",
                    tenantId, key, until);
        });
    }

    @Override
    public Optional<Instant> lockedUntil(String tenantId, String key, Instant now) {
        return db.transaction(c -> Sql.one(c, "SELECT locked_until FROM portal_lock WHERE tenant_id = ? AND key_hash = ?"
                + " AND locked_until > ?", rows -> Sql.instant(rows, "locked_until"), tenantId, key, now));
    }

    @Override
    public void unlock(String tenantId, String key) {
        db.transaction(c -> Sql.update(c, "DELETE FROM portal_lock WHERE tenant_id = ? AND key_hash = ?", tenantId, key));
    }

    @Override
    public byte[] codeKey() {
        byte[] aad = ("relay_meta|" + CODE_KEY).getBytes(StandardCharsets.UTF_8);
        return db.transaction(c -> {
            Optional<byte[]> stored = Sql.one(c, "SELECT value FROM relay_meta WHERE name = ?", rows -> rows.getBytes(1), CODE_KEY);
            if (stored.isPresent()) {
                return masterKey.decrypt(stored.get(), aad);
            }
            byte[] key = new byte[32];
            random.nextBytes(key);
            Sql.update(c, "INSERT INTO relay_meta (name, value) VALUES (?, ?)", CODE_KEY, masterKey.encrypt(key, aad));
            return key;
        });
    }

    @Override
    public void audit(PortalAudit a) {
        audit.append(new AuditRecord(0, a.time(), a.tenantId(), a.supportCode(), "portal", a.step().name(), a.subject(),
                a.result(), null, null, 0, ("method=" + a.method() + " " + a.detail()).strip()));
    }

    private byte[] seal(Secret password, String tenantId) {
        byte[] plain = password.toUtf8();
        try {
            return masterKey.encrypt(plain, ("portal_settings|" + tenantId).getBytes(StandardCharsets.UTF_8));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private Secret open(byte[] sealed, String tenantId) {
        byte[] plain = masterKey.decrypt(sealed, ("portal_settings|" + tenantId).getBytes(StandardCharsets.UTF_8));
        try {
            return Secret.fromUtf8(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }
}
