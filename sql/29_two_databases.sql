-- Two databases of one cluster sync one target (cluster-wide settings, a
-- copy of the database): the run lock covers the target (base Parse URL,
-- application id, class) across the cluster, and a ledger copied from
-- another database (CREATE DATABASE ... TEMPLATE) is not trusted: the copy's
-- first run is a full reconciliation that says why.
\getenv parse_url IMPAYES_PARSE_URL
\getenv app_id IMPAYES_APP_ID
\getenv key_file IMPAYES_MASTER_KEY_FILE
SELECT current_user AS su \gset
SELECT * FROM test.admin('drop-class T29');
CREATE DATABASE t29a;
ALTER DATABASE t29a SET impayes_sync.parse_url = :'parse_url';
ALTER DATABASE t29a SET impayes_sync.application_id = :'app_id';
ALTER DATABASE t29a SET impayes_sync.master_key_file = :'key_file';
ALTER DATABASE t29a SET impayes_sync.class_name = 'T29';
\c t29a :su
CREATE EXTENSION impayes_sync;
CREATE EXTENSION dblink;
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1), ('F-2', 2);
SELECT r->>'success' AS success, r->>'mode' AS mode, r->>'inserted' AS inserted
FROM impayes_sync() r;

-- The copy: same ledger rows, same settings.
\c contrib_regression :su
CREATE DATABASE t29b TEMPLATE t29a;
ALTER DATABASE t29b SET impayes_sync.parse_url = :'parse_url';
ALTER DATABASE t29b SET impayes_sync.application_id = :'app_id';
ALTER DATABASE t29b SET impayes_sync.master_key_file = :'key_file';
ALTER DATABASE t29b SET impayes_sync.class_name = 'T29';
\c t29b :su
SELECT r->>'success' AS success, r->>'mode' AS mode, r->>'inserted' AS inserted,
       r->>'skipped' AS skipped
FROM impayes_sync() r;
SELECT r->>'success' AS success, r->>'mode' AS mode, r->>'skipped' AS skipped
FROM impayes_sync() r;

-- While a run of t29b holds the target (its transaction is open), a run in
-- t29a is refused; a dry run still works; once t29b commits, t29a runs.
SELECT dblink_connect('a', format('host=127.0.0.1 port=%s dbname=t29a', current_setting('port')));
BEGIN;
SELECT r->>'success' AS success FROM impayes_sync() r;
SELECT * FROM dblink('a', $$SELECT r->>'success', r->>'error', r->'details'->>'phase' FROM impayes_sync() r$$)
  AS t(success text, error text, phase text);
SELECT * FROM dblink('a', $$SELECT r->>'success' FROM impayes_sync(dry_run => true) r$$)
  AS t(dry_run_success text);
COMMIT;
SELECT * FROM dblink('a', $$SELECT r->>'success', r->>'mode', r->>'skipped' FROM impayes_sync() r$$)
  AS t(success text, mode text, skipped text);
SELECT dblink_disconnect('a');

\c contrib_regression :su
DROP DATABASE t29a;
DROP DATABASE t29b;
SELECT * FROM test.admin('count T29');
