-- impayes_sync 1.0 -> 1.1
\echo Use "ALTER EXTENSION impayes_sync UPDATE TO '1.1'" to load this file. \quit

-- A fresh CREATE EXTENSION installs 1.0 and applies this script, so a new
-- install and an updated one always have the same objects.

-- Keyed ledger hash (issue 8, item 4): the per-install secret of the
-- SipHash-2-4 row hashes, created by the first run with pg_strong_random().
-- Read only by the extension, as its owner; not dumped (a restored copy
-- gets a new secret, which only makes its ledger entries "changed").
CREATE TABLE impayes_sync.install_secret (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  secret bytea NOT NULL CHECK (pg_catalog.length(secret) OPERATOR(pg_catalog.=) 16)
);
REVOKE ALL ON impayes_sync.install_secret FROM PUBLIC;
-- Made here, so that it commits with the extension: a first run whose
-- caller rolls back must not take it away (the ledger it keyed is saved by
-- the history worker, in a transaction of its own). gen_random_uuid() draws
-- from pg_strong_random(). A run still creates one if the row is deleted.
INSERT INTO impayes_sync.install_secret (secret)
SELECT pg_catalog.substring(pg_catalog.sha256(pg_catalog.uuid_send(pg_catalog.gen_random_uuid())
         OPERATOR(pg_catalog.||) pg_catalog.uuid_send(pg_catalog.gen_random_uuid())), 1, 16);
COMMENT ON TABLE impayes_sync.install_secret IS
'Secret key of the ledger row hashes (SipHash-2-4), created on first use. Never grant access to it: whoever reads it can predict ledger hashes. Deleting the row is safe: the next run creates a new secret and treats every ledger entry as changed.';

-- Ledger copied from another database (issue 8, item 8): which database
-- wrote the ledger of a class, "system identifier:database oid". A ledger
-- read in another database (CREATE DATABASE ... TEMPLATE, a clone) makes the
-- run a full reconciliation. NULL: written by 1.0, trusted once.
ALTER TABLE impayes_sync.sync_state ADD COLUMN database_identity text;
COMMENT ON COLUMN impayes_sync.sync_state.database_identity IS
'The database that wrote this ledger (pg_control system identifier:database oid); a run in any other database ignores the ledger and reconciles fully.';

-- What the function does in 1.1.
COMMENT ON FUNCTION impayes_sync(boolean, boolean) IS
'Synchronises impayes_sync.source (resolved under impayes_sync.source_search_path, never the '
'caller''s search_path) into the Parse Server class impayes_sync.class_name: inserts new '
'invoices, updates changed ones, skips unchanged ones, keeps one object per key, and returns '
'{"success","message","inserted","updated","skipped","total","failed","rejected","deleted",'
'"duration_ms","dry_run","mode"} plus "error" and "details" on failure. With dry_run => true '
'nothing is written to Parse and a "preview" of the changes is returned; with full => true the '
'whole class is read and reconciled. Refused on a hot standby and in read-only transactions. '
'One run at a time per Parse target across the cluster. Every call is recorded in '
'impayes_sync.runs, with the incremental ledger, in a transaction of its own.';

-- Live progress (issue 9): one row per run in progress in the whole
-- cluster, read from shared memory (the library must be in
-- shared_preload_libraries; otherwise no rows, and a NOTICE says why).
-- Readable by the roles that may read impayes_sync.runs: none but the
-- owner until granted, as runs.
CREATE FUNCTION impayes_sync.progress_rows(
  OUT pid integer, OUT database name, OUT class_name text, OUT phase text, OUT mode text,
  OUT dry_run boolean, OUT started_at timestamptz, OUT phase_started_at timestamptz,
  OUT objects_read bigint, OUT rows_read bigint, OUT objects_to_write bigint,
  OUT objects_written bigint, OUT objects_failed bigint, OUT rate double precision,
  OUT eta interval, OUT updated_at timestamptz)
RETURNS SETOF record
LANGUAGE c
VOLATILE STRICT
AS 'MODULE_PATHNAME', 'impayes_sync_progress_rows';
REVOKE ALL ON FUNCTION impayes_sync.progress_rows() FROM PUBLIC;
COMMENT ON FUNCTION impayes_sync.progress_rows() IS
'The rows of the view impayes_sync.progress, from shared memory (needs impayes_sync in shared_preload_libraries).';

CREATE VIEW impayes_sync.progress AS
  SELECT * FROM impayes_sync.progress_rows();
REVOKE ALL ON impayes_sync.progress FROM PUBLIC;
COMMENT ON VIEW impayes_sync.progress IS
'One row per impayes_sync() run in progress in the cluster: its backend, database, class, phase '
'(starting, reading schema, choosing mode, reading class, reading source, preparing class, '
'diffing, pushing, previewing, saving ledger, summarising), mode, counters, the rate of the '
'phase''s counter per second and the time left (pushing); updated as the run works, gone when it '
'ends. Needs impayes_sync in shared_preload_libraries. To let a role read it, grant it USAGE on '
'schema impayes_sync, SELECT on the view and EXECUTE on impayes_sync.progress_rows().';

-- Continuous sync (issue 10): who started a run. 'call' for SELECT
-- impayes_sync() (pg_cron included), 'watch: <reason>' for the watch worker
-- (start, change, full interval, retry); run_by is the role the source ran as.
ALTER TABLE impayes_sync.runs ADD COLUMN origin text NOT NULL DEFAULT 'call';
COMMENT ON COLUMN impayes_sync.runs.origin IS
'What started the run: ''call'' (SELECT impayes_sync(), pg_cron) or ''watch: <reason>'' (the impayes_sync.watch worker: start, change, full interval, retry).';

-- The statement trigger the watch worker installs on the tables the source
-- reads: it counts the commit in shared memory and wakes the worker. No SQL,
-- no privilege needed by the writers (a trigger function is not checked for
-- EXECUTE when it fires).
CREATE FUNCTION impayes_sync.watch_notify() RETURNS trigger
LANGUAGE c AS 'MODULE_PATHNAME', 'impayes_sync_watch_notify';
REVOKE ALL ON FUNCTION impayes_sync.watch_notify() FROM PUBLIC;
COMMENT ON FUNCTION impayes_sync.watch_notify() IS
'Trigger function of the impayes_sync watch triggers (AFTER INSERT/UPDATE/DELETE/TRUNCATE FOR EACH STATEMENT): wakes the watch worker when the transaction commits. Installed and removed by the worker; see impayes_sync.watched.';

-- The watch triggers depend on watch_notify(), which would make DROP
-- EXTENSION fail: they are dropped first, at ddl_command_start.
CREATE FUNCTION impayes_sync.watch_drop_extension() RETURNS event_trigger
LANGUAGE c AS 'MODULE_PATHNAME', 'impayes_sync_watch_drop_extension';
REVOKE ALL ON FUNCTION impayes_sync.watch_drop_extension() FROM PUBLIC;
COMMENT ON FUNCTION impayes_sync.watch_drop_extension() IS
'Event trigger function: drops the watch triggers before DROP EXTENSION impayes_sync.';
CREATE EVENT TRIGGER impayes_sync_watch_drop ON ddl_command_start
  WHEN TAG IN ('DROP EXTENSION') EXECUTE FUNCTION impayes_sync.watch_drop_extension();
COMMENT ON EVENT TRIGGER impayes_sync_watch_drop IS
'Drops the impayes_sync watch triggers before DROP EXTENSION impayes_sync (they would block it).';

-- What the watch worker installed in this database.
CREATE VIEW impayes_sync.watched AS
  SELECT c.oid::pg_catalog.regclass AS relation, n.nspname AS schema_name,
         c.relname AS table_name, t.tgname AS trigger_name
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  WHERE t.tgfoid OPERATOR(pg_catalog.=) 'impayes_sync.watch_notify()'::pg_catalog.regprocedure;
COMMENT ON VIEW impayes_sync.watched IS
'Tables the impayes_sync watch worker put a trigger on (the tables impayes_sync.source reads); empty when impayes_sync.watch is off.';
