-- A read-only transaction cannot record the run nor save the ledger:
-- impayes_sync refuses up front, before any HTTP and before any worker
-- (dry runs too), with success:false and no history row. (A hot standby is
-- refused the same way: test/standby.sh.)
SELECT test.use('parse', 'T26');
SELECT * FROM test.admin('drop-class T26');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1), ('F-2', 2);
TRUNCATE impayes_sync.runs;

BEGIN READ ONLY;
SELECT test.summary(impayes_sync());
SELECT test.summary(impayes_sync(dry_run => true));
SELECT impayes_sync()->'details' AS details;
ROLLBACK;
SET default_transaction_read_only = on;
SELECT test.summary(impayes_sync(full => true));
-- raise_on_error raises the refusal, as any failure.
SET impayes_sync.raise_on_error = on;
\set VERBOSITY terse
SELECT impayes_sync();
\set VERBOSITY default
RESET impayes_sync.raise_on_error;
RESET default_transaction_read_only;

-- Nothing reached Parse, nothing was recorded.
SELECT * FROM test.admin('count T26');
SELECT count(*) AS history_rows FROM impayes_sync.runs;

-- A read-write transaction runs as usual.
SELECT test.summary(impayes_sync());
SELECT * FROM test.admin('count T26');
SELECT count(*) AS history_rows FROM impayes_sync.runs;
DROP TABLE impayes;
