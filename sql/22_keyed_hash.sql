-- The ledger hash is keyed by a per-install secret that callers cannot
-- read: a dump of the ledger does not let anyone predict the hash of a row.
SELECT test.use('parse', 'T22');
SELECT * FROM test.admin('drop-class T22');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes VALUES ('F-1', 1);
CREATE ROLE t22_clerk;
GRANT EXECUTE ON FUNCTION impayes_sync(boolean, boolean) TO t22_clerk;
GRANT SELECT ON impayes TO t22_clerk;

SET ROLE t22_clerk;
SELECT test.summary(impayes_sync());
SELECT * FROM impayes_sync.install_secret;
SELECT * FROM impayes_sync.ledger;
RESET ROLE;
SELECT has_schema_privilege('t22_clerk', 'impayes_sync', 'USAGE') AS clerk_usage,
       has_table_privilege('t22_clerk', 'impayes_sync.install_secret', 'SELECT') AS clerk_select;

-- One secret, 16 random bytes.
SELECT count(*) AS secrets, min(length(secret)) AS bytes FROM impayes_sync.install_secret;
-- The same row hashed without a key (1.0) gave 05943c9aac61833d.
CREATE TEMP TABLE t22_hash AS SELECT hash FROM impayes_sync.ledger WHERE class_name = 'T22';
SELECT hash ~ '^[0-9a-f]{16}$' AS hex, hash <> '05943c9aac61833d' AS not_unkeyed FROM t22_hash;

-- Another secret gives another hash for the same row; the old entries are
-- then merely "changed": the run converges, nothing is rewritten wrongly.
UPDATE impayes_sync.install_secret SET secret = '\x000102030405060708090a0b0c0d0e0f';
SELECT test.summary(impayes_sync());
SELECT l.hash <> t.hash AS hash_changed FROM impayes_sync.ledger l, t22_hash t WHERE l.class_name = 'T22';
SELECT test.summary(impayes_sync());
-- A lost secret is generated again on the next run.
DELETE FROM impayes_sync.install_secret;
SELECT test.summary(impayes_sync());
SELECT count(*) AS secrets, bool_and(secret <> '\x000102030405060708090a0b0c0d0e0f') AS new_secret
FROM impayes_sync.install_secret;
SELECT d->>'numero_facture' AS key, d->>'montant' AS montant FROM test.dump('T22') d;

DROP TABLE impayes;
REVOKE EXECUTE ON FUNCTION impayes_sync(boolean, boolean) FROM t22_clerk;
DROP ROLE t22_clerk;
SELECT * FROM test.admin('drop-class T22');
