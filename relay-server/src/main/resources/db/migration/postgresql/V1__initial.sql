-- Relay state, schema version 1, PostgreSQL copy of ../V1__initial.sql: BYTEA for BLOB and an identity column
-- for audit.seq, nothing else differs. Times are epoch milliseconds (BIGINT), tokens only as SHA-256 hex, package
-- keys only sealed by the master key.
-- Statements end with ';' at the end of a line; no ';' inside literals.

-- Facts about the database itself, such as the master key check value.
CREATE TABLE relay_meta (
    name  VARCHAR(64) NOT NULL PRIMARY KEY,
    value BYTEA        NOT NULL
);

CREATE TABLE tenant (
    id                          VARCHAR(36)  NOT NULL PRIMARY KEY,
    name                        VARCHAR(100) NOT NULL UNIQUE,
    enabled                     BOOLEAN      NOT NULL,
    allow_unlock_without_reset  BOOLEAN      NOT NULL,
    created_at                  BIGINT       NOT NULL
);

CREATE TABLE api_token (
    id          VARCHAR(36)  NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(36)  NOT NULL REFERENCES tenant (id),
    token_hash  CHAR(64)     NOT NULL UNIQUE,
    label       VARCHAR(100) NOT NULL,
    created_at  BIGINT       NOT NULL
);

CREATE INDEX api_token_tenant ON api_token (tenant_id);

CREATE TABLE registration_token (
    id          VARCHAR(36) NOT NULL PRIMARY KEY,
    tenant_id   VARCHAR(36) NOT NULL REFERENCES tenant (id),
    token_hash  CHAR(64)    NOT NULL UNIQUE,
    created_at  BIGINT      NOT NULL,
    expires_at  BIGINT      NOT NULL,
    used_at     BIGINT
);

CREATE TABLE agent (
    id                   VARCHAR(36)  NOT NULL PRIMARY KEY,
    tenant_id            VARCHAR(36)  NOT NULL REFERENCES tenant (id),
    name                 VARCHAR(100) NOT NULL,
    identity_public_key  BYTEA         NOT NULL,
    registered_at        BIGINT       NOT NULL,
    last_seen            BIGINT,
    last_version         VARCHAR(64)
);

CREATE INDEX agent_tenant ON agent (tenant_id);

-- One row per key version; destroy_after is NULL while the version is current or still usable.
CREATE TABLE agent_key (
    agent_id            VARCHAR(36) NOT NULL REFERENCES agent (id) ON DELETE CASCADE,
    version             INTEGER     NOT NULL,
    rsa_public_key      BYTEA        NOT NULL,
    sealed_package_key  BYTEA        NOT NULL,
    created_at          BIGINT      NOT NULL,
    destroy_after       BIGINT,
    PRIMARY KEY (agent_id, version)
);

CREATE INDEX agent_key_destroy_after ON agent_key (destroy_after);

-- Append-only; seq is the append order and never reused. No foreign keys: audit outlives the agents it names.
CREATE TABLE audit (
    seq              BIGINT       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at      BIGINT       NOT NULL,
    tenant_id        VARCHAR(36)  NOT NULL,
    request_id       VARCHAR(64),
    actor            VARCHAR(64)  NOT NULL,
    operation        VARCHAR(32)  NOT NULL,
    anchor           VARCHAR(1100) NOT NULL,
    result           VARCHAR(32)  NOT NULL,
    reason           VARCHAR(32),
    agent_id         VARCHAR(36),
    duration_millis  BIGINT       NOT NULL,
    detail           VARCHAR(2000)
);

CREATE INDEX audit_tenant_time ON audit (tenant_id, occurred_at, seq);
