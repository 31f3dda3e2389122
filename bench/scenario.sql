-- scenario.sql: one impayes_sync() call in this fresh session (backend),
-- printed as one JSON line with its wall time and the backend's memory.
--   psql -X -q -At -v label=S1 -v on_missing=keep -v mode=default -f bench/scenario.sql
\set ON_ERROR_STOP 1
SELECT set_config('impayes_sync.on_missing', :'on_missing', false) \g /dev/null
SELECT set_config('impayes_sync.mode', 'full', false)
FROM pg_settings WHERE name = 'impayes_sync.mode' AND :'mode' = 'full' \g /dev/null
CREATE TEMP VIEW hwm AS SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
  'VmHWM:\s+(\d+) kB'))[1]::bigint AS kb;
-- CPU seconds of this backend: utime + stime of /proc/<pid>/stat, in 1/100 s.
CREATE TEMP VIEW cpu AS SELECT (f[12]::bigint + f[13]::bigint) / 100.0 AS s
FROM (SELECT string_to_array(regexp_replace(pg_read_file('/proc/' || pg_backend_pid() || '/stat'),
  '^.*\) ', ''), ' ') AS f) t;
-- Read the source once first, as the sync will: the shared buffers that maps
-- into this backend are then in the baseline, not in the growth.
COPY (SELECT * FROM bench.impayes) TO '/dev/null';
SELECT kb AS hwm0, (SELECT s FROM cpu) AS cpu0 FROM hwm \gset
SELECT json_build_object('kind', 'scenario', 'label', :'label', 'pid', pg_backend_pid(),
                         'result', r, 'hwm0_kb', :hwm0, 'hwm_kb', (SELECT kb FROM hwm),
                         'cpu_s', (SELECT s FROM cpu) - :cpu0,
                         'wall_ms', round(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())))
FROM (SELECT impayes_sync() AS r OFFSET 0) s;
