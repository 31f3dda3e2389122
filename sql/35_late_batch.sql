-- A late batch: a POST /batch that got no answer before request_timeout
-- but reaches Parse afterwards (a proxy that queues it, a busy node) must
-- not leave two objects for a key, and the run that met it must not say
-- success:true. The fault proxy holds the batch, lets the client give up,
-- and forwards it once the next request (the sync's look-up) is answered.
SELECT test.use('parse', 'T35');
SELECT * FROM test.admin('drop-class T35');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, montant numeric);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 6) g;
SET impayes_sync.batch_size = 10;  -- one batch per run
SET impayes_sync.request_timeout = '2s';
SET impayes_sync.max_retries = 1;

-- Rows in the source; objects, distinct keys and objects equal to their
-- source row in Parse. One object per key: objects = keys.
CREATE FUNCTION t35_state(OUT source bigint, OUT objects bigint, OUT keys bigint, OUT matching bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM impayes),
         (SELECT a::bigint FROM test.admin('count T35') a),
         (SELECT count(DISTINCT d->>'numero_facture') FROM test.dump('T35') d),
         (SELECT count(*) FROM test.dump('T35') d JOIN impayes i ON d = jsonb_strip_nulls(to_jsonb(i)))
$$;

-- Waits (bounded) until the proxy logs that Parse applied the held batch.
CREATE FUNCTION t35_wait_late() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  FOR i IN 1..600 LOOP
    IF EXISTS (
      WITH l AS (
        SELECT line, n FROM regexp_split_to_table(
          pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n')
          WITH ORDINALITY AS t(line, n))
      SELECT FROM l WHERE n > (SELECT max(n) FROM l WHERE line LIKE '% mode set to %')
        AND line LIKE '% POST %/batch mode=late-batch late-forwarded status=200%')
    THEN RETURN 'late batch applied by Parse'; END IF;
    PERFORM pg_sleep(0.1);
  END LOOP;
  RETURN 'late batch never forwarded';
END $$;

-- First load: the batch of 6 inserts is late. The look-up finds nothing
-- yet; the inserts are not sent again: outcome unknown, success:false.
SELECT test.proxy('late-batch');
CREATE TEMP TABLE t35_result AS SELECT impayes_sync() AS r;
SELECT t35_wait_late();
SELECT test.summary(r) FROM t35_result;
SELECT f->>'op' AS op, regexp_replace(f->>'error', '\d+ ms', 'N ms') AS error, count(*)
FROM t35_result, jsonb_array_elements(r->'details'->'failed_items') f GROUP BY 1, 2;
SELECT * FROM t35_state();
DROP TABLE t35_result;
-- The next clean run finds them (a full reconciliation): nothing to do.
SELECT test.proxy('pass');
SELECT test.summary(r), r->>'mode' AS mode FROM impayes_sync() r;
SELECT * FROM t35_state();
SELECT test.summary(r), r->>'mode' AS mode FROM impayes_sync() r;

-- An update and an insert in the late batch: the update is sent again (a
-- PUT of the same values is harmless), the insert is not.
UPDATE impayes SET montant = 100 WHERE numero_facture = 'F-1';
INSERT INTO impayes VALUES ('F-7', 7);
SELECT test.proxy('late-batch');
CREATE TEMP TABLE t35_result AS SELECT impayes_sync() AS r;
SELECT t35_wait_late();
SELECT test.summary(r) FROM t35_result;
SELECT f->>'key' AS key, f->>'op' AS op FROM t35_result, jsonb_array_elements(r->'details'->'failed_items') f;
SELECT * FROM t35_state();
DROP TABLE t35_result;
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t35_state();

-- Without retries the insert is still looked up (and not found: unknown);
-- the updates are not retried (failed), but the late batch applies them.
UPDATE impayes SET montant = montant + 1;
INSERT INTO impayes VALUES ('F-8', 8);
SET impayes_sync.max_retries = 0;
SELECT test.proxy('late-batch');
CREATE TEMP TABLE t35_result AS SELECT impayes_sync() AS r;
SELECT t35_wait_late();
SELECT test.summary(r) FROM t35_result;
SELECT f->>'key' AS key, f->>'op' AS op, f->>'error' LIKE '%outcome unknown%' AS outcome_unknown
FROM t35_result, jsonb_array_elements(r->'details'->'failed_items') f ORDER BY 1;
SELECT * FROM t35_state();
DROP TABLE t35_result;
RESET impayes_sync.max_retries;
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t35_state();

-- Extra objects sharing a key (a late batch of an older version, another
-- client) are deleted with on_missing = keep too. The one kept is the one
-- the ledger knows, else the oldest: the extra carries a field the sync
-- does not write, so the dump shows which one is left.
SHOW impayes_sync.on_missing;
SELECT * FROM test.admin($$create-object T35 '{"numero_facture":"F-2","montant":2,"extra":true}'$$);
SELECT r->'success' AS success, r->'deleted' AS deleted, r->'details'->'duplicate_keys_in_parse' AS duplicates
FROM impayes_sync() r;
SELECT * FROM t35_state();
SELECT * FROM test.admin($$create-object T35 '{"numero_facture":"F-3","montant":3,"extra":true}'$$);
TRUNCATE impayes_sync.ledger;  -- no ledger: the oldest is kept
SELECT r->'success' AS success, r->'deleted' AS deleted, r->'details'->'duplicate_keys_in_parse' AS duplicates
FROM impayes_sync() r;
SELECT * FROM t35_state();
-- A paid invoice held twice: one object stays (keep), the extra goes.
DELETE FROM impayes WHERE numero_facture = 'F-6';
SELECT * FROM test.admin($$create-object T35 '{"numero_facture":"F-6","montant":6,"extra":true}'$$);
SELECT r->'success' AS success, r->'deleted' AS deleted, r->'details'->'duplicate_keys_in_parse' AS duplicates
FROM impayes_sync(full => true) r;
SELECT * FROM t35_state();
SELECT count(*) AS extra_left FROM test.dump('T35') d WHERE d ? 'extra';
SELECT test.summary(impayes_sync());

SELECT test.use('parse');
DROP FUNCTION t35_state();
DROP FUNCTION t35_wait_late();
DROP TABLE impayes;
