-- impayes_sync 1.0
\echo Use "CREATE EXTENSION impayes_sync" to load this file. \quit

CREATE FUNCTION impayes_sync(dry_run boolean DEFAULT false, "full" boolean DEFAULT false)
RETURNS jsonb
LANGUAGE c
VOLATILE
AS 'MODULE_PATHNAME', 'impayes_sync';

COMMENT ON FUNCTION impayes_sync(boolean, boolean) IS
'Synchronises impayes_sync.source into the Parse Server class impayes_sync.class_name: '
'inserts new invoices, updates changed ones, skips unchanged ones, and returns '
'{"success","message","inserted","updated","skipped","total","failed","rejected","duration_ms","dry_run"} '
'plus "error" and "details" on failure. With dry_run => true nothing is written to Parse and a '
'"preview" of the changes is returned. Unchanged rows cost no conversion and no HTTP (incremental '
'ledger of row hashes); with '
'full => true the whole class is read and reconciled. Configured by the impayes_sync.* settings. '
'Every call is recorded in impayes_sync.runs.';

-- Only roles explicitly granted EXECUTE may push data with the master key.
REVOKE ALL ON FUNCTION impayes_sync(boolean, boolean) FROM PUBLIC;

-- Run history: one row per call (dry runs and failures too), written by a
-- background worker in a transaction of its own, so it survives an ERROR
-- raised afterwards (impayes_sync.raise_on_error) or a caller's rollback.
CREATE SCHEMA impayes_sync;
CREATE TABLE impayes_sync.runs (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  duration interval GENERATED ALWAYS AS (finished_at - started_at) STORED,
  success boolean NOT NULL,
  dry_run boolean NOT NULL,
  class_name text NOT NULL,
  inserted bigint NOT NULL DEFAULT 0,
  updated bigint NOT NULL DEFAULT 0,
  deleted bigint NOT NULL DEFAULT 0,
  skipped bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  error text,
  details jsonb,
  run_by name NOT NULL,
  backend_pid integer NOT NULL
);
CREATE INDEX ON impayes_sync.runs (finished_at);
COMMENT ON TABLE impayes_sync.runs IS
'One row per impayes_sync() call, kept impayes_sync.history_retention (default 30 days).';
SELECT pg_catalog.pg_extension_config_dump('impayes_sync.runs', '');
SELECT pg_catalog.pg_extension_config_dump('impayes_sync.runs_id_seq', '');

CREATE VIEW impayes_sync.last_run AS
  SELECT * FROM impayes_sync.runs ORDER BY id DESC LIMIT 1;
COMMENT ON VIEW impayes_sync.last_run IS 'The most recent impayes_sync() run.';

REVOKE ALL ON SCHEMA impayes_sync FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA impayes_sync FROM PUBLIC;

-- Incremental sync: what Parse last confirmed for each key, so unchanged
-- rows cost no HTTP. Derived data: a missing or stale ledger only makes
-- the next run a full reconciliation. Written by the extension as its
-- owner; not readable by other roles.
CREATE TABLE impayes_sync.ledger (
  class_name text NOT NULL,
  key text NOT NULL,
  object_id text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (class_name, key)
);
CREATE TABLE impayes_sync.sync_state (
  class_name text PRIMARY KEY,
  signature text NOT NULL,
  watermark text NOT NULL,
  object_count bigint NOT NULL,
  key_count bigint NOT NULL,
  saved_at timestamptz NOT NULL
);
COMMENT ON TABLE impayes_sync.ledger IS
'Incremental sync ledger: key -> Parse objectId and hash of the source row Parse last confirmed. Safe to TRUNCATE: the next run is then a full reconciliation.';
REVOKE ALL ON impayes_sync.ledger, impayes_sync.sync_state FROM PUBLIC;
