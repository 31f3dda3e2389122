-- Incremental sync: unchanged rows cost no HTTP write, and whatever
-- happens (edits or deletes by other clients, a caller's rollback after a
-- push, a cancelled run, a truncated ledger) the next run leaves exactly
-- one object per source key with the source's values.
SELECT test.use('parse', 'T16');
SELECT * FROM test.admin('drop-class T16');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric, echeance date);
INSERT INTO impayes SELECT 'F-' || g, 'Client ' || g, g * 10, date '2025-06-01' + g FROM generate_series(1, 12) g;
CREATE FUNCTION t16_check(OUT source bigint, OUT objects bigint, OUT matching bigint) LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM impayes),
         (SELECT count(*) FROM test.dump('T16')),
         (SELECT count(*) FROM test.dump('T16') d JOIN impayes i ON i.numero_facture = d->>'numero_facture'
          WHERE d->>'client' IS NOT DISTINCT FROM i.client AND (d->>'montant')::numeric = i.montant
            AND d->'echeance'->>'iso' = to_char(i.echeance, 'YYYY-MM-DD') || 'T00:00:00.000Z')
$$;
CREATE FUNCTION t16_run(force boolean DEFAULT false) RETURNS text LANGUAGE sql AS $$
  SELECT format('%s %s', r->>'mode', test.summary(r)) FROM impayes_sync(full => force) r
$$;

SELECT t16_run();                       -- the class is new: full
SELECT t16_run();                       -- nothing changed: incremental, all skipped
UPDATE impayes SET montant = montant + 1 WHERE numero_facture IN ('F-1', 'F-2');
INSERT INTO impayes VALUES ('F-13', 'Client 13', 130, '2025-07-01');
SELECT t16_run();
SELECT * FROM t16_check();

-- Another client edits an object: caught by the updatedAt watermark.
SELECT * FROM test.admin($$update-by-key T16 numero_facture F-5 '{"montant": 999}'$$);
SELECT t16_run();
-- Another client deletes one: the count check falls back to a full pass.
SELECT * FROM test.admin('delete-by-key T16 numero_facture F-6');
SELECT t16_run();
-- Another client creates an object for a key the source does not have.
SELECT * FROM test.admin($$create-object T16 '{"numero_facture":"F-99","montant":1}'$$);
SELECT t16_run();
SELECT * FROM test.admin('count T16');
SET impayes_sync.on_missing = 'delete';
SELECT t16_run();
SELECT deleted FROM impayes_sync.last_run;
RESET impayes_sync.on_missing;
SELECT * FROM t16_check();

-- The caller rolls back after the push: the ledger rolls back, Parse not.
UPDATE impayes SET client = 'Changé' WHERE numero_facture = 'F-7';
INSERT INTO impayes VALUES ('F-14', 'Client 14', 140, '2025-07-02');
BEGIN;
SELECT t16_run();
ROLLBACK;
SELECT t16_run();
SELECT t16_run();
SELECT * FROM t16_check();

-- A run cancelled in the middle of its writes.
UPDATE impayes SET montant = montant * 2 WHERE numero_facture IN ('F-8', 'F-9');
INSERT INTO impayes VALUES ('F-15', 'Client 15', 150, '2025-07-03');
SELECT test.proxy('delay-batch:60000');
SET statement_timeout = '1s';
SELECT t16_run();
RESET statement_timeout;
SELECT test.proxy('pass');
SELECT t16_run();
SELECT * FROM t16_check();

-- A truncated ledger, then a truncated state: full passes, no duplicate.
SELECT test.use('parse');
TRUNCATE impayes_sync.ledger;
SELECT t16_run();
TRUNCATE impayes_sync.sync_state;
SELECT t16_run();
SELECT t16_run();
SELECT * FROM t16_check();

-- Forcing a full reconciliation, by call or by setting.
SELECT t16_run(force => true);
SET impayes_sync.mode = 'full';
SELECT t16_run();
RESET impayes_sync.mode;
-- A new source column changes what the ledger was built for.
ALTER TABLE impayes ADD COLUMN relance boolean DEFAULT false;
SELECT t16_run();
SELECT t16_run();
-- The ledger is not readable by other roles.
SELECT has_table_privilege('public', 'impayes_sync.ledger', 'SELECT') AS public_can_read;
DROP FUNCTION t16_run(boolean);
DROP FUNCTION t16_check();
DROP TABLE impayes;
