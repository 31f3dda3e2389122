-- Where the master key sits, and masking that never corrupts a result.
SELECT test.use('parse', 'T21');

-- A key that also appears as a JSON literal or number in the result:
-- only strings are masked, the result stays valid JSON.
SET impayes_sync.master_key = 'true';
SELECT test.use('down');
SELECT r->'success' AS success, r->'dry_run' AS dry_run, r->>'error' LIKE '%Failed to connect%' AS error
FROM impayes_sync(dry_run => true) r;
SET impayes_sync.master_key = '403';
SELECT test.use('parse');
SELECT r->'success' AS success, r->'details'->'http_status' AS http_status,
       strpos(r->>'error', '403') = 0 AS masked_in_error
FROM impayes_sync() r;
SELECT success, details->'http_status' AS http_status FROM impayes_sync.last_run;
-- Strings are still masked (the error names the class, here the key).
SET impayes_sync.master_key = 'T21Secret';
SELECT test.use('down', 'T21Secret');
SELECT strpos(r::text, 'T21Secret') = 0 AS masked, r->>'error' LIKE '%/schemas/********%' AS error
FROM impayes_sync(dry_run => true) r;
RESET impayes_sync.master_key;
SET impayes_sync.class_name = '_User';

-- http:// to a host that is not loopback: the key would travel in clear.
-- (class_name = _User stops each run before any request.)
SET impayes_sync.parse_url = 'http://10.1.2.3:1337/parse';
SELECT test.summary(impayes_sync(dry_run => true));
SET impayes_sync.parse_url = 'http://parse.example.com/parse';
SELECT test.summary(impayes_sync(dry_run => true));
SET impayes_sync.parse_url = 'https://parse.example.com/parse';
SELECT test.summary(impayes_sync(dry_run => true));
SET impayes_sync.parse_url = 'http://127.0.0.2:1337/parse';
SELECT test.summary(impayes_sync(dry_run => true));
SET impayes_sync.parse_url = 'http://LOCALHOST:1337/parse';
SELECT test.summary(impayes_sync(dry_run => true));
SET impayes_sync.parse_url = 'http://[::1]:1337/parse';
SELECT test.summary(impayes_sync(dry_run => true));
RESET impayes_sync.parse_url;
RESET impayes_sync.class_name;

-- ALTER ROLE ALL SET: stored in pg_db_role_setting too, readable by all.
DO $$ BEGIN
  EXECUTE format('ALTER ROLE ALL SET impayes_sync.master_key = %L',
                 trim(E'\n' FROM pg_read_file(test.env('key_file'))));
END $$;
\c
SELECT test.use('parse', 'T21');
SELECT test.summary(impayes_sync(dry_run => true));
ALTER ROLE ALL RESET impayes_sync.master_key;
\c
SELECT test.use('parse', 'T21');
SELECT test.summary(impayes_sync(dry_run => true));
SELECT * FROM test.admin('drop-class T21');
