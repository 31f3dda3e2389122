-- The caller holds locks on impayes_sync.runs (a DELETE of rows the prune
-- matches, a TRUNCATE) in its transaction: the history worker gives up on
-- its lock_timeout and the caller records the run itself, in its own
-- transaction, instead of both waiting forever. statement_timeout is only a
-- guard, so that 1.0 (which hangs here) fails instead of blocking the suite.
SELECT test.use('parse', 'T27');
SELECT * FROM test.admin('drop-class T27');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1), ('F-2', 2);
TRUNCATE impayes_sync.runs;
INSERT INTO impayes_sync.runs (started_at, finished_at, success, dry_run, class_name, run_by, backend_pid)
VALUES (now() - interval '40 days', now() - interval '40 days', true, false, 'old', 'someone', 0);
SET impayes_sync.history_retention = '30d';
SET statement_timeout = '40s';

BEGIN;
DELETE FROM impayes_sync.runs WHERE class_name = 'old';
SELECT test.summary(impayes_sync());
COMMIT;
SELECT class_name, success, inserted FROM impayes_sync.runs ORDER BY id;

BEGIN;
TRUNCATE impayes_sync.runs;
SELECT test.summary(impayes_sync());
COMMIT;
SELECT class_name, success, skipped FROM impayes_sync.runs ORDER BY id;

-- Without the caller's locks the worker records the run as before.
SELECT test.summary(impayes_sync());
SELECT count(*) AS history_rows FROM impayes_sync.runs;
SELECT * FROM test.admin('count T27');

RESET statement_timeout;
RESET impayes_sync.history_retention;
DROP TABLE impayes;
