-- Live progress: a second session watches a run in impayes_sync.progress.
-- The run goes through the fault proxy, which holds a /batch until the test
-- changes its mode, so the counters are read at known points: they move,
-- and the row is gone once the run ends, is cancelled or its backend is
-- terminated. Only the roles granted it may read the view.
SELECT test.use('parse', 'T45');
SELECT * FROM test.admin('drop-class T45');
-- An earlier test of the suite (15_pg_cron) may have left dblink installed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
CREATE TABLE impayes (numero_facture text PRIMARY KEY, montant numeric);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 10) g;
SELECT count(*) AS runs_in_progress FROM impayes_sync.progress;

-- Opens dblink connection NAME to this database, set up to sync into T45
-- through the fault proxy, 2 objects per /batch, one request at a time.
CREATE FUNCTION t45_connect(name text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dblink_connect(name, format('host=127.0.0.1 port=%s dbname=%s user=postgres application_name=t45_sync',
                                      current_setting('port'), current_database()));
  PERFORM dblink_exec(name, format('SET impayes_sync.parse_url = %L', test.env('proxy_url')));
  PERFORM dblink_exec(name, 'SET impayes_sync.class_name = ''T45''');
  PERFORM dblink_exec(name, 'SET impayes_sync.batch_size = 2');
  PERFORM dblink_exec(name, 'SET impayes_sync.parallel_requests = 1');
  PERFORM dblink_exec(name, 'SET impayes_sync.request_timeout = ''120s''');
  RETURN 'connected';
END $$;

-- Waits (polling, at most 20 s) until the run of backend TARGET shows
-- phase WANT with WRITTEN objects written. True when it does.
CREATE FUNCTION t45_wait(target int, want text, written bigint DEFAULT 0) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '20 s';
BEGIN
  LOOP
    IF EXISTS (SELECT FROM impayes_sync.progress
               WHERE pid = target AND phase = want AND objects_written = written) THEN
      RETURN true;
    END IF;
    IF clock_timestamp() > deadline THEN
      RAISE WARNING 't45_wait: no run of backend % in phase % with % written after 20 s: %', target, want, written,
        (SELECT json_agg(p) FROM impayes_sync.progress p);
      RETURN false;
    END IF;
    PERFORM pg_sleep(0.05);  -- polling interval
  END LOOP;
END $$;

-- The run's row, without what varies (times, pid, rate).
CREATE FUNCTION t45_row(target int) RETURNS TABLE (class_name text, this_database boolean, phase text,
  mode text, dry_run boolean, rows_read bigint, objects_read bigint, objects_to_write bigint,
  objects_written bigint, objects_failed bigint, times_ordered boolean, rate_positive boolean,
  eta_known boolean)
LANGUAGE sql AS $$
  SELECT class_name, database = current_database(), phase, mode, dry_run, rows_read, objects_read,
         objects_to_write, objects_written, objects_failed,
         started_at <= phase_started_at AND phase_started_at <= updated_at AND updated_at <= clock_timestamp(),
         rate > 0, eta IS NOT NULL
  FROM impayes_sync.progress WHERE pid = target
$$;

-- Waits (polling, at most 30 s) until the current phase of the run of
-- backend TARGET is SECONDS old.
CREATE FUNCTION t45_wait_age(target int, seconds int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  deadline timestamptz := clock_timestamp() + interval '30 s';
BEGIN
  WHILE clock_timestamp() < deadline LOOP
    IF EXISTS (SELECT FROM impayes_sync.progress WHERE pid = target
               AND phase_started_at < clock_timestamp() - make_interval(secs => seconds)) THEN
      RETURN true;
    END IF;
    PERFORM pg_sleep(0.1);  -- polling interval
  END LOOP;
  RETURN false;
END $$;

-- Lines of the server log that match PATTERN. The log holds lines in
-- other encodings (40_latin1): read as bytes, as LATIN1, which takes any
-- byte (the pattern is ASCII).
CREATE FUNCTION t45_log(pattern text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM regexp_split_to_table(convert_from(pg_read_binary_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'postgres.log')), 'LATIN1'), E'\n') l
  WHERE l ~ pattern
$$;

SELECT t45_connect('t45');
SELECT pid AS t45_pid FROM dblink('t45', 'SELECT pg_backend_pid()') AS t(pid int) \gset

-- A first sync of 10 objects in 5 batches: watched after the 1st batch,
-- then after the 3rd; the 2nd and 4th are held meanwhile.
SELECT test.proxy('hold-batch-after:1');
SELECT dblink_send_query('t45', 'SELECT impayes_sync()');
SELECT t45_wait(:t45_pid, 'pushing', 2);
SELECT * FROM t45_row(:t45_pid);
-- Releases the 2nd batch, lets the 3rd through, holds the 4th.
SELECT test.proxy('hold-batch-after:1');
SELECT t45_wait(:t45_pid, 'pushing', 6);
SELECT * FROM t45_row(:t45_pid);
-- A push that lasts over 10 s logs a progress line at its next batch.
SELECT t45_wait_age(:t45_pid, 11);
\set line 'LOG:  impayes_sync: pushing: 8 of 10 objects, [0-9.]+/s, ETA [0-9]+ s$'
SELECT t45_log(:'line') AS lines_before \gset
SELECT test.proxy('pass');
SELECT test.summary(r) FROM dblink_get_result('t45') AS t(r jsonb);
SELECT * FROM dblink_get_result('t45') AS t(r jsonb);
SELECT t45_log(:'line') - :lines_before AS progress_lines;
-- The run is over: its row is gone.
SELECT count(*) AS runs_in_progress FROM impayes_sync.progress;
SELECT * FROM test.dump('T45') LIMIT 3;

-- An incremental run cancelled while its first batch is held: no row left.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('hold-batch-after:0');
SELECT dblink_send_query('t45', 'SELECT impayes_sync()');
SELECT t45_wait(:t45_pid, 'pushing', 0);
SELECT * FROM t45_row(:t45_pid);
SELECT pg_cancel_backend(:t45_pid);
SELECT * FROM dblink_get_result('t45') AS t(r jsonb);
SELECT * FROM dblink_get_result('t45') AS t(r jsonb);
SELECT count(*) AS runs_in_progress FROM impayes_sync.progress;
SELECT test.proxy('pass');

-- A backend terminated in the middle of the source query (it exits from
-- inside PostgreSQL, without unwinding the run): its slot is released by
-- the exit callback, not merely hidden (the DEBUG1 line of a slot left
-- by an ended backend does not show).
SELECT dblink_exec('t45', 'SET impayes_sync.query_timeout = 0');
SELECT dblink_exec('t45', 'SET impayes_sync.source = ''SELECT i.* FROM impayes i, pg_sleep(60)''');
SELECT dblink_send_query('t45', 'SELECT impayes_sync()');
SELECT t45_wait(:t45_pid, 'reading source', 0);
SELECT * FROM t45_row(:t45_pid);
SELECT pg_terminate_backend(:t45_pid, 10000);
SELECT * FROM dblink_get_result('t45') AS t(r jsonb);
SELECT dblink_disconnect('t45');
SET client_min_messages = debug1;
SELECT count(*) AS runs_in_progress FROM impayes_sync.progress;
RESET client_min_messages;

-- The next run converges.
SELECT test.summary(impayes_sync());

-- Readable by the roles that may read impayes_sync.runs: none but the
-- owner, until granted (as runs).
SELECT has_table_privilege('public', 'impayes_sync.progress', 'SELECT') AS public_reads_view,
       has_function_privilege('public', 'impayes_sync.progress_rows()', 'EXECUTE') AS public_executes;
CREATE ROLE t45_clerk;
CREATE ROLE t45_auditor;
GRANT USAGE ON SCHEMA impayes_sync TO t45_clerk, t45_auditor;
GRANT SELECT ON impayes_sync.runs, impayes_sync.progress TO t45_auditor;
GRANT EXECUTE ON FUNCTION impayes_sync.progress_rows() TO t45_auditor;
SET ROLE t45_clerk;
SELECT count(*) FROM impayes_sync.runs;
SELECT count(*) FROM impayes_sync.progress;
SELECT count(*) FROM impayes_sync.progress_rows();
RESET ROLE;
SET ROLE t45_auditor;
SELECT count(*) > 0 AS auditor_reads_runs FROM impayes_sync.runs;
SELECT count(*) AS auditor_sees_runs_in_progress FROM impayes_sync.progress;
RESET ROLE;
REVOKE ALL ON SCHEMA impayes_sync FROM t45_clerk, t45_auditor;
REVOKE ALL ON impayes_sync.runs, impayes_sync.progress FROM t45_auditor;
REVOKE ALL ON FUNCTION impayes_sync.progress_rows() FROM t45_auditor;
DROP ROLE t45_clerk;
DROP ROLE t45_auditor;

SELECT test.use('parse');
DROP FUNCTION t45_log(text);
DROP FUNCTION t45_wait_age(int, int);
DROP FUNCTION t45_row(int);
DROP FUNCTION t45_wait(int, text, bigint);
DROP FUNCTION t45_connect(text);
DROP TABLE impayes;
DROP EXTENSION dblink;
