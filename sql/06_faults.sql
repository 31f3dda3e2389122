-- Parse down, wrong credentials, slow source query, slow HTTP answer.
SELECT test.use('parse', 'T06');
SELECT * FROM test.admin('drop-class T06');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 5) g;
SET impayes_sync.max_retries = 1;

-- Parse Server not listening.
SELECT test.use('down');
SELECT test.summary(r), r->'details'->>'phase' AS phase FROM impayes_sync() r;

-- Wrong master key (Parse would otherwise run the calls as anonymous).
SELECT test.use('parse');
SET impayes_sync.master_key = 'not-the-key';
SELECT test.summary(r), r->'details'->>'setting' AS setting FROM impayes_sync() r;
RESET impayes_sync.master_key;
SET impayes_sync.application_id = 'not-the-app';
SELECT test.summary(r), r->'details'->>'setting' AS setting FROM impayes_sync() r;
RESET impayes_sync.application_id;
SELECT * FROM test.admin('count T06');

-- A source query slower than query_timeout: the seed's message, with the
-- configured number of seconds, even inside a longer statement.
SET impayes_sync.query_timeout = '1s';
SET impayes_sync.source = 'SELECT i.* FROM impayes i, pg_sleep(30)';
SELECT test.summary(r), r->'details'->>'sqlstate' AS sqlstate FROM impayes_sync() r;
SET impayes_sync.query_timeout = '2s';
SELECT impayes_sync()->>'error' AS error;
RESET impayes_sync.query_timeout;
RESET impayes_sync.source;
SELECT test.summary(impayes_sync());

-- statement_timeout stops a slow HTTP answer (the proxy holds it 60 s,
-- longer than the test would wait) and the backend keeps working.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('delay-batch:60000');
SET impayes_sync.request_timeout = '120s';
SET statement_timeout = '1s';
SELECT impayes_sync();
RESET statement_timeout;
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync());

-- request_timeout names the phase that timed out.
UPDATE impayes SET montant = montant + 1;
SELECT test.proxy('delay-batch:60000');
SET impayes_sync.request_timeout = '1s';
SET impayes_sync.max_retries = 0;
SELECT test.summary(r), r->'details'->'failed_items'->0->>'error' AS item_error FROM impayes_sync() r;
SELECT test.proxy('pass');
RESET impayes_sync.request_timeout;
SELECT test.summary(impayes_sync());
SELECT test.use('parse');
DROP TABLE impayes;
