-- A run cancelled in the middle of a source larger than one chunk
-- (fetch_size 7, 3 objects per /batch): once while it reads the source
-- (a row of the source waits for an advisory lock this session holds),
-- once while it pushes (the fault proxy holds a /batch). The run runs in
-- another backend (dblink); each time the test waits for the state it
-- wants (the backend waiting on the lock, the proxy holding the request),
-- then sends pg_cancel_backend. The call ends with the cancel error, leaves
-- no progress row nor lock behind, and the next run converges: Parse
-- equals the source, no key held twice. What a streaming run pushed before
-- the cancel is not recorded (a cancelled call is not): the next run's
-- counts say how it caught up, so they are checked as sums.
SELECT test.use('parse', 'T39');
SELECT * FROM test.admin('drop-class T39');
-- An earlier test of the suite (15_pg_cron) may have left dblink installed.
SELECT NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'dblink') AS t39_own_dblink \gset
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
CREATE TABLE impayes (ligne numeric PRIMARY KEY, numero_facture text NOT NULL, client text, montant int);
INSERT INTO impayes SELECT g, format('F-%s', lpad(g::text, 2, '0')), format('Client %s', g), g * 10
FROM generate_series(1, 50) g;

-- The row of ligne 30 (chunk 5, once the rows below are added) waits for
-- advisory lock (39, 30), shared, while this session holds it. The rows
-- come out of the sorted subquery one by one as the cursor fetches them,
-- so a streaming run has pushed the chunks before it when it blocks.
CREATE FUNCTION t39_gate(ligne numeric) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ligne = 30 THEN
    PERFORM pg_advisory_xact_lock_shared(39, 30);
  END IF;
  RETURN true;
END $$;
SET impayes_sync.source = 'SELECT numero_facture, client, montant FROM (SELECT * FROM impayes ORDER BY ligne OFFSET 0) i WHERE t39_gate(i.ligne)';
SET impayes_sync.fetch_size = 7;
SET impayes_sync.batch_size = 3;

-- Source rows; objects and distinct keys in Parse; objects equal to their
-- source row. Converged: four equal numbers.
CREATE FUNCTION t39_state(OUT source_rows bigint, OUT objects bigint, OUT object_keys bigint, OUT matching bigint)
LANGUAGE sql AS $$
  WITH d AS (SELECT d FROM test.dump('T39') d),
       s AS (SELECT numero_facture, client, montant FROM impayes)
  SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM d),
         (SELECT count(DISTINCT d->>'numero_facture') FROM d),
         (SELECT count(*) FROM d JOIN s ON d.d = jsonb_strip_nulls(to_jsonb(s)))
$$;

-- Opens dblink connection NAME to this database, set up as this session
-- (same source, chunks and batches), through the fault proxy, one request
-- at a time, without a query_timeout (the cancel is the only way out).
CREATE FUNCTION t39_connect(name text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_connect(name, format('host=127.0.0.1 port=%s dbname=%s user=postgres application_name=t39_sync',
                                      current_setting('port'), current_database()));
  PERFORM dblink_exec(name, format('SET impayes_sync.parse_url = %L', test.env('proxy_url')));
  PERFORM dblink_exec(name, 'SET impayes_sync.class_name = ''T39''');
  PERFORM dblink_exec(name, format('SET impayes_sync.source = %L', current_setting('impayes_sync.source')));
  PERFORM dblink_exec(name, 'SET impayes_sync.fetch_size = 7');
  PERFORM dblink_exec(name, 'SET impayes_sync.batch_size = 3');
  PERFORM dblink_exec(name, 'SET impayes_sync.parallel_requests = 1');
  PERFORM dblink_exec(name, 'SET impayes_sync.query_timeout = 0');
  PERFORM dblink_exec(name, 'SET impayes_sync.request_timeout = ''120s''');
  -- Only should the test fail to cancel: an error other than the cancel's
  -- rather than a hang.
  PERFORM dblink_exec(name, 'SET statement_timeout = ''60s''');
  RETURN 'connected';
END $$;

-- Lines of the proxy log since its mode was last set that match PATTERN.
CREATE FUNCTION t39_proxy_lines(pattern text) RETURNS bigint LANGUAGE sql AS $$
  WITH l AS (
    SELECT line, n FROM regexp_split_to_table(
      pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n') WITH ORDINALITY AS t(line, n))
  SELECT count(*) FROM l
  WHERE n > (SELECT max(n) FROM l WHERE line LIKE '% mode set to %') AND line LIKE pattern
$$;

-- Waits (polling, at most 20 s) until backend TARGET runs impayes_sync()
-- and WHAT holds: 'lock' (it waits for an advisory lock), 'held' (the
-- proxy holds one of its /batch) or 'closed' (the held /batch's client
-- hung up). True when it does.
CREATE FUNCTION t39_wait(target int, what text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '20 s';
  running boolean;
  reached boolean;
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    running := EXISTS (SELECT FROM pg_stat_activity WHERE pid = target AND state = 'active'
                       AND query LIKE '%impayes_sync()%');
    reached := CASE what
      WHEN 'lock' THEN running AND EXISTS (SELECT FROM pg_stat_activity WHERE pid = target
                                           AND wait_event_type = 'Lock' AND wait_event = 'advisory')
      WHEN 'held' THEN running AND t39_proxy_lines('% POST %/batch mode=% holding') > 0
      WHEN 'closed' THEN t39_proxy_lines('% POST %/batch mode=% client-closed %') > 0
    END;
    IF reached THEN
      RETURN true;
    END IF;
    IF clock_timestamp() > deadline THEN
      RAISE WARNING 't39_wait: backend % not in state % after 20 s', target, what;
      RETURN false;
    END IF;
    PERFORM pg_sleep(0.05);  -- polling interval
  END LOOP;
END $$;

-- What the cancelled backend left: its progress row, its locks.
CREATE FUNCTION t39_left(target int, OUT progress_rows bigint, OUT advisory_locks bigint) LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM impayes_sync.progress WHERE pid = target),
         (SELECT count(*) FROM pg_locks WHERE pid = target AND locktype = 'advisory')
$$;

-- First sync, from this session.
SELECT test.summary(impayes_sync());
SELECT * FROM t39_state();
SELECT test.proxy('pass');
SELECT t39_connect('t39');
SELECT pid AS t39_pid FROM dblink('t39', 'SELECT pg_backend_pid()') AS t(pid int) \gset

-- Cancelled while reading the source, at ligne 30: changes before and
-- after it (updates in chunks 1, 3, 5, 7; inserts in 2, 4, 8).
UPDATE impayes SET montant = montant + 1 WHERE ligne IN (3, 17, 31, 45);
INSERT INTO impayes VALUES (10.5, 'F-10b', 'Client 10b', 105), (25.5, 'F-25b', 'Client 25b', 255),
                           (49.5, 'F-49b', 'Client 49b', 495);
SELECT pg_advisory_lock(39, 30);
SELECT dblink_send_query('t39', 'SELECT impayes_sync()');
SELECT t39_wait(:t39_pid, 'lock');
SELECT pg_cancel_backend(:t39_pid);
SELECT * FROM dblink_get_result('t39') AS t(r jsonb);
SELECT * FROM dblink_get_result('t39') AS t(r jsonb);
SELECT pg_advisory_unlock(39, 30);
SELECT * FROM t39_left(:t39_pid);
-- The same backend's next run converges.
CREATE TEMP TABLE t39_result AS SELECT r::jsonb FROM dblink('t39', 'SELECT impayes_sync()') AS t(r text);
SELECT r->'success' AS success, r->'total' AS total, r->'failed' AS failed, r->'rejected' AS rejected,
       (r->>'inserted')::int + (r->>'updated')::int + (r->>'skipped')::int AS written_plus_skipped,
       (r->>'inserted')::int <= 3 AND (r->>'updated')::int <= 4 AS at_most_the_changes
FROM t39_result;
DROP TABLE t39_result;
SELECT * FROM t39_state();

-- Cancelled while pushing: every row updated, 4 new rows (chunks 1, 3, 6,
-- 8); the proxy lets 4 /batch through, then holds the next.
UPDATE impayes SET montant = montant + 1;
INSERT INTO impayes VALUES (2.5, 'F-02b', 'Client 2b', 25), (17.5, 'F-17b', 'Client 17b', 175),
                           (38.5, 'F-38b', 'Client 38b', 385), (50.5, 'F-50b', 'Client 50b', 505);
SELECT test.proxy('hold-batch-after:4');
SELECT dblink_send_query('t39', 'SELECT impayes_sync()');
SELECT t39_wait(:t39_pid, 'held');
SELECT pg_cancel_backend(:t39_pid);
SELECT * FROM dblink_get_result('t39') AS t(r jsonb);
SELECT * FROM dblink_get_result('t39') AS t(r jsonb);
-- The held /batch is dropped (its client is gone) before the proxy passes.
SELECT t39_wait(:t39_pid, 'closed');
SELECT test.proxy('pass');
SELECT * FROM t39_left(:t39_pid);
-- 12 of the 57 objects to write were in the 4 batches Parse answered
-- before the cancel: the next run finds them done, writes the others.
SELECT objects AS objects_before FROM t39_state() \gset
CREATE TEMP TABLE t39_result AS SELECT r::jsonb FROM dblink('t39', 'SELECT impayes_sync()') AS t(r text);
SELECT r->'success' AS success, r->'total' AS total, r->'failed' AS failed, r->'rejected' AS rejected,
       (r->>'inserted')::int + (r->>'updated')::int + (r->>'skipped')::int AS written_plus_skipped,
       (r->>'skipped')::int > 0 AS some_written_before_the_cancel
FROM t39_result;
SELECT (SELECT (r->>'inserted')::bigint FROM t39_result) = objects - :objects_before AS inserted_is_objects_created
FROM t39_state();
DROP TABLE t39_result;
SELECT * FROM t39_state();

-- Nothing left running; this session's next run finds nothing to do.
SELECT dblink_disconnect('t39');
SELECT count(*) AS runs_in_progress FROM impayes_sync.progress;
SELECT test.use('parse');
SELECT test.summary(impayes_sync());

RESET impayes_sync.source;
RESET impayes_sync.fetch_size;
RESET impayes_sync.batch_size;
DROP FUNCTION t39_left(int);
DROP FUNCTION t39_wait(int, text);
DROP FUNCTION t39_proxy_lines(text);
DROP FUNCTION t39_connect(text);
DROP FUNCTION t39_state();
DROP FUNCTION t39_gate(numeric);
DROP TABLE impayes;
\if :t39_own_dblink
DROP EXTENSION dblink;
\endif
