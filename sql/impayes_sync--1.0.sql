-- impayes_sync 1.0
\echo Use "CREATE EXTENSION impayes_sync" to load this file. \quit

CREATE FUNCTION impayes_sync(dry_run boolean DEFAULT false)
RETURNS jsonb
LANGUAGE c
VOLATILE
AS 'MODULE_PATHNAME', 'impayes_sync';

COMMENT ON FUNCTION impayes_sync(boolean) IS
'Synchronises impayes_sync.source into the Parse Server class impayes_sync.class_name: '
'inserts new invoices, updates changed ones, skips unchanged ones, and returns '
'{"success","message","inserted","updated","skipped","total","failed","rejected","duration_ms","dry_run"} '
'plus "error" and "details" on failure. With dry_run => true nothing is written to Parse and a '
'"preview" of the changes is returned. Configured by the impayes_sync.* settings.';

-- Only roles explicitly granted EXECUTE may push data with the master key.
REVOKE ALL ON FUNCTION impayes_sync(boolean) FROM PUBLIC;
