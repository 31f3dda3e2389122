-- 200 runs in one backend, each in its own transaction (as pg_cron would):
-- mostly nothing to do, some dry runs, some with an update, and some that
-- fail (Parse down, a rejected row, a batch answered 503). The backend's
-- resident memory must not keep growing (bound: 20 MB from run 20 to 200).
SELECT test.use('parse', 'T11');
SELECT * FROM test.admin('drop-class T11');
-- 50 rows of about 4 kB: a run handles ~200 kB of source rows and as much
-- read back from Parse, so leaking each run's data would exceed the bound
-- several times over.
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric, echeance date,
                      tags text[], meta jsonb, note text);
INSERT INTO impayes
SELECT format('F-%s', g), format('Client %s', g), g * 10, date '2025-01-01' + g,
       ARRAY['relance', 'n' || g], jsonb_build_object('agence', 'Lyon', 'n', g),
       repeat(md5(g::text), 128)
FROM generate_series(1, 50) g;
SET impayes_sync.max_retries = 0;

-- This backend's resident set size, in kB.
CREATE FUNCTION t11_rss_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+) kB'))[1]::bigint
$$;

CREATE TABLE t11_runs (i int PRIMARY KEY, kind text, result jsonb, rss_kb bigint);

CREATE PROCEDURE t11_loop(n int) LANGUAGE plpgsql AS $$
DECLARE
  kind text;
  r jsonb;
BEGIN
  FOR i IN 1..n LOOP
    kind := CASE WHEN i % 10 = 0 THEN 'down'
                 WHEN i % 10 = 5 THEN 'dry run'
                 WHEN i % 20 = 3 THEN 'rejected row'
                 WHEN i % 20 = 7 THEN 'batch 503'
                 WHEN i % 20 = 8 THEN 'update'
                 ELSE 'nothing to do' END;
    PERFORM test.proxy(CASE WHEN kind = 'batch 503' THEN 'status-batch:503:1' ELSE 'pass' END);
    IF kind = 'down' THEN PERFORM test.use('down'); END IF;
    PERFORM set_config('impayes_sync.source',
      CASE WHEN kind = 'rejected row'
           THEN 'SELECT * FROM impayes UNION ALL SELECT NULL, ''sans numéro'', 1, NULL, NULL, NULL, NULL'
           ELSE 'impayes' END, false);
    IF kind = 'batch 503' THEN
      UPDATE impayes SET montant = montant + 1 WHERE numero_facture = 'F-' || (i % 50 + 1);
    END IF;
    r := impayes_sync(dry_run => kind = 'dry run');
    INSERT INTO t11_runs VALUES (i, kind, r, t11_rss_kb());
    COMMIT;
  END LOOP;
  RESET impayes_sync.source;
END $$;

CALL t11_loop(200);

-- Each kind of run did what it should, every time.
-- (libcurl's "after N ms" in the connection error varies.)
SELECT kind, count(*) AS runs, min(summary) = max(summary) AS same_result, min(summary) AS summary
FROM (SELECT kind, regexp_replace(test.summary(result), 'after \d+ ms', 'after N ms') AS summary
      FROM t11_runs WHERE i > 1) s
GROUP BY kind ORDER BY kind;
SELECT test.summary(result) AS first_run FROM t11_runs WHERE i = 1;

-- Memory: at most 20 MB more after run 200 than after run 20.
SELECT (SELECT rss_kb FROM t11_runs WHERE i = 200) - (SELECT rss_kb FROM t11_runs WHERE i = 20) < 20 * 1024
       AS rss_stable;

-- Parse holds the source.
SELECT test.use('parse');
SELECT test.summary(impayes_sync());
SELECT (SELECT a::bigint FROM test.admin('count T11') a) AS objects,
       (SELECT count(*) FROM test.dump('T11') d JOIN impayes i
          ON d->>'numero_facture' = i.numero_facture AND d->>'client' = i.client
         AND (d->>'montant')::numeric = i.montant AND d->>'note' = i.note) AS matching;

DROP PROCEDURE t11_loop(int);
DROP TABLE t11_runs;
DROP FUNCTION t11_rss_kb();
DROP TABLE impayes;
RESET impayes_sync.max_retries;
