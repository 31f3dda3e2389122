-- A run in another backend (dblink) is stopped by pg_cancel_backend,
-- pg_terminate_backend and statement_timeout while the proxy holds an HTTP
-- answer for 60 s (longer than anything here waits: had the interrupt not
-- worked, the outputs would differ), or while the source query sleeps. The
-- next run converges.
SELECT test.use('parse', 'T10');
SELECT * FROM test.admin('drop-class T10');
CREATE EXTENSION dblink;
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric);
INSERT INTO impayes SELECT format('F-%s', g), format('Client %s', g), g * 10 FROM generate_series(1, 10) g;

-- Rows in the source, objects in Parse, and objects equal to their source row.
CREATE FUNCTION t10_state(OUT source bigint, OUT objects bigint, OUT matching bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM impayes),
         (SELECT a::bigint FROM test.admin('count T10') a),
         (SELECT count(*) FROM test.dump('T10') d JOIN impayes i ON d = jsonb_strip_nulls(to_jsonb(i)))
$$;

-- Opens dblink connection NAME to this database, set up to sync into T10
-- through the fault proxy (never printed: ports vary).
CREATE FUNCTION t10_connect(name text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_connect(name, format('host=127.0.0.1 port=%s dbname=%s user=postgres application_name=t10_sync',
                                      current_setting('port'), current_database()));
  PERFORM dblink_exec(name, format('SET impayes_sync.parse_url = %L', test.env('proxy_url')));
  PERFORM dblink_exec(name, 'SET impayes_sync.class_name = ''T10''');
  PERFORM dblink_exec(name, 'SET impayes_sync.request_timeout = ''120s''');
  RETURN 'connected';
END $$;

-- Lines of the proxy log saying a request is being held.
CREATE FUNCTION t10_held() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM regexp_split_to_table(pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n') l
  WHERE l LIKE '% holding'
$$;

-- Waits (polling, at most 10 s) until the other backend is running
-- impayes_sync() and is either blocked on a held HTTP request (more held
-- requests than HELD_BEFORE) or sleeping in the source query; then sends
-- it SIGNAL ('cancel' or 'terminate'). True when it was signalled.
CREATE FUNCTION t10_signal(signal text, held_before bigint DEFAULT NULL) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '10 s';
  target int;
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT pid INTO target FROM pg_stat_activity
    WHERE pid <> pg_backend_pid() AND application_name = 't10_sync'
      AND query LIKE '%impayes_sync()%' AND state = 'active'
      AND (CASE WHEN held_before IS NULL THEN wait_event = 'PgSleep'
                ELSE t10_held() > held_before END);
    EXIT WHEN target IS NOT NULL;
    IF clock_timestamp() > deadline THEN
      RAISE WARNING 't10_signal: no impayes_sync() run in the expected state after 10 s';
      RETURN false;
    END IF;
    PERFORM pg_sleep(0.05);  -- polling interval
  END LOOP;
  IF signal = 'cancel' THEN RETURN pg_cancel_backend(target); END IF;
  RETURN pg_terminate_backend(target, 10000);
END $$;

SELECT test.summary(impayes_sync());
SELECT t10_connect('t10');

-- pg_cancel_backend while Parse's answer to a write is held.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('delay-batch:60000');
SELECT t10_held() AS held \gset
SELECT dblink_send_query('t10', 'SELECT impayes_sync()');
SELECT t10_signal('cancel', :held);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
-- The same backend syncs fine afterwards.
SELECT test.proxy('pass');
SELECT test.summary(r::jsonb) FROM dblink('t10', 'SELECT impayes_sync()') AS t(r text);
SELECT * FROM t10_state();

-- pg_cancel_backend while Parse's answer to the first read is held.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('delay:60000');
SELECT t10_held() AS held \gset
SELECT dblink_send_query('t10', 'SELECT impayes_sync()');
SELECT t10_signal('cancel', :held);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT test.proxy('pass');
SELECT test.summary(r::jsonb) FROM dblink('t10', 'SELECT impayes_sync()') AS t(r text);
SELECT * FROM t10_state();

-- statement_timeout of the other session, shorter than the held answer.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('delay-batch:60000');
SELECT dblink_exec('t10', 'SET statement_timeout = ''1s''');
SELECT dblink_send_query('t10', 'SELECT impayes_sync()');
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT dblink_exec('t10', 'RESET statement_timeout');
SELECT test.proxy('pass');
SELECT test.summary(r::jsonb) FROM dblink('t10', 'SELECT impayes_sync()') AS t(r text);
SELECT * FROM t10_state();

-- pg_terminate_backend while a write is held: the connection is lost; a
-- new backend syncs fine.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('delay-batch:60000');
SELECT t10_held() AS held \gset
SELECT dblink_send_query('t10', 'SELECT impayes_sync()');
SELECT t10_signal('terminate', :held);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT count(*) AS t10_backends FROM pg_stat_activity WHERE application_name = 't10_sync';
SELECT dblink_disconnect('t10');
SELECT test.proxy('pass');
SELECT t10_connect('t10');
SELECT test.summary(r::jsonb) FROM dblink('t10', 'SELECT impayes_sync()') AS t(r text);
SELECT * FROM t10_state();

-- pg_cancel_backend while the source query runs (no query_timeout): a
-- cancel, not a query_timeout message.
UPDATE impayes SET montant = montant + 1;
SELECT dblink_exec('t10', 'SET impayes_sync.query_timeout = 0');
SELECT dblink_exec('t10', 'SET impayes_sync.source = ''SELECT i.* FROM impayes i, pg_sleep(60)''');
SELECT dblink_send_query('t10', 'SELECT impayes_sync()');
SELECT t10_signal('cancel');
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT * FROM dblink_get_result('t10') AS t(r jsonb);
SELECT dblink_exec('t10', 'RESET impayes_sync.source');
SELECT test.summary(r::jsonb) FROM dblink('t10', 'SELECT impayes_sync()') AS t(r text);
SELECT * FROM t10_state();

-- Nothing was left behind: no impayes_sync() still running elsewhere, no
-- advisory lock held, and a run from this session (same class: same
-- advisory lock) works too.
SELECT count(*) AS other_runs FROM pg_stat_activity
WHERE application_name = 't10_sync' AND query LIKE '%impayes_sync()%' AND state <> 'idle';
SELECT count(*) AS advisory_locks FROM pg_locks l JOIN pg_database d ON d.oid = l.database
WHERE l.locktype = 'advisory' AND d.datname = current_database();
SELECT dblink_disconnect('t10');
UPDATE impayes SET montant = montant + 1;
SELECT test.use('parse');
SELECT test.summary(impayes_sync());
SELECT * FROM t10_state();

DROP FUNCTION t10_signal(text, bigint);
DROP FUNCTION t10_held();
DROP FUNCTION t10_connect(text);
DROP FUNCTION t10_state();
DROP TABLE impayes;
DROP EXTENSION dblink;
