-- Upgrade in place: a database at 1.0 that has synced and granted keeps its
-- history, ledger and grants through ALTER EXTENSION impayes_sync UPDATE,
-- and ends with the same objects as a fresh CREATE EXTENSION at the default
-- version. Two databases of its own (pg_regress's has the default version),
-- and a Parse class of its own, T50.
SELECT * FROM test.admin('drop-class T50');
\getenv repo IMPAYES_REPO
DROP DATABASE IF EXISTS impayes_upgraded;
DROP DATABASE IF EXISTS impayes_fresh;
CREATE DATABASE impayes_upgraded;
CREATE DATABASE impayes_fresh;
CREATE ROLE t50_clerk;
CREATE ROLE t50_auditor;

-- 1.0 as released, with a caller and an auditor granted what they need.
\c impayes_upgraded
CREATE EXTENSION impayes_sync VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'impayes_sync';
GRANT EXECUTE ON FUNCTION impayes_sync(boolean, boolean) TO t50_clerk;
GRANT USAGE ON SCHEMA impayes_sync TO t50_auditor;
GRANT SELECT ON impayes_sync.runs TO t50_auditor;
CREATE TABLE invoices (numero_facture text, montant numeric);
INSERT INTO invoices VALUES ('F-1', 10), ('F-2', 20), ('F-3', 30);
GRANT SELECT ON invoices TO t50_clerk;
SET impayes_sync.source = 'public.invoices';
SET impayes_sync.class_name = 'T50';
SET ROLE t50_clerk;
SELECT r->'success' AS success, r->'inserted' AS inserted, r->'updated' AS updated,
       r->'skipped' AS skipped, r->>'mode' AS mode
FROM impayes_sync() AS r;
RESET ROLE;

-- The update, then a run: the ledger is used (incremental: only the changed
-- and the new row are sent), the caller may still call it, the auditor
-- still reads the history, which kept the 1.0 run.
UPDATE invoices SET montant = 21 WHERE numero_facture = 'F-2';
INSERT INTO invoices VALUES ('F-4', 40);
ALTER EXTENSION impayes_sync UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'impayes_sync')
       AS at_default_version
FROM pg_extension WHERE extname = 'impayes_sync';
SET ROLE t50_clerk;
SELECT r->'success' AS success, r->'inserted' AS inserted, r->'updated' AS updated,
       r->'skipped' AS skipped, r->>'mode' AS mode
FROM impayes_sync() AS r;
RESET ROLE;
SET ROLE t50_auditor;
SELECT id, success, class_name, inserted, updated, skipped, total, run_by FROM impayes_sync.runs ORDER BY id;
RESET ROLE;
SELECT has_function_privilege('t50_clerk', 'impayes_sync(boolean, boolean)', 'EXECUTE') AS clerk_executes,
       has_function_privilege('public', 'impayes_sync(boolean, boolean)', 'EXECUTE') AS public_executes,
       has_table_privilege('t50_auditor', 'impayes_sync.runs', 'SELECT') AS auditor_reads_runs,
       has_table_privilege('t50_clerk', 'impayes_sync.runs', 'SELECT') AS clerk_reads_runs;

-- A fresh install at the default version, granted the same.
\c impayes_fresh
CREATE EXTENSION impayes_sync;
GRANT EXECUTE ON FUNCTION impayes_sync(boolean, boolean) TO t50_clerk;
GRANT USAGE ON SCHEMA impayes_sync TO t50_auditor;
GRANT SELECT ON impayes_sync.runs TO t50_auditor;
\set ECHO none
\i :repo/test/upgrade/extension_objects.sql
SELECT json_agg(o ORDER BY o) AS fresh_objects FROM pg_temp.extension_objects('impayes_sync') AS o \gset
\set ECHO all
-- The listing is not vacuous: it has each kind of fact.
SELECT count(*) FILTER (WHERE o = 'member: function public.impayes_sync(boolean,boolean)') AS function,
       count(*) FILTER (WHERE o LIKE 'table impayes_sync.runs: column % run_by name,%') AS column,
       count(*) FILTER (WHERE o LIKE 'function public.impayes_sync(boolean,boolean): %acl {%t50_clerk=X/%') AS acl,
       count(*) FILTER (WHERE o LIKE 'comment on function public.impayes_sync(boolean,boolean): %') AS comment,
       count(*) FILTER (WHERE o LIKE 'initial privileges of %') > 0 AS init_privs,
       count(*) FILTER (WHERE o LIKE 'extension impayes_sync: pg_dump keeps impayes_sync.runs %') AS config
FROM json_array_elements_text(:'fresh_objects') AS o;

-- Every fact about the objects is the same in the updated database.
\c impayes_upgraded
\set ECHO none
\i :repo/test/upgrade/extension_objects.sql
\set ECHO all
WITH fresh AS (SELECT o FROM json_array_elements_text(:'fresh_objects') AS o),
     updated AS (SELECT o FROM pg_temp.extension_objects('impayes_sync') AS o)
SELECT * FROM (SELECT 'only after CREATE EXTENSION' AS "where", o FROM (TABLE fresh EXCEPT ALL TABLE updated) f
               UNION ALL
               SELECT 'only after UPDATE', o FROM (TABLE updated EXCEPT ALL TABLE fresh) u) AS d
ORDER BY 1, 2;

-- Parse holds each invoice once, as it is now.
\c contrib_regression
SELECT * FROM test.dump('T50');
DROP DATABASE impayes_upgraded WITH (FORCE);
DROP DATABASE impayes_fresh WITH (FORCE);
DROP ROLE t50_clerk;
DROP ROLE t50_auditor;
SELECT * FROM test.admin('drop-class T50');
