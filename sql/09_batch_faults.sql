-- Faults while pushing through /batch (small batches, many of them): each
-- run either converges or fails cleanly, and the next normal run converges
-- without ever creating an object twice.
SELECT test.use('parse', 'T09');
SELECT * FROM test.admin('drop-class T09');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric);
INSERT INTO impayes SELECT format('F-%s', g), format('Client %s', g), g * 10 FROM generate_series(1, 20) g;
SET impayes_sync.batch_size = 3;  -- 20 objects = 7 batches

-- Rows in the source, objects in Parse, and objects equal to their source
-- row (no other field, none missing). Converged = three equal numbers.
CREATE FUNCTION t09_state(OUT source bigint, OUT objects bigint, OUT matching bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM impayes),
         (SELECT a::bigint FROM test.admin('count T09') a),
         (SELECT count(*) FROM test.dump('T09') d JOIN impayes i ON d = jsonb_strip_nulls(to_jsonb(i)))
$$;

-- Runs a harness script (kill-parse.sh, restart-parse.sh) on the state dir.
CREATE FUNCTION t09_harness(script text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE out text;
BEGIN
  IF to_regclass('pg_temp.t09_out') IS NULL THEN
    CREATE TEMP TABLE t09_out (line text);
  END IF;
  TRUNCATE t09_out;
  EXECUTE format('COPY t09_out FROM PROGRAM %L',
    format('%s/test/harness/%s %s', test.env('repo'), script,
           regexp_replace(test.env('mode_file'), '/[^/]*$', '')));
  SELECT string_agg(line, ' ') INTO out FROM t09_out;
  RETURN out;
END $$;

-- How many POST /batch the proxy answered with ACTION (injected, reset,
-- reset-mid-body, applied) since its mode was last set.
CREATE FUNCTION t09_proxy_batches(action text) RETURNS bigint LANGUAGE sql AS $$
  WITH l AS (
    SELECT line, n FROM regexp_split_to_table(
      pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n') WITH ORDINALITY AS t(line, n))
  SELECT count(*) FROM l
  WHERE n > (SELECT max(n) FROM l WHERE line LIKE '% mode set to %')
    AND line LIKE '% POST %/batch mode=% ' || action || '%'
$$;

-- Every 2nd batch answers 503 (then 502, then every 3rd 500): retried in
-- the same run.
SELECT test.proxy('status-batch:503:2');
SELECT test.summary(impayes_sync());
SELECT t09_proxy_batches('injected') > 0 AS faults_injected;
SELECT * FROM t09_state();
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('status-batch:502:2');
SELECT test.summary(impayes_sync());
SELECT t09_proxy_batches('injected') > 0 AS faults_injected;
SELECT * FROM t09_state();
UPDATE impayes SET montant = montant + 1 WHERE numero_facture IN ('F-1', 'F-2', 'F-3', 'F-4', 'F-5', 'F-6', 'F-7');
INSERT INTO impayes SELECT format('F-%s', g), format('Client %s', g), g * 10 FROM generate_series(21, 25) g;
SELECT test.proxy('status-batch:500:3');
SELECT test.summary(impayes_sync());
SELECT t09_proxy_batches('injected') > 0 AS faults_injected;
SELECT * FROM t09_state();

-- No retries: the first 2 batches pass, the others answer 503. The run
-- fails and lists exactly the objects not written (19 of 25 in 9 batches);
-- the next run writes them.
UPDATE impayes SET client = client || ' bis';
SET impayes_sync.max_retries = 0;
SELECT test.proxy('status-batch-after:503:2');
CREATE TEMP TABLE t09_result AS SELECT impayes_sync() AS r;
SELECT test.summary(r), r->>'message' AS message FROM t09_result;
SELECT f->>'op' AS op, f->>'http_status' AS http_status, f->>'error' AS error, count(*)
FROM t09_result, jsonb_array_elements(r->'details'->'failed_items') f GROUP BY 1, 2, 3;
SELECT * FROM t09_state();
-- The listed keys are exactly those whose object still differs.
SELECT (SELECT array_agg(f->>'key' ORDER BY f->>'key')
        FROM t09_result, jsonb_array_elements(r->'details'->'failed_items') f)
     = (SELECT array_agg(i.numero_facture ORDER BY i.numero_facture) FROM impayes i
        WHERE NOT EXISTS (SELECT FROM test.dump('T09') d WHERE d = jsonb_strip_nulls(to_jsonb(i))))
       AS listed_keys_are_the_unsynced_ones;
DROP TABLE t09_result;
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
RESET impayes_sync.max_retries;

-- Connection reset without an answer (every batch: the run fails), or in
-- the middle of the answer (the batch WAS applied: retried after looking
-- the inserts up by key).
SELECT * FROM test.admin('drop-class T09');
SELECT test.proxy('reset-batch');
SET impayes_sync.max_retries = 1;
SELECT test.summary(impayes_sync());
SELECT t09_proxy_batches('reset') > 0 AS faults_injected;
SELECT * FROM t09_state();
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
RESET impayes_sync.max_retries;
SELECT * FROM test.admin('drop-class T09');
SELECT test.proxy('reset-mid-body-batch');
SELECT test.summary(impayes_sync());
SELECT t09_proxy_batches('reset-mid-body') > 0 AS faults_injected;
SELECT * FROM t09_state();
-- Updates: every retry is cut too, so the run fails, but Parse has them.
UPDATE impayes SET montant = montant + 1;
SET impayes_sync.max_retries = 1;
SELECT test.proxy('reset-mid-body-batch');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
RESET impayes_sync.max_retries;
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();

-- Applied, then the connection dropped before any answer: the retry finds
-- the inserts already there and does not create them again.
SELECT * FROM test.admin('drop-class T09');
SELECT test.proxy('apply-then-reset-batch');
SELECT test.summary(impayes_sync());
SELECT t09_proxy_batches('applied') > 0 AS faults_injected;
SELECT * FROM t09_state();
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
-- Without retries the inserts are still looked up by key (not re-sent):
-- all applied, the run succeeds; the next one finds nothing to do.
SELECT * FROM test.admin('drop-class T09');
SET impayes_sync.max_retries = 0;
SELECT test.proxy('apply-then-reset-batch');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
-- Updates applied without an answer: they fail (every retry is reset too)
-- but Parse has them; the next run finds nothing to do.
UPDATE impayes SET montant = montant + 1;
SET impayes_sync.max_retries = 1;
SELECT test.proxy('apply-then-reset-batch');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
RESET impayes_sync.max_retries;
-- Start the next scenarios from a clean class whatever happened above.
SELECT * FROM test.admin('drop-class T09');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();

-- 413 Payload Too Large: not retried, the objects are listed as failed.
-- From the proxy on every batch...
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('status-batch:413:1');
SELECT test.summary(r) FROM impayes_sync() r;
SELECT t09_proxy_batches('injected') AS batches_answered_413;  -- 25 objects / 3: 9, none retried
SELECT test.proxy('status-batch:413:1');
SELECT f->>'op' AS op, f->>'http_status' AS http_status, f->>'error' AS error, count(*)
FROM impayes_sync() r, jsonb_array_elements(r->'details'->'failed_items') f GROUP BY 1, 2, 3;
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
-- ...and from Parse Server itself, for a body over its maxUploadSize (20 MB)
-- once max_request_bytes allows one.
SET impayes_sync.max_request_bytes = '64MB';
SET impayes_sync.source = 'SELECT * FROM impayes UNION ALL SELECT ''F-BIG'', repeat(''x'', 21 * 1024 * 1024), 0';
SELECT test.summary(r), r->'details'->'failed_items' AS failed_items FROM impayes_sync() r;
RESET impayes_sync.source;
RESET impayes_sync.max_request_bytes;
SELECT * FROM t09_state();

-- Parse Server down at the start of a run. (libcurl's "after N ms" varies.)
UPDATE impayes SET montant = montant + 1;
SET impayes_sync.max_retries = 1;
SELECT test.use('down');
SELECT regexp_replace(test.summary(r), 'after \d+ ms', 'after N ms') AS summary, r->'details'->>'phase' AS phase FROM impayes_sync() r;
SELECT test.use('parse');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();

-- Parse Server killed between two runs (the proxy in front answers 502),
-- then restarted: the next run converges.
UPDATE impayes SET montant = montant + 1;
SELECT t09_harness('kill-parse.sh');
SELECT test.proxy('pass');
SELECT test.summary(r), r->'details'->>'phase' AS phase FROM impayes_sync() r;
SELECT t09_harness('restart-parse.sh');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();

-- Parse Server killed in the middle of a run: the source query itself
-- kills it, after the run has checked access to Parse.
UPDATE impayes SET montant = montant + 1;
SELECT test.use('parse');
SET impayes_sync.source = 'SELECT i.* FROM impayes i WHERE (SELECT t09_harness(''kill-parse.sh'')) IS NOT NULL';
SELECT regexp_replace(test.summary(r), 'after \d+ ms', 'after N ms') AS summary, r->'details'->>'phase' AS phase FROM impayes_sync() r;
RESET impayes_sync.source;
SELECT t09_harness('restart-parse.sh');
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();
RESET impayes_sync.max_retries;

-- Objects changed or deleted by another client are repaired.
SELECT * FROM test.admin('update-by-key T09 numero_facture F-3 ''{"montant":0,"client":"autre"}''');
SELECT * FROM test.admin('update-by-key T09 numero_facture F-5 ''{"client":{"__op":"Delete"}}''');
SELECT * FROM test.admin('delete-by-key T09 numero_facture F-4');
SELECT * FROM t09_state();
SELECT test.summary(impayes_sync());
SELECT * FROM t09_state();

SELECT test.use('parse');
DROP FUNCTION t09_state();
DROP FUNCTION t09_harness(text);
DROP FUNCTION t09_proxy_batches(text);
DROP TABLE impayes;
