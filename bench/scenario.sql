-- scenario.sql: one impayes_sync() call in this fresh session (backend),
-- printed as one JSON line with its wall time and the backend's memory.
--   psql -X -q -At -v label=S1 -v on_missing=keep -v mode=default -f bench/scenario.sql
\set ON_ERROR_STOP 1
SELECT set_config('impayes_sync.on_missing', :'on_missing', false) \g /dev/null
SELECT set_config('impayes_sync.mode', 'full', false)
FROM pg_settings WHERE name = 'impayes_sync.mode' AND :'mode' = 'full' \g /dev/null
CREATE TEMP VIEW hwm AS SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
  'VmHWM:\s+(\d+) kB'))[1]::bigint AS kb;
-- Bring the source's shared buffers into this backend first: its peak RSS
-- then grows by what the sync itself allocates.
COPY (SELECT * FROM bench.impayes) TO '/dev/null';
SELECT kb AS hwm0 FROM hwm \gset
SELECT json_build_object('kind', 'scenario', 'label', :'label', 'pid', pg_backend_pid(),
                         'result', r, 'hwm0_kb', :hwm0, 'hwm_kb', (SELECT kb FROM hwm),
                         'wall_ms', round(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())))
FROM (SELECT impayes_sync() AS r OFFSET 0) s;
