-- Scheduled with the real pg_cron (installed in the "postgres" database).
-- pg_cron only records "SELECT 1" for a call that returns: with
-- impayes_sync.raise_on_error a failed run shows as failed.
-- pg_cron 1.4 schedules by the minute: this test waits for the next one.
SELECT test.use('parse', 'T15');
SELECT * FROM test.admin('drop-class T15');
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 7) g;
CREATE FUNCTION test.cron(sql text) RETURNS TABLE (a text, b text) LANGUAGE sql AS $$
  SELECT * FROM dblink(format('host=127.0.0.1 port=%s dbname=postgres user=postgres',
                              current_setting('port')), sql) AS t(a text, b text)
$$;
SELECT count(*) AS scheduled FROM test.cron(format($$
  SELECT cron.schedule_in_database('impayes-ok', '* * * * *',
           'SELECT set_config(''impayes_sync.class_name'', ''T15'', false), impayes_sync()', %L)::text,
         cron.schedule_in_database('impayes-fails', '* * * * *',
           'SELECT set_config(''impayes_sync.class_name'', ''T15F'', false),
                   set_config(''impayes_sync.raise_on_error'', ''on'', false),
                   set_config(''impayes_sync.source'', ''no_such_table'', false), impayes_sync()', %L)::text
$$, current_database(), current_database()));

-- Wait (bounded) until both jobs have run once.
DO $do$
DECLARE done int := 0;
BEGIN
  FOR i IN 1..150 LOOP
    SELECT count(DISTINCT c.a) INTO done FROM test.cron($q$
      SELECT j.jobname, d.status FROM cron.job_run_details d JOIN cron.job j USING (jobid)
      WHERE d.status IN ('succeeded', 'failed') $q$) c;
    EXIT WHEN done = 2;
    PERFORM pg_sleep(1);
  END LOOP;
END $do$;

SELECT a AS job, b AS status FROM test.cron($$
  SELECT DISTINCT ON (j.jobname) j.jobname, d.status FROM cron.job_run_details d JOIN cron.job j USING (jobid)
  ORDER BY j.jobname, d.runid $$) ORDER BY 1;
SELECT a AS job, b AS message FROM test.cron($$
  SELECT DISTINCT ON (j.jobname) j.jobname, split_part(d.return_message, E'\n', 1) FROM cron.job_run_details d
  JOIN cron.job j USING (jobid) WHERE j.jobname = 'impayes-fails' ORDER BY j.jobname, d.runid $$);
SELECT * FROM test.admin('count T15');
SELECT DISTINCT ON (class_name) class_name, success, run_by, inserted + skipped AS synced, error
FROM impayes_sync.runs WHERE class_name IN ('T15', 'T15F') ORDER BY class_name, id;

SELECT count(*) AS unscheduled FROM test.cron($$ SELECT cron.unschedule(jobname)::text, NULL FROM cron.job $$);
DROP FUNCTION test.cron(text);
DROP TABLE impayes;
