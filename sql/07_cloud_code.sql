-- Parse Cloud Code compatibility: clients of the original function call
-- Parse.Cloud.run('syncImpayes'). contrib/parse-cloud/main.js, loaded by the
-- harness's Parse Server, runs impayes_sync() in this database (over its own
-- connection) and returns the result as-is. Called here over REST.
SELECT test.use('parse', 'T07');
SELECT * FROM test.admin('drop-class T07');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric(12,2));
INSERT INTO impayes SELECT 'F-' || g, 'Client ' || g, g * 10.5 FROM generate_series(1, 5) g;
-- The cloud function's session takes the database's settings (parse_url and
-- the key from postgresql.conf).
ALTER DATABASE contrib_regression SET impayes_sync.class_name = 'T07';
-- The function's result (or refusal), one line, read back as text by COPY.
CREATE FUNCTION test.cloud(args text DEFAULT '') RETURNS SETOF text LANGUAGE sql AS $$
  SELECT test.admin('call-function syncImpayes --copy ' || args)
$$;

-- First call inserts everything; the message is the seed's, byte for byte.
CREATE TEMP TABLE call1 AS SELECT line::jsonb AS r FROM test.cloud() line;
SELECT test.summary(r), r->>'message' AS message,
       convert_to(r->>'message', 'UTF8') = '\x53796e6368726f6e69736174696f6e207465726d696ec3a96520617665632073756363c3a873'::bytea AS seed_bytes,
       r->'dry_run' AS dry_run
FROM call1;
SELECT * FROM test.admin('count T07');
-- Exactly the keys of the extension's own result.
SELECT (SELECT array_agg(k ORDER BY k) FROM call1, jsonb_object_keys(r) k)
     = (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(impayes_sync()) k) AS same_keys;
SELECT d FROM test.dump('T07') d;

-- Changes go through as well; a dry run (params {"dry_run": true}) writes nothing.
UPDATE impayes SET montant = 99 WHERE numero_facture = 'F-2';
SELECT test.summary(line::jsonb) FROM test.cloud() line;
INSERT INTO impayes VALUES ('F-6', 'Client 6', 66);
SELECT test.summary(r), r->'dry_run' AS dry_run, r->'preview'->'insert' AS preview
FROM (SELECT line::jsonb AS r FROM test.cloud('''{"dry_run":true}''') line) c;
SELECT * FROM test.admin('count T07');

-- Without the master key the call is refused, and nothing is synced.
SELECT * FROM test.cloud('--no-master-key');
SELECT * FROM test.admin('count T07');

-- A failure of the extension is passed through unchanged.
ALTER DATABASE contrib_regression SET impayes_sync.key_column = 'numero';
SELECT test.summary(r), r->>'message' AS message, r->'details'->>'setting' AS setting
FROM (SELECT line::jsonb AS r FROM test.cloud() line) c;
ALTER DATABASE contrib_regression RESET impayes_sync.key_column;

-- PostgreSQL refusing the connection (a library it cannot load at session
-- start): the seed's failure shape, with the server's message and SQLSTATE.
ALTER DATABASE contrib_regression SET session_preload_libraries = 'impayes_no_such_library';
SELECT test.summary(r), r->>'message' AS message, r->'details' AS details
FROM (SELECT line::jsonb AS r FROM test.cloud() line) c;
ALTER DATABASE contrib_regression RESET session_preload_libraries;

-- An error raised by the call (here: impayes_sync() not on the search_path).
ALTER DATABASE contrib_regression SET search_path = pg_catalog;
SELECT test.summary(r), r->>'message' AS message, r->'details' AS details
FROM (SELECT line::jsonb AS r FROM test.cloud() line) c;
ALTER DATABASE contrib_regression RESET search_path;

-- Back to normal: the pending insert goes through.
SELECT test.summary(line::jsonb) FROM test.cloud() line;
SELECT * FROM test.admin('count T07');

ALTER DATABASE contrib_regression RESET impayes_sync.class_name;
SELECT count(*) AS settings_left
FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase, unnest(s.setconfig) c
WHERE d.datname = current_database() AND (c LIKE 'impayes_sync.%' OR c LIKE 'search_path=%' OR c LIKE 'session_preload_libraries=%');
DROP FUNCTION test.cloud(text);
DROP TABLE impayes;
