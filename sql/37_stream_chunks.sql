-- A source larger than one chunk: impayes_sync.fetch_size = 7 rows a fetch
-- over about 50 rows (8 chunks), 3 objects per /batch. A first sync, then
-- updates, inserts and deletes spread over several chunks, then keys
-- duplicated within one chunk and across chunks: each run's counts, and
-- Parse against the source. The source is ordered by "ligne", so which
-- chunk a row falls in is known (chunk = (row - 1) / 7 + 1).
SELECT test.use('parse', 'T37');
SELECT * FROM test.admin('drop-class T37');
CREATE TABLE impayes (ligne numeric PRIMARY KEY, numero_facture text NOT NULL, client text, montant int);
INSERT INTO impayes SELECT g, format('F-%s', lpad(g::text, 2, '0')), format('Client %s', g), g * 10
FROM generate_series(1, 50) g;
SET impayes_sync.source = 'SELECT numero_facture, client, montant FROM impayes ORDER BY ligne';
SET impayes_sync.fetch_size = 7;
SET impayes_sync.batch_size = 3;
SET impayes_sync.on_missing = 'delete';

-- Source rows and keys; objects and distinct keys in Parse; objects equal
-- to a source row (no other field, none missing). Converged: five equal
-- numbers.
CREATE FUNCTION t37_state(OUT source_rows bigint, OUT source_keys bigint, OUT objects bigint,
                          OUT object_keys bigint, OUT matching bigint)
LANGUAGE sql AS $$
  WITH d AS (SELECT d FROM test.dump('T37') d),
       s AS (SELECT numero_facture, client, montant FROM impayes)
  SELECT (SELECT count(*) FROM s), (SELECT count(DISTINCT numero_facture) FROM s),
         (SELECT count(*) FROM d), (SELECT count(DISTINCT d->>'numero_facture') FROM d),
         (SELECT count(*) FROM d JOIN s ON d.d = jsonb_strip_nulls(to_jsonb(s)))
$$;

-- Each row's position in the source (1-based, as the result numbers rows)
-- and the chunk it is fetched in.
CREATE VIEW t37_rows AS
SELECT row_number() OVER (ORDER BY ligne) AS row, (row_number() OVER (ORDER BY ligne) - 1) / 7 + 1 AS chunk,
       ligne, numero_facture, client, montant
FROM impayes;

-- First sync: 50 inserts from 8 chunks; then nothing to do.
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;
SELECT * FROM t37_state();
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;

-- Changes in chunks 1, 3, 5 and 7 (updates), 2, 4 and 6 (inserts) and 3
-- and 5 (deletes, on_missing = delete).
UPDATE impayes SET montant = montant + 1 WHERE ligne IN (2, 16, 30, 44);
UPDATE impayes SET client = NULL WHERE ligne = 45;
INSERT INTO impayes VALUES (10.5, 'F-10b', 'Client 10b', 105), (25.5, 'F-25b', 'Client 25b', 255),
                           (40.5, 'F-40b', NULL, 405);
DELETE FROM impayes WHERE ligne IN (20, 33);
SELECT chunk, string_agg(numero_facture, ' ' ORDER BY row) AS changed
FROM t37_rows WHERE ligne IN (2, 16, 30, 44, 45, 10.5, 25.5, 40.5) GROUP BY chunk ORDER BY chunk;
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;
SELECT * FROM t37_state();
-- Updated, inserted, a NULL over a set field (F-45), deleted (F-20: gone).
SELECT d FROM test.dump('T37') d WHERE d->>'numero_facture' IN ('F-02', 'F-10b', 'F-20', 'F-45') ORDER BY 1;
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;

-- Duplicated keys: D-1 twice within chunk 1, D-2 in chunks 2 and 8 (both
-- new), and F-12 (synced, unchanged, chunk 3) again in chunk 8. Every row
-- of each is rejected, naming the other row; no key gets a second object;
-- the F-12 object stays as it was (a rejected key is still in the source:
-- not deleted). A streaming run may have pushed D-2 from chunk 2 before it
-- met its second row in chunk 8 (at most one object, never two): so
-- "inserted" and "skipped" are not printed, but "inserted" must be the
-- number of objects the run created.
INSERT INTO impayes VALUES (5.1, 'D-1', 'Doublon 1a', 1), (5.2, 'D-1', 'Doublon 1b', 2),
                           (8.5, 'D-2', 'Doublon 2a', 3), (45.5, 'D-2', 'Doublon 2b', 4),
                           (48.5, 'F-12', 'Client 12 bis', 5);
SELECT numero_facture, array_agg(row ORDER BY row) AS rows, array_agg(chunk ORDER BY row) AS chunks
FROM t37_rows WHERE numero_facture IN ('D-1', 'D-2', 'F-12') GROUP BY 1 ORDER BY 1;
SELECT objects AS objects_before FROM t37_state() \gset
CREATE TEMP TABLE t37_result AS SELECT impayes_sync() AS r;
SELECT r->'success' AS success, r->'total' AS total, r->'rejected' AS rejected, r->'failed' AS failed,
       r->'updated' AS updated, r->'deleted' AS deleted, r->>'error' AS error
FROM t37_result;
SELECT e->>'row' AS row, e->>'key' AS key, e->>'column' AS column, e->>'error' AS error
FROM t37_result, jsonb_array_elements(r->'details'->'rejected_rows') e ORDER BY (e->>'row')::int;
-- The rows named are the source's own positions.
SELECT bool_and(t.numero_facture = e->>'key') AS rows_are_the_duplicates
FROM t37_result, jsonb_array_elements(r->'details'->'rejected_rows') e
JOIN t37_rows t ON t.row = (e->>'row')::bigint;
SELECT (SELECT (r->>'inserted')::bigint FROM t37_result) = objects - :objects_before AS inserted_is_objects_created,
       objects = object_keys AS one_object_per_key
FROM t37_state();
SELECT k AS key, (SELECT count(*) FROM test.dump('T37') d WHERE d->>'numero_facture' = k) <= 1 AS at_most_one_object
FROM unnest(ARRAY['D-1', 'D-2']) k;
SELECT d FROM test.dump('T37') d WHERE d->>'numero_facture' IN ('D-1', 'F-12') ORDER BY 1;
-- The keys that are not duplicated are all in Parse as in the source.
SELECT count(*) AS matching_unique_keys FROM test.dump('T37') d
JOIN (SELECT numero_facture, client, montant FROM impayes
      WHERE numero_facture NOT IN ('D-1', 'D-2', 'F-12')) s ON d = jsonb_strip_nulls(to_jsonb(s));
DROP TABLE t37_result;

-- The duplicates fixed (the second row of each removed): the next run
-- converges (D-1 inserted; D-2 inserted, or found as pushed from chunk 2),
-- and a full reconciliation then finds nothing to change.
DELETE FROM impayes WHERE ligne IN (5.2, 45.5, 48.5);
SELECT objects AS objects_before FROM t37_state() \gset
CREATE TEMP TABLE t37_result AS SELECT impayes_sync() AS r;
SELECT r->'success' AS success, r->'total' AS total, r->'rejected' AS rejected, r->'failed' AS failed,
       r->'updated' AS updated, r->'deleted' AS deleted,
       (r->>'inserted')::int + (r->>'skipped')::int AS inserted_plus_skipped
FROM t37_result;
SELECT (SELECT (r->>'inserted')::bigint FROM t37_result) = objects - :objects_before AS inserted_is_objects_created
FROM t37_state();
DROP TABLE t37_result;
SELECT * FROM t37_state();
SELECT test.summary(r), r->'deleted' AS deleted, r->>'mode' AS mode FROM impayes_sync(full => true) r;
SELECT test.summary(r), r->'deleted' AS deleted, r->>'mode' AS mode FROM impayes_sync() r;

SELECT test.use('parse');
RESET impayes_sync.source;
RESET impayes_sync.fetch_size;
RESET impayes_sync.batch_size;
RESET impayes_sync.on_missing;
DROP VIEW t37_rows;
DROP FUNCTION t37_state();
DROP TABLE impayes;
