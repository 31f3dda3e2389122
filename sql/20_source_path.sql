-- The configured source resolves under impayes_sync.source_search_path
-- (set by a superuser), never under the caller's search_path: a role
-- granted EXECUTE cannot shadow the source with a temp table, a table in
-- an earlier schema, or a function or operator the query calls.
SELECT test.use('parse', 'T20');
SELECT * FROM test.admin('drop-class T20');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1), ('F-2', 2);
CREATE ROLE t20_clerk;
GRANT EXECUTE ON FUNCTION impayes_sync(boolean, boolean) TO t20_clerk;
GRANT SELECT ON impayes TO t20_clerk;
CREATE SCHEMA t20_evil AUTHORIZATION t20_clerk;
CREATE FUNCTION t20_keys() RETURNS SETOF text LANGUAGE sql AS $$
  SELECT format('%s=%s', d->>'numero_facture', d->>'montant') FROM test.dump('T20') d ORDER BY 1
$$;
SHOW impayes_sync.source_search_path;

-- A temp table named like the source (pg_temp comes first in the
-- caller's search_path).
SET ROLE t20_clerk;
CREATE TEMP TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('TEMP-1', 666);
SELECT test.summary(impayes_sync());
DROP TABLE pg_temp.impayes;
RESET ROLE;
SELECT * FROM t20_keys();

-- A table in a schema earlier in the caller's search_path.
SET ROLE t20_clerk;
CREATE TABLE t20_evil.impayes (numero_facture text, montant numeric);
INSERT INTO t20_evil.impayes VALUES ('EVIL-1', 666);
SET search_path = t20_evil, public;
SELECT test.summary(impayes_sync());
RESET search_path;
RESET ROLE;
SELECT * FROM t20_keys();

-- A function and an operator of the query, shadowed before pg_catalog.
SET impayes_sync.source = 'SELECT upper(numero_facture) AS numero_facture, montant + 1 AS montant FROM impayes';
SET ROLE t20_clerk;
CREATE FUNCTION t20_evil.upper(text) RETURNS text LANGUAGE sql AS $$ SELECT 'EVIL-2' $$;
CREATE FUNCTION t20_evil.evil_plus(numeric, integer) RETURNS numeric LANGUAGE sql AS $$ SELECT 666::numeric $$;
CREATE OPERATOR t20_evil.+ (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = t20_evil.evil_plus);
SET search_path = t20_evil, pg_catalog, public;
SELECT test.summary(impayes_sync());
RESET search_path;
RESET ROLE;
SELECT * FROM t20_keys();
RESET impayes_sync.source;

-- A superuser chooses the schemas; pg_catalog comes first, pg_temp last.
CREATE SCHEMA t20_compta;
CREATE TABLE t20_compta.impayes (numero_facture text, montant numeric);
INSERT INTO t20_compta.impayes VALUES ('F-1', 10), ('F-2', 20);
GRANT USAGE ON SCHEMA t20_compta TO t20_clerk;
GRANT SELECT ON t20_compta.impayes TO t20_clerk;
SET impayes_sync.source_search_path = 't20_compta, public';
SET ROLE t20_clerk;
CREATE TEMP TABLE impayes (numero_facture text, montant numeric);
SELECT test.summary(impayes_sync());
RESET ROLE;
SELECT * FROM t20_keys();
-- The caller's search_path is as it was.
SHOW search_path;

-- $user and pg_temp are refused, before any request; so is a SET by the caller.
SET impayes_sync.source_search_path = '"$user", public';
SELECT test.summary(impayes_sync());
SET impayes_sync.source_search_path = 'public, pg_temp';
SELECT test.summary(impayes_sync());
RESET impayes_sync.source_search_path;
SET ROLE t20_clerk;
SET impayes_sync.source_search_path = 't20_evil';
RESET ROLE;

DROP TABLE pg_temp.impayes;
DROP SCHEMA t20_evil CASCADE;
DROP SCHEMA t20_compta CASCADE;
DROP FUNCTION t20_keys();
DROP TABLE impayes;
REVOKE EXECUTE ON FUNCTION impayes_sync(boolean, boolean) FROM t20_clerk;
DROP ROLE t20_clerk;
