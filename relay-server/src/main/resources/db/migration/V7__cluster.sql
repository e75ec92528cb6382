-- Schema version 7: what the nodes of a cluster share besides the state itself (docs/cluster.md). The agent
-- sessions each node holds, rewritten by that node every few seconds, so the status API and `relay agents list`
-- on any node show every agent and the node it is on; a row not refreshed within the expiry is ignored (its node
-- is gone), and a node replaces its own rows.
CREATE TABLE agent_session (
    session_id      VARCHAR(36)   NOT NULL PRIMARY KEY,
    node_id         VARCHAR(64)   NOT NULL,
    tenant_id       VARCHAR(36)   NOT NULL,
    agent_id        VARCHAR(36)   NOT NULL,
    remote          VARCHAR(100)  NOT NULL,
    connected_at    BIGINT        NOT NULL,
    last_heartbeat  BIGINT,
    version         VARCHAR(64)   NOT NULL,
    key_version     INTEGER       NOT NULL,
    in_flight       INTEGER       NOT NULL,
    directories     VARCHAR(8000) NOT NULL,
    seen_at         BIGINT        NOT NULL
);

CREATE INDEX agent_session_tenant ON agent_session (tenant_id, seen_at);

CREATE INDEX agent_session_node ON agent_session (node_id);

-- Work that exactly one node of a cluster may do at a time (a key rollover of one agent): the node holding an
-- unexpired lease does it; another takes the lease over only once it has expired.
CREATE TABLE cluster_lease (
    name        VARCHAR(100) NOT NULL PRIMARY KEY,
    holder      VARCHAR(64)  NOT NULL,
    expires_at  BIGINT       NOT NULL
);
