-- raise_on_error raises after the run, and the ERROR rolls back the
-- caller's transaction; the ledger of what Parse confirmed is saved by the
-- history worker in its own transaction, so under pg_cron one permanently
-- rejected row does not make every later run a full reconciliation. A
-- caller's rollback keeps it too: Parse is not transactional, and the next
-- run sends the rolled-back source rows back.
SELECT test.use('parse', 'T28');
SELECT * FROM test.admin('drop-class T28');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1), ('F-2', 2), ('F-3', 'NaN');
CREATE FUNCTION t28_run() RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
  RETURN (SELECT format('mode=%s %s', r->>'mode', test.summary(r)) FROM impayes_sync() r);
EXCEPTION WHEN external_routine_exception THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN format('raised: mode=%s %s', d::jsonb->>'mode', test.summary(d::jsonb));
END $$;

SET impayes_sync.raise_on_error = on;
\set VERBOSITY terse
SELECT impayes_sync();
\set VERBOSITY default
SELECT count(*) AS ledger_keys FROM impayes_sync.ledger WHERE class_name = 'T28';
SELECT t28_run();
SELECT t28_run();
-- The row is fixed: it is the only one sent.
UPDATE impayes SET montant = 3 WHERE numero_facture = 'F-3';
SELECT t28_run();
RESET impayes_sync.raise_on_error;

-- A caller's rollback after the push: Parse keeps the pushed value, the
-- ledger says so, and the next run puts the source's value back.
BEGIN;
UPDATE impayes SET montant = 40 WHERE numero_facture = 'F-1';
SELECT t28_run();
ROLLBACK;
SELECT t28_run();
SELECT d->>'numero_facture' AS key, d->>'montant' AS montant FROM test.dump('T28') d;
DROP FUNCTION t28_run();
DROP TABLE impayes;
