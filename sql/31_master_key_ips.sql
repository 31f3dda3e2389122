-- Parse Server accepts the master key only from its masterKeyIps (issue 8,
-- item 13). The harness runs a second Parse Server whose masterKeyIps
-- leaves out loopback: it answers 403 "unauthorized" to our master key,
-- as to a wrong application id. One request with the application id
-- alone tells the two apart, and the error names masterKeyIps.
\getenv ips_url IMPAYES_IPS_URL
SELECT set_config('impayes_sync.parse_url', :'ips_url', false) IS NOT NULL AS on_the_ips_server;
SET impayes_sync.class_name = 'T31';
CREATE TABLE impayes (numero_facture text PRIMARY KEY, montant numeric);
INSERT INTO impayes VALUES ('F-1', 10), ('F-2', 20);

SELECT test.summary(r) AS summary, r->'details'->>'setting' AS setting,
       r->'details'->>'http_status' AS http_status, r->'details'->>'phase' AS phase,
       r->'details'->>'hint' AS hint
FROM impayes_sync() r;

-- A wrong application id on the same server is still named as such.
SET impayes_sync.application_id = 'not-the-app';
SELECT test.summary(r) AS summary, r->'details'->>'setting' AS setting FROM impayes_sync() r;
RESET impayes_sync.application_id;

-- A wrong master key too (Parse runs the request as anonymous).
SET impayes_sync.master_key = 'not-the-key';
SELECT test.summary(r) AS summary, r->'details'->>'setting' AS setting FROM impayes_sync() r;
RESET impayes_sync.master_key;

-- The same settings against the server that accepts loopback sync.
SELECT test.use('parse');
SELECT test.summary(impayes_sync());
SELECT * FROM test.admin('drop-class T31');
DROP TABLE impayes;
RESET impayes_sync.class_name;
