-- PostgreSQL copy of ../V6__hash_sync.sql: BYTEA for BLOB, nothing else differs.
-- Schema version 6: password hash sync (docs/hash-sync.md). Per tenant whether it is on and when the agents last
-- reported; per user the last status and, for SUCCESS, the stored form (Argon2id over the agent's PPH1 value,
-- sealed by the master key and bound to tenant and anchor: never an NT hash or a PPH1 value); a status history
-- kept 7 days.
CREATE TABLE hash_sync_tenant (
    tenant_id            VARCHAR(36)  NOT NULL PRIMARY KEY REFERENCES tenant (id),
    enabled              BOOLEAN      NOT NULL,
    full_sync_requested  BOOLEAN      NOT NULL,
    last_cycle           BIGINT,
    last_heartbeat       BIGINT
);

CREATE TABLE hash_sync_user (
    tenant_id     VARCHAR(36)   NOT NULL REFERENCES tenant (id),
    anchor        VARCHAR(1024) NOT NULL,
    upn           VARCHAR(1024) NOT NULL,
    status        INTEGER       NOT NULL,
    stamp         BIGINT        NOT NULL,
    updated_at    BIGINT        NOT NULL,
    agent_id      VARCHAR(36)   NOT NULL,
    stored        BYTEA,
    failures      INTEGER       NOT NULL,
    locked_until  BIGINT,
    PRIMARY KEY (tenant_id, anchor)
);

CREATE INDEX hash_sync_user_upn ON hash_sync_user (tenant_id, upn);

CREATE TABLE hash_sync_history (
    tenant_id  VARCHAR(36)   NOT NULL,
    anchor     VARCHAR(1024) NOT NULL,
    at         BIGINT        NOT NULL,
    status     INTEGER       NOT NULL
);

CREATE INDEX hash_sync_history_user ON hash_sync_history (tenant_id, anchor, at);

-- A third token scope, 'password-check' (POST /api/v1/authentication/password-check only). The scope's CHECK
-- constraint cannot be altered in place on SQLite, so the table is rebuilt with the same rows.
CREATE TABLE api_token_v6 (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    tenant_id     VARCHAR(36)  NOT NULL REFERENCES tenant (id),
    token_hash    CHAR(64)     NOT NULL UNIQUE,
    label         VARCHAR(100) NOT NULL,
    created_at    BIGINT       NOT NULL,
    scope         VARCHAR(16)  NOT NULL DEFAULT 'admin' CHECK (scope IN ('operations', 'admin', 'password-check')),
    last_used_at  BIGINT
);

INSERT INTO api_token_v6 (id, tenant_id, token_hash, label, created_at, scope, last_used_at)
    SELECT id, tenant_id, token_hash, label, created_at, scope, last_used_at FROM api_token;

DROP TABLE api_token;

ALTER TABLE api_token_v6 RENAME TO api_token;

CREATE INDEX api_token_tenant ON api_token (tenant_id);
