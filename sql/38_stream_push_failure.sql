-- A /batch failing in the middle of a push that spans several chunks
-- (fetch_size 7, 3 objects per /batch, one request at a time, no retries):
-- the fault proxy answers 503 to every 10th (then every 4th) /batch. The run
-- says success:false and lists exactly the objects not written; the other
-- objects, before and after the failure, are written; the next run (proxy
-- back to pass) converges: Parse equals the source, no key held twice.
-- Which objects share a /batch depends on how the engine cuts chunks into
-- batches: the tests check what holds either way, not the keys.
SELECT test.use('parse', 'T38');
SELECT * FROM test.admin('drop-class T38');
CREATE TABLE impayes (ligne numeric PRIMARY KEY, numero_facture text NOT NULL, client text, montant int);
INSERT INTO impayes SELECT g, format('F-%s', lpad(g::text, 2, '0')), format('Client %s', g), g * 10
FROM generate_series(1, 50) g;
SET impayes_sync.source = 'SELECT numero_facture, client, montant FROM impayes ORDER BY ligne';
SET impayes_sync.fetch_size = 7;
SET impayes_sync.batch_size = 3;
SET impayes_sync.parallel_requests = 1;
SET impayes_sync.max_retries = 0;
SET impayes_sync.on_missing = 'delete';

-- Source rows; objects and distinct keys in Parse; objects equal to their
-- source row. Converged: four equal numbers.
CREATE FUNCTION t38_state(OUT source_rows bigint, OUT objects bigint, OUT object_keys bigint, OUT matching bigint)
LANGUAGE sql AS $$
  WITH d AS (SELECT d FROM test.dump('T38') d),
       s AS (SELECT numero_facture, client, montant FROM impayes)
  SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM d),
         (SELECT count(DISTINCT d->>'numero_facture') FROM d),
         (SELECT count(*) FROM d JOIN s ON d.d = jsonb_strip_nulls(to_jsonb(s)))
$$;

-- Keys where Parse differs from the source: a source row without an equal
-- object, or an object whose key left the source.
CREATE FUNCTION t38_unsynced() RETURNS SETOF text LANGUAGE sql AS $$
  WITH d AS (SELECT d FROM test.dump('T38') d),
       s AS (SELECT numero_facture, client, montant FROM impayes)
  SELECT s.numero_facture FROM s WHERE NOT EXISTS (SELECT FROM d WHERE d.d = jsonb_strip_nulls(to_jsonb(s)))
  UNION
  SELECT d->>'numero_facture' FROM d WHERE NOT EXISTS (SELECT FROM s WHERE s.numero_facture = d->>'numero_facture')
$$;

-- How many POST /batch the proxy answered 503 since its mode was last set.
CREATE FUNCTION t38_injected() RETURNS bigint LANGUAGE sql AS $$
  WITH l AS (
    SELECT line, n FROM regexp_split_to_table(
      pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n') WITH ORDINALITY AS t(line, n))
  SELECT count(*) FROM l
  WHERE n > (SELECT max(n) FROM l WHERE line LIKE '% mode set to %')
    AND line LIKE '% POST %/batch mode=% injected status=503 %'
$$;

-- First sync of 50 inserts (8 chunks, 17 or more batches); the 10th batch
-- (and the 20th, if there is one) fails. Some objects fail, not all.
SELECT test.proxy('status-batch:503:10');
CREATE TEMP TABLE t38_result AS SELECT impayes_sync() AS r;
SELECT t38_injected() > 0 AS batches_failed;
SELECT r->'success' AS success, r->'total' AS total, r->'rejected' AS rejected, r->'updated' AS updated,
       r->'skipped' AS skipped, (r->>'inserted')::int + (r->>'failed')::int AS inserted_plus_failed,
       (r->>'failed')::int BETWEEN 1 AND 49 AS some_failed,
       r->>'error' ~ ('^' || (r->>'failed') || ' objects? not written to Parse \(see details\)$') AS error_counts_them
FROM t38_result;
SELECT f->>'op' AS op, f->>'http_status' AS http_status, f->>'error' AS error, count(*) > 0 AS listed
FROM t38_result, jsonb_array_elements(r->'details'->'failed_items') f GROUP BY 1, 2, 3;
-- Parse holds what the result says; the failed keys are exactly the ones
-- missing, and rows of the source before and after them were written.
SELECT (SELECT (r->>'inserted')::bigint FROM t38_result) = objects AS inserted_is_objects,
       objects = object_keys AS one_object_per_key, objects = matching AS written_as_in_source
FROM t38_state();
CREATE TEMP TABLE t38_failed AS
SELECT f->>'key' AS key FROM t38_result, jsonb_array_elements(r->'details'->'failed_items') f;
SELECT (SELECT array_agg(key ORDER BY key) FROM t38_failed)
     = (SELECT array_agg(k ORDER BY k) FROM t38_unsynced() k) AS failed_are_the_unsynced;
WITH pos AS (SELECT numero_facture, row_number() OVER (ORDER BY ligne) AS row,
                    numero_facture IN (SELECT key FROM t38_failed) AS failed FROM impayes)
SELECT (SELECT min(row) FROM pos WHERE NOT failed) < (SELECT min(row) FROM pos WHERE failed) AS written_before,
       (SELECT max(row) FROM pos WHERE NOT failed) > (SELECT max(row) FROM pos WHERE failed) AS written_after;
SELECT count(*) AS failed_count FROM t38_failed \gset
DROP TABLE t38_failed;
DROP TABLE t38_result;

-- The proxy passes again: the next run writes exactly the missing objects.
SELECT test.proxy('pass');
CREATE TEMP TABLE t38_result AS SELECT impayes_sync() AS r;
SELECT test.summary(r) ~ '^success=true inserted=\d+ updated=0 skipped=\d+ total=50 failed=0 rejected=0$' AS converged,
       (r->>'inserted')::int = :failed_count AS inserted_the_failed, r->'deleted' AS deleted
FROM t38_result;
DROP TABLE t38_result;
SELECT * FROM t38_state();

-- An incremental run: 17 updates (every 3rd row, chunks 1 to 8), 5 inserts
-- (chunks 1, 3, 4, 6, 8) and 2 deletes: 24 objects to write; the 4th (and
-- 8th) batch fails.
UPDATE impayes SET montant = montant + 1 WHERE ligne::int % 3 = 1;
INSERT INTO impayes VALUES (3.5, 'F-03b', 'Client 3b', 35), (18.5, 'F-18b', 'Client 18b', 185),
                           (27.5, 'F-27b', 'Client 27b', 275), (38.5, 'F-38b', 'Client 38b', 385),
                           (49.5, 'F-49b', 'Client 49b', 495);
DELETE FROM impayes WHERE ligne IN (11, 35);
SELECT test.proxy('status-batch:503:4');
CREATE TEMP TABLE t38_result AS SELECT impayes_sync() AS r;
SELECT t38_injected() > 0 AS batches_failed;
SELECT r->'success' AS success, r->'total' AS total, r->'rejected' AS rejected,
       (r->>'inserted')::int + (r->>'updated')::int + (r->>'deleted')::int + (r->>'failed')::int AS written_plus_failed,
       (r->>'failed')::int BETWEEN 1 AND 23 AS some_failed,
       r->>'error' ~ ('^' || (r->>'failed') || ' objects? not written to Parse \(see details\)$') AS error_counts_them
FROM t38_result;
-- Which ops the failed batches held depends on the engine's order.
SELECT bool_and(f->>'op' IN ('insert', 'update', 'delete')) AS ops_known, f->>'http_status' AS http_status,
       f->>'error' AS error
FROM t38_result, jsonb_array_elements(r->'details'->'failed_items') f GROUP BY 2, 3;
SELECT (SELECT array_agg(f->>'key' ORDER BY f->>'key')
        FROM t38_result, jsonb_array_elements(r->'details'->'failed_items') f)
     = (SELECT array_agg(k ORDER BY k) FROM t38_unsynced() k) AS failed_are_the_unsynced;
SELECT objects = object_keys AS one_object_per_key FROM t38_state();
SELECT (r->>'failed')::int AS failed_count FROM t38_result \gset
DROP TABLE t38_result;

-- The next run writes exactly what failed and converges; then nothing is
-- left to do.
SELECT test.proxy('pass');
CREATE TEMP TABLE t38_result AS SELECT impayes_sync() AS r;
SELECT r->'success' AS success, r->'total' AS total, r->'failed' AS failed, r->'rejected' AS rejected,
       (r->>'inserted')::int + (r->>'updated')::int + (r->>'deleted')::int = :failed_count AS wrote_the_failed
FROM t38_result;
DROP TABLE t38_result;
SELECT * FROM t38_state();
SELECT count(*) AS unsynced FROM t38_unsynced();
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;

SELECT test.use('parse');
RESET impayes_sync.source;
RESET impayes_sync.fetch_size;
RESET impayes_sync.batch_size;
RESET impayes_sync.parallel_requests;
RESET impayes_sync.max_retries;
RESET impayes_sync.on_missing;
DROP FUNCTION t38_injected();
DROP FUNCTION t38_unsynced();
DROP FUNCTION t38_state();
DROP TABLE impayes;
