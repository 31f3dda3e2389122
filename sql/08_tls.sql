-- https: the peer is verified (test CA through impayes_sync.ca_file, host
-- name checked), a self-signed server is refused, redirects are not
-- followed, and only http/https URLs are accepted. The servers are
-- tls-proxy.js front-ends of the real Parse Server (see start.sh).
SELECT test.use('parse', 'T08');
SELECT * FROM test.admin('drop-class T08');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, montant numeric);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 4) g;
-- A refused certificate is a transport error: no retries, to keep it short.
SET impayes_sync.max_retries = 0;

-- Through https, with the test CA configured: a normal sync.
SELECT test.use('tls');
SELECT set_config('impayes_sync.ca_file', test.env('tls_ca'), false) <> '' AS ca_file_set;
SELECT test.summary(impayes_sync());
SELECT * FROM test.admin('count T08');
UPDATE impayes SET montant = 40 WHERE numero_facture = 'F-4';
SELECT test.summary(impayes_sync());
SELECT d FROM test.dump('T08') d;

-- Without ca_file the server's CA is unknown (not in the system store):
-- refused, naming the certificate problem.
RESET impayes_sync.ca_file;
SELECT test.summary(r), r->'details'->>'phase' AS phase, r->'details' ? 'http_status' AS got_http_answer
FROM impayes_sync() r;

-- A self-signed certificate (for the right address) is refused, with or
-- without the test CA; trusted only when it is itself the ca_file.
SELECT test.use('tls_selfsigned');
SELECT test.summary(impayes_sync());
SELECT set_config('impayes_sync.ca_file', test.env('tls_ca'), false) <> '' AS ca_file_set;
SELECT test.summary(impayes_sync());
SELECT set_config('impayes_sync.ca_file', test.env('tls_selfsigned_cert'), false) <> '' AS ca_file_set;
SELECT test.summary(impayes_sync());
UPDATE impayes SET montant = 1000 WHERE numero_facture = 'F-1';

-- A certificate from the right CA but for another host name is refused.
SELECT test.use('tls_wronghost');
SELECT set_config('impayes_sync.ca_file', test.env('tls_ca'), false) <> '' AS ca_file_set;
SELECT test.summary(impayes_sync());

-- A ca_file that cannot be read is an error, not a fallback.
SELECT test.use('tls');
SET impayes_sync.ca_file = '/nonexistent/impayes-ca.pem';
SELECT test.summary(impayes_sync());
SELECT * FROM test.admin('count T08');
SELECT d->'montant' AS f1_montant FROM test.dump('T08') d WHERE d->>'numero_facture' = 'F-1';

-- A redirect (302 to the real Parse Server) is not followed.
RESET impayes_sync.ca_file;
SELECT test.use('redirect');
SELECT test.summary(r), r->'details'->'http_status' AS http_status FROM impayes_sync() r;
SELECT d->'montant' AS f1_montant FROM test.dump('T08') d WHERE d->>'numero_facture' = 'F-1';

-- Other schemes are refused before any request.
SET impayes_sync.parse_url = 'ftp://127.0.0.1/parse';
SELECT test.summary(r), r->'details'->>'setting' AS setting FROM impayes_sync() r;
SET impayes_sync.parse_url = 'file:///etc/passwd';
SELECT test.summary(r), r->'details'->>'setting' AS setting FROM impayes_sync() r;

-- Back through https with the CA: the pending change goes through.
SELECT test.use('tls');
SELECT set_config('impayes_sync.ca_file', test.env('tls_ca'), false) <> '' AS ca_file_set;
SELECT test.summary(impayes_sync());
SELECT d->'montant' AS f1_montant FROM test.dump('T08') d WHERE d->>'numero_facture' = 'F-1';
RESET impayes_sync.ca_file;
RESET impayes_sync.max_retries;
SELECT test.use('parse');
DROP TABLE impayes;
