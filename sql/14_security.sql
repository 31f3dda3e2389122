-- A role granted EXECUTE can sync, but cannot redirect the data or the
-- master key, nor read the key; the source runs with its privileges.
SELECT test.use('parse', 'T14');
SELECT * FROM test.admin('drop-class T14');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1);
CREATE ROLE t14_clerk;
GRANT EXECUTE ON FUNCTION impayes_sync(boolean, boolean) TO t14_clerk;
GRANT SELECT ON impayes TO t14_clerk;

SELECT prosecdef AS security_definer FROM pg_proc WHERE proname = 'impayes_sync';

SET ROLE t14_clerk;
SET impayes_sync.parse_url = 'http://127.0.0.1:9/parse';
SELECT set_config('impayes_sync.master_key', 'x', false);
SET impayes_sync.master_key_file = '/tmp/other.key';
SET impayes_sync.ca_file = '/tmp/ca.pem';
ALTER ROLE t14_clerk SET impayes_sync.parse_url = 'http://127.0.0.1:9/parse';
SHOW impayes_sync.master_key;
SHOW impayes_sync.master_key_file;
SELECT current_setting('impayes_sync.master_key');
SELECT count(*) AS visible FROM pg_settings WHERE name IN ('impayes_sync.master_key', 'impayes_sync.master_key_file');
SELECT test.summary(impayes_sync());
RESET ROLE;

-- The source query runs with the caller's privileges.
REVOKE SELECT ON impayes FROM t14_clerk;
SET ROLE t14_clerk;
SELECT test.summary(r), r->'details'->>'sqlstate' AS sqlstate FROM impayes_sync() r;
RESET ROLE;

-- The key never shows, even to a superuser.
SHOW impayes_sync.master_key;
SELECT setting FROM pg_settings WHERE name = 'impayes_sync.master_key';
SELECT count(*) AS key_in_results
FROM impayes_sync.runs, pg_read_file(test.env('key_file')) k
WHERE position(trim(E'\n' FROM k) IN coalesce(error, '') || coalesce(details::text, '')) > 0;

-- A key set with ALTER DATABASE sits in pg_db_role_setting, readable by
-- every role: the run warns.
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET impayes_sync.master_key = %L', current_database(),
                 trim(E'\n' FROM pg_read_file(test.env('key_file'))));
END $$;
\c
SELECT test.use('parse', 'T14');
SELECT test.summary(impayes_sync(dry_run => true));
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I RESET impayes_sync.master_key', current_database());
END $$;
\c
SELECT test.use('parse', 'T14');
SELECT test.summary(impayes_sync(dry_run => true));

-- Only http and https.
SET impayes_sync.parse_url = 'file:///etc/passwd';
SELECT test.summary(impayes_sync());
SET impayes_sync.parse_url = 'http://user:pass@127.0.0.1/parse';
SELECT test.summary(impayes_sync());
RESET impayes_sync.parse_url;
DROP TABLE impayes;
REVOKE EXECUTE ON FUNCTION impayes_sync(boolean, boolean) FROM t14_clerk;
DROP ROLE t14_clerk;
