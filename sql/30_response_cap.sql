-- impayes_sync.max_response_bytes (issue 8, item 11): an answer body over
-- the cap stops its transfer, and the run fails with an error naming the
-- setting, after one request (not retried); the backend stays healthy.
SELECT test.use('parse', 'T30');
SELECT * FROM test.admin('drop-class T30');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 'Client 1', 10), ('F-2', 'Client 2', 20);

-- Lines the proxy logged for requests since its mode was last set.
CREATE FUNCTION t30_proxy_requests(action text) RETURNS bigint LANGUAGE sql AS $$
  WITH l AS (
    SELECT line, n FROM regexp_split_to_table(
      pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n') WITH ORDINALITY AS t(line, n))
  SELECT count(*) FROM l
  WHERE n > (SELECT max(n) FROM l WHERE line LIKE '% mode set to %')
    AND line LIKE '% mode=% ' || action || '%'
$$;

SHOW impayes_sync.max_response_bytes;
SELECT setting, unit, context FROM pg_settings WHERE name = 'impayes_sync.max_response_bytes';

-- A 50 MB answer (streamed, no Content-Length) against a 1 MB cap.
SET impayes_sync.max_response_bytes = '1MB';
SELECT test.proxy('huge-body:50000000');
CREATE TEMP TABLE t30 AS SELECT impayes_sync() AS r;
SELECT test.summary(r) AS summary, r->'details'->>'setting' AS setting,
       r->'details'->>'phase' AS phase FROM t30;
SELECT t30_proxy_requests('answering') AS requests_sent;
DROP TABLE t30;

-- Real answers under the cap are read as usual.
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());

-- The real Parse Server's answer to a page read over a 2 kB cap (one
-- object holds a 3,000-character text): the run names the setting.
UPDATE impayes SET client = repeat('é', 3000) WHERE numero_facture = 'F-2';
SELECT test.use('parse');
SELECT test.summary(impayes_sync());
SET impayes_sync.max_response_bytes = '2kB';
SELECT test.summary(r) AS summary, r->'details'->>'setting' AS setting,
       r->'details'->>'phase' AS phase FROM impayes_sync(full => true) r;
RESET impayes_sync.max_response_bytes;
SELECT test.summary(impayes_sync(full => true));
SELECT count(*) FROM test.dump('T30');

-- Superuser-only, like every setting.
CREATE ROLE t30_caller;
SET ROLE t30_caller;
SET impayes_sync.max_response_bytes = '1GB';
RESET ROLE;
DROP ROLE t30_caller;
SELECT * FROM test.admin('drop-class T30');
DROP FUNCTION t30_proxy_requests(text);
DROP TABLE impayes;
