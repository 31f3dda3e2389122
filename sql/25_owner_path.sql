-- A database owner who is not superuser controls the database's
-- search_path (ALTER DATABASE ... SET) and can create functions and
-- operators that shadow pg_catalog's. Nothing the extension runs for itself
-- (the history worker, which runs as superuser; the ledger; the history
-- fallback) may call them: its SQL is schema-qualified under a pinned
-- search_path. Each evil object records that it ran, in evil.hits.
\getenv parse_url IMPAYES_PARSE_URL
\getenv app_id IMPAYES_APP_ID
\getenv key_file IMPAYES_MASTER_KEY_FILE
SELECT current_user AS su \gset
SELECT * FROM test.admin('drop-class T25');
CREATE ROLE t25_owner LOGIN;
CREATE DATABASE t25 OWNER t25_owner;
\c t25 :su
CREATE EXTENSION impayes_sync;
\c t25 t25_owner
CREATE SCHEMA evil;
CREATE TABLE evil.hits (what text, by_role name DEFAULT current_user);
GRANT ALL ON SCHEMA evil TO PUBLIC;
GRANT ALL ON evil.hits TO PUBLIC;
CREATE FUNCTION evil.hit(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO evil.hits (what) VALUES (what);
  RAISE NOTICE 'evil % ran as %', what, current_user;
END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION evil.make_interval(mins integer) RETURNS interval LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('make_interval()'); RETURN pg_catalog.make_interval(mins => mins); END $$;
CREATE FUNCTION evil.get_text(j jsonb, k text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('->>'); RETURN j OPERATOR(pg_catalog.->>) k; END $$;
CREATE OPERATOR evil.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = evil.get_text);
CREATE FUNCTION evil.get_json(j jsonb, k text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('->'); RETURN j OPERATOR(pg_catalog.->) k; END $$;
CREATE OPERATOR evil.-> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = evil.get_json);
CREATE FUNCTION evil.lt(a timestamptz, b timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('<'); RETURN a OPERATOR(pg_catalog.<) b; END $$;
CREATE OPERATOR evil.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = evil.lt);
CREATE FUNCTION evil.minus(a timestamptz, b interval) RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('-'); RETURN a OPERATOR(pg_catalog.-) b; END $$;
CREATE OPERATOR evil.- (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = evil.minus);
CREATE FUNCTION evil.eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM evil.hit('='); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.eq);
ALTER DATABASE t25 SET search_path = evil, pg_catalog, public;
-- The objects are live for whoever uses that search_path.
\c t25 t25_owner
SELECT now() IS NOT NULL AS shadowed;
SELECT what FROM evil.hits;
TRUNCATE evil.hits;

-- A superuser runs the sync in that database (e.g. pg_cron), with the
-- database's search_path: history (insert and prune), ledger load and save.
\c t25 :su
SET client_min_messages = warning;
SELECT pg_catalog.set_config('impayes_sync.parse_url', :'parse_url', false) IS NOT NULL AS set,
       pg_catalog.set_config('impayes_sync.application_id', :'app_id', false) IS NOT NULL AS set,
       pg_catalog.set_config('impayes_sync.master_key_file', :'key_file', false) IS NOT NULL AS set,
       pg_catalog.set_config('impayes_sync.class_name', 'T25', false) IS NOT NULL AS set;
SET impayes_sync.history_retention = '30d';
CREATE TABLE public.impayes (numero_facture text, montant numeric);
INSERT INTO public.impayes VALUES ('F-1', 1), ('F-2', 2);
CREATE TEMP TABLE r1 AS SELECT public.impayes_sync() AS r;
UPDATE public.impayes SET montant = 3 WHERE numero_facture OPERATOR(pg_catalog.=) 'F-2';
CREATE TEMP TABLE r2 AS SELECT public.impayes_sync() AS r;
SET search_path = pg_catalog, public;
SELECT r OPERATOR(pg_catalog.->>) 'success' AS success, r OPERATOR(pg_catalog.->>) 'mode' AS mode,
       r OPERATOR(pg_catalog.->>) 'inserted' AS inserted, r OPERATOR(pg_catalog.->>) 'updated' AS updated
FROM (SELECT r FROM r1 UNION ALL SELECT r FROM r2) s;
SELECT class_name, success, inserted, updated FROM impayes_sync.runs ORDER BY id;
-- No evil object ran.
SELECT what, by_role FROM evil.hits;

\c contrib_regression :su
DROP DATABASE t25;
DROP ROLE t25_owner;
SELECT * FROM test.admin('count T25');
