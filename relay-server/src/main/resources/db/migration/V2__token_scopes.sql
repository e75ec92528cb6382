-- Schema version 2: API token scopes. Tokens issued before scopes existed could do everything, so they become
-- 'admin' and current deployments keep working; the relay names the scope of every token it creates.
ALTER TABLE api_token ADD COLUMN scope VARCHAR(16) NOT NULL DEFAULT 'admin' CHECK (scope IN ('operations', 'admin'));
