-- Schema version 3: token lifecycle. When an API token was last used (written at most once a minute per token,
-- so a busy token does not turn every request into a write); NULL = never used since this version.
ALTER TABLE api_token ADD COLUMN last_used_at BIGINT;
