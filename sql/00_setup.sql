-- Test helpers: where the harness's servers are, and SQL wrappers around
-- its tools (run server-side with COPY ... FROM PROGRAM, as the postgres
-- OS user). Ports vary per run, so no URL is ever printed.
\set QUIET on
\getenv repo IMPAYES_REPO
\getenv node IMPAYES_NODE
\getenv parse_url IMPAYES_PARSE_URL
\getenv proxy_url IMPAYES_PROXY_URL
\getenv down_url IMPAYES_DOWN_URL
\getenv app_id IMPAYES_APP_ID
\getenv key_file IMPAYES_MASTER_KEY_FILE
\getenv mode_file IMPAYES_PROXY_MODE_FILE
CREATE SCHEMA test;
GRANT USAGE ON SCHEMA test TO PUBLIC;
CREATE TABLE test.env (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO test.env VALUES
  ('repo', :'repo'), ('node', :'node'), ('parse_url', :'parse_url'),
  ('proxy_url', :'proxy_url'), ('down_url', :'down_url'), ('app_id', :'app_id'),
  ('key_file', :'key_file'), ('mode_file', :'mode_file');
-- The https front-ends of Parse (tls-proxy.js), the test CA, the 302 stub.
\getenv tls_url IMPAYES_TLS_URL
\getenv tls_ca IMPAYES_TLS_CA
\getenv tls_selfsigned_url IMPAYES_TLS_SELFSIGNED_URL
\getenv tls_selfsigned_cert IMPAYES_TLS_SELFSIGNED_CERT
\getenv tls_wronghost_url IMPAYES_TLS_WRONGHOST_URL
\getenv redirect_url IMPAYES_REDIRECT_URL
INSERT INTO test.env VALUES
  ('tls_url', :'tls_url'), ('tls_ca', :'tls_ca'), ('tls_selfsigned_url', :'tls_selfsigned_url'),
  ('tls_selfsigned_cert', :'tls_selfsigned_cert'), ('tls_wronghost_url', :'tls_wronghost_url'),
  ('redirect_url', :'redirect_url');
\set QUIET off

CREATE FUNCTION test.env(n text) RETURNS text LANGUAGE sql STABLE
AS $$ SELECT value FROM test.env WHERE name = n $$;

-- Runs a node tool of test/tools with the connection flags; one row per line.
CREATE FUNCTION test.tool(script text, args text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  IF to_regclass('pg_temp.tool_out') IS NULL THEN
    CREATE TEMP TABLE tool_out (line text);
  END IF;
  TRUNCATE tool_out;
  EXECUTE format('COPY tool_out FROM PROGRAM %L',
    format('%s %s/test/tools/%s --url %s --app %s --key-file %s %s',
           test.env('node'), test.env('repo'), script, test.env('parse_url'),
           test.env('app_id'), test.env('key_file'), args));
  RETURN QUERY SELECT line FROM tool_out;
END $$;

-- The objects of a class as Parse returns them over REST (objectId,
-- createdAt, updatedAt and ACL stripped), ordered by the key field.
CREATE FUNCTION test.dump(cls text, key text DEFAULT 'numero_facture')
RETURNS SETOF jsonb LANGUAGE sql AS $$
  SELECT line::jsonb FROM test.tool('parse-dump.js', format('--class %s --key %s --copy', cls, key)) AS line
$$;

CREATE FUNCTION test.admin(args text) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT test.tool('parse-admin.js', args)
$$;

-- Sends the next requests through the fault proxy in the given mode.
CREATE FUNCTION test.proxy(mode text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('COPY (SELECT %L) TO %L', mode, test.env('mode_file'));
  PERFORM set_config('impayes_sync.parse_url', test.env('proxy_url'), false);
END $$;

-- Points the sync at the real server ('parse'), the proxy or a dead port.
CREATE FUNCTION test.use(target text, cls text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('impayes_sync.parse_url', test.env(target || '_url'), false);
  IF cls IS NOT NULL THEN PERFORM set_config('impayes_sync.class_name', cls, false); END IF;
END $$;

-- The deterministic part of a result, ports and durations removed.
CREATE FUNCTION test.summary(r jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT format('success=%s inserted=%s updated=%s skipped=%s total=%s failed=%s rejected=%s%s',
                r->'success', r->'inserted', r->'updated', r->'skipped', r->'total',
                r->'failed', r->'rejected',
                coalesce(E'\nerror: ' || regexp_replace(regexp_replace(r->>'error',
                  '127\.0\.0\.1(:| port )\d+', '127.0.0.1\1PORT', 'g'), 'after \d+ ms:', 'after N ms:', 'g'), ''))
$$;

SELECT 'ready' AS setup;
