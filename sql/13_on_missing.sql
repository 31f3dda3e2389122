-- Objects whose invoice left the source (paid, cancelled) follow
-- impayes_sync.on_missing: keep (default) or delete.
SELECT test.use('parse', 'T13');
SELECT * FROM test.admin('drop-class T13');
CREATE TABLE impayes (numero_facture text, montant double precision);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 6) g;
SELECT test.summary(impayes_sync());

DELETE FROM impayes WHERE numero_facture IN ('F-1', 'F-2');
SHOW impayes_sync.on_missing;
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;
SELECT * FROM test.admin('count T13');

SET impayes_sync.on_missing = 'delete';
SELECT r->'preview'->'delete' AS would_delete, r->'deleted' AS deleted
FROM impayes_sync(dry_run => true) r;
SELECT * FROM test.admin('count T13');
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;
SELECT d->>'numero_facture' AS left_in_parse FROM test.dump('T13') d ORDER BY 1;

-- Another client created a second object for F-3: reported, and the extra
-- removed whatever on_missing says (nothing left for the next run).
SELECT * FROM test.admin($$create-object T13 '{"numero_facture":"F-3","montant":3}'$$);
SET impayes_sync.on_missing = 'keep';
SELECT r->'details'->'duplicate_keys_in_parse' AS duplicates, r->'deleted' AS deleted FROM impayes_sync() r;
SET impayes_sync.on_missing = 'delete';
SELECT r->'deleted' AS deleted FROM impayes_sync() r;
SELECT * FROM test.admin('count T13');

-- A row rejected for a bad value still holds its key: its object stays.
UPDATE impayes SET montant = 'NaN' WHERE numero_facture = 'F-4';
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;
SELECT d->>'numero_facture' AS left_in_parse FROM test.dump('T13') d ORDER BY 1;

-- Every invoice paid: the class empties.
DELETE FROM impayes;
SELECT test.summary(r), r->'deleted' AS deleted FROM impayes_sync() r;
SELECT * FROM test.admin('count T13');
SET impayes_sync.on_missing = 'sometimes';
RESET impayes_sync.on_missing;
DROP TABLE impayes;
