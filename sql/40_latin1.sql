-- A LATIN1 database (issue 8, item 12): text, json and jsonb reach Parse as
-- the same characters, and results, errors, details and history read the
-- same as in a UTF-8 database. The sync runs in its own database; Parse is
-- read back from here with test.dump().
SELECT test.use('parse', 'T40');
SELECT * FROM test.admin('drop-class T40');
SELECT test.env('down_url') AS down_url \gset
CREATE DATABASE impayes_latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C';
\c impayes_latin1
SET client_encoding = 'UTF8';
SET client_min_messages = warning;
CREATE EXTENSION impayes_sync;
SET impayes_sync.class_name = 'T40';
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, note json, meta jsonb,
                      montant numeric);
INSERT INTO impayes VALUES
 ('F-é1', 'Société Générale', '{"libellé": "Échéance dépassée"}', '{"contact": {"nom": "Hélène"}}', 12.5),
 ('F-2', 'Crédit à recouvrer ÿ', '{"a": "ü"}', '{"liste": ["été", "hiver"]}', 3),
 ('F-ç3', 'Rejetée', '{"ok": true}', '{"__op": "Delete"}', 1);
-- Dry run, then the sync: messages byte for byte.
SELECT r->>'message' AS message, r->>'message' = 'Synchronisation terminée avec succès' AS exact,
       r->'total' AS total, r->'preview' AS preview
FROM impayes_sync(dry_run => true) r;
SELECT r->>'message' AS message, r->>'message' = 'Synchronisation terminée avec succès' AS exact,
       r->'inserted' AS inserted, r->'rejected' AS rejected, r->'details' AS details
FROM impayes_sync() r;
-- Without the rejected row: the success message, exact.
DELETE FROM impayes WHERE numero_facture = 'F-ç3';
SELECT r->>'message' AS message, r->>'message' = 'Synchronisation terminée avec succès' AS exact,
       r->'inserted' AS inserted, r->'skipped' AS skipped
FROM impayes_sync() r;
-- A failure: its message and PostgreSQL's own (database-encoded) error text.
CREATE FUNCTION boom() RETURNS SETOF impayes LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'échec volontaire à la lecture'; END $$;
SET impayes_sync.source = 'SELECT * FROM boom()';
SELECT r->>'message' AS message, r->>'message' = 'Erreur lors de la synchronisation' AS exact,
       r->>'error' AS error
FROM impayes_sync() r;
RESET impayes_sync.source;
-- raise_on_error: the ERROR text in the database encoding too.
SET impayes_sync.raise_on_error = on;
SET impayes_sync.source = 'SELECT * FROM boom()';
\set VERBOSITY terse
SELECT impayes_sync();
\set VERBOSITY default
RESET impayes_sync.source;
RESET impayes_sync.raise_on_error;
-- The history holds the same text.
SELECT success, dry_run, rejected, error, details->'rejected_rows' AS rejected_rows
FROM impayes_sync.runs ORDER BY id;
\c contrib_regression
SELECT * FROM test.dump('T40');
DROP DATABASE impayes_latin1;

-- SQL_ASCII stores any bytes: a value that is not UTF-8 rejects its row
-- (naming row and column), the others are synced.
SELECT * FROM test.admin('drop-class T40S');
CREATE DATABASE impayes_sqlascii TEMPLATE template0 ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C';
\c impayes_sqlascii
SET client_min_messages = warning;
CREATE EXTENSION impayes_sync;
SET impayes_sync.class_name = 'T40S';
CREATE TABLE impayes (numero_facture text, client text);
INSERT INTO impayes VALUES ('F-1', 'Société'), ('F-2', E'caf\xe9 latin1'), ('F-3', 'ok');
SELECT r->>'message' AS message, r->'inserted' AS inserted, r->'rejected' AS rejected,
       r->'details'->'rejected_rows' AS rejected_rows
FROM impayes_sync() r;
\c contrib_regression
SELECT * FROM test.dump('T40S');
DROP DATABASE impayes_sqlascii;
