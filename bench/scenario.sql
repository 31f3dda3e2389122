-- scenario.sql: one impayes_sync() call in this fresh session (backend),
-- printed as one JSON line with its wall time and the backend's memory.
--   psql -X -q -At -v label=S1 -v on_missing=keep -v mode=default [-v pidfile=F] -f bench/scenario.sql
-- With pidfile, the backend's pid is written there just before the call, for
-- bench/rss-sampler.js, which samples its private memory during the call.
\set ON_ERROR_STOP 1
SELECT set_config('impayes_sync.on_missing', :'on_missing', false) \g /dev/null
SELECT set_config('impayes_sync.mode', 'full', false)
FROM pg_settings WHERE name = 'impayes_sync.mode' AND :'mode' = 'full' \g /dev/null
-- This backend's memory (kB): VmHWM (peak resident, never goes down),
-- RssAnon (private pages now), and what VmHWM also counts that is not the
-- backend's own: RssShmem (shared buffers mapped), RssFile (library pages).
CREATE TEMP VIEW mem AS
SELECT (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1]::bigint AS hwm,
       (regexp_match(s, 'RssAnon:\s+(\d+) kB'))[1]::bigint AS anon,
       (regexp_match(s, 'RssShmem:\s+(\d+) kB'))[1]::bigint AS shmem,
       (regexp_match(s, 'RssFile:\s+(\d+) kB'))[1]::bigint AS file
FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s;
-- CPU seconds of this backend: utime + stime of /proc/<pid>/stat, in 1/100 s.
CREATE TEMP VIEW cpu AS SELECT (f[12]::bigint + f[13]::bigint) / 100.0 AS s
FROM (SELECT string_to_array(regexp_replace(pg_read_file('/proc/' || pg_backend_pid() || '/stat'),
  '^.*\) ', ''), ' ') AS f) t;
-- Read the source once first, as the sync will: the shared buffers that maps
-- into this backend are then in the baseline, not in the growth.
COPY (SELECT * FROM bench.impayes) TO '/dev/null';
-- The baseline, in this session just before the call.
SELECT hwm AS hwm0, anon AS anon0, shmem AS shmem0, file AS file0, (SELECT s FROM cpu) AS cpu0 FROM mem \gset
\if :{?pidfile}
\o :pidfile
SELECT pg_backend_pid();
\o
\endif
SELECT json_build_object('kind', 'scenario', 'label', :'label', 'pid', pg_backend_pid(),
                         'result', r, 'hwm0_kb', :hwm0, 'hwm_kb', m.hwm,
                         'anon0_kb', :anon0, 'anon_kb', m.anon, 'shmem0_kb', :shmem0, 'shmem_kb', m.shmem,
                         'file0_kb', :file0, 'file_kb', m.file,
                         'cpu_s', (SELECT s FROM cpu) - :cpu0,
                         'wall_ms', round(1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())))
-- m refers to s: it is read after the call.
FROM (SELECT impayes_sync() AS r OFFSET 0) s, LATERAL (SELECT * FROM mem WHERE s.r IS NOT NULL) m;
