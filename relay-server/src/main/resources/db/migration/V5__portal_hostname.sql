-- Schema version 5: a tenant's own portal hostname (e.g. password.corp.example), lower case; at most one tenant
-- per hostname.
ALTER TABLE portal_settings ADD COLUMN hostname VARCHAR(253);

CREATE UNIQUE INDEX portal_settings_hostname ON portal_settings (hostname);
