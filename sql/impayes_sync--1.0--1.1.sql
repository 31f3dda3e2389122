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
