-- PostgreSQL copy of ../V3__portal.sql: BYTEA for BLOB, nothing else differs.
-- Schema version 3: the self-service password reset portal. Settings per tenant (off unless a row says on), its
-- server-side sessions (keyed by the SHA-256 of the cookie), the events and lockouts of its abuse limits (keys are
-- keyed hashes, never a user id or an address in clear). The SMTP password is stored only sealed by the master key.
CREATE TABLE portal_settings (
    tenant_id       VARCHAR(36)  NOT NULL PRIMARY KEY REFERENCES tenant (id),
    enabled         BOOLEAN      NOT NULL,
    contact         VARCHAR(200) NOT NULL,
    base_url        VARCHAR(500),
    code_digits     INTEGER      NOT NULL,
    captcha_bits    INTEGER      NOT NULL,
    mail_transport  VARCHAR(16),
    smtp_host       VARCHAR(255),
    smtp_port       INTEGER,
    smtp_security   VARCHAR(16),
    smtp_username   VARCHAR(255),
    smtp_password   BYTEA,
    mail_from       VARCHAR(255),
    outbox          VARCHAR(1000)
);

CREATE TABLE portal_session (
    session_key  CHAR(64)    NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(36) NOT NULL,
    expires_at   BIGINT      NOT NULL,
    state        BYTEA        NOT NULL
);

CREATE INDEX portal_session_expiry ON portal_session (expires_at);

CREATE TABLE portal_event (
    tenant_id    VARCHAR(36) NOT NULL,
    kind         VARCHAR(32) NOT NULL,
    key_hash     CHAR(64)    NOT NULL,
    occurred_at  BIGINT      NOT NULL
);

CREATE INDEX portal_event_key ON portal_event (tenant_id, kind, key_hash, occurred_at);

CREATE TABLE portal_lock (
    tenant_id    VARCHAR(36) NOT NULL,
    key_hash     CHAR(64)    NOT NULL,
    locked_until BIGINT      NOT NULL,
    PRIMARY KEY (tenant_id, key_hash)
);
