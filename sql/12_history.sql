-- Every call leaves a row in impayes_sync.runs, failures and dry runs too;
-- the row survives a rollback and impayes_sync.raise_on_error.
SELECT test.use('parse', 'T12');
SELECT * FROM test.admin('drop-class T12');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1), ('F-2', 2);
TRUNCATE impayes_sync.runs;

SELECT test.summary(impayes_sync());
SELECT test.summary(impayes_sync(dry_run => true));
SET impayes_sync.source = 'no_such_table';
SELECT test.summary(impayes_sync());
-- A caller's rollback does not remove the row.
BEGIN;
SELECT impayes_sync()->>'success' AS success;
ROLLBACK;
-- raise_on_error: the failure is raised (for pg_cron), and still recorded.
SET impayes_sync.raise_on_error = on;
\set VERBOSITY terse
SELECT impayes_sync();
\set VERBOSITY default
RESET impayes_sync.raise_on_error;
RESET impayes_sync.source;

SELECT success, dry_run, class_name, inserted, updated, deleted, skipped, total, failed, rejected,
       error, details->>'setting' AS setting, run_by, backend_pid = pg_backend_pid() AS this_backend,
       finished_at >= started_at AS ordered, duration = finished_at - started_at AS duration_ok
FROM impayes_sync.runs ORDER BY id;
SELECT success, error FROM impayes_sync.last_run;

-- Retention prunes old rows on the next run.
INSERT INTO impayes_sync.runs (started_at, finished_at, success, dry_run, class_name, run_by, backend_pid)
VALUES (now() - interval '40 days', now() - interval '40 days', true, false, 'old', 'someone', 0);
SET impayes_sync.history_retention = '30d';
SELECT test.summary(impayes_sync());
SELECT count(*) FILTER (WHERE class_name = 'old') AS old_rows, count(*) AS all_rows FROM impayes_sync.runs;
SET impayes_sync.history_retention = 0;
RESET impayes_sync.history_retention;

-- A granted role runs it, is recorded by name, and cannot read the history.
CREATE ROLE t12_clerk;
GRANT EXECUTE ON FUNCTION impayes_sync(boolean, boolean) TO t12_clerk;
GRANT SELECT ON impayes TO t12_clerk;
SET ROLE t12_clerk;
SELECT test.summary(impayes_sync());
SELECT count(*) FROM impayes_sync.runs;
RESET ROLE;
SELECT run_by FROM impayes_sync.last_run;

-- pg_dump keeps the history.
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'impayes_sync';

DROP TABLE impayes;
REVOKE EXECUTE ON FUNCTION impayes_sync(boolean, boolean) FROM t12_clerk;
DROP ROLE t12_clerk;
