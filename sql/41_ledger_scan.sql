-- The ledger is read by a scan of impayes_sync.ledger: sequentially when
-- the table holds mostly this class, through its primary key when other
-- classes' ledgers dominate it. Either way only this class's entries are
-- loaded: one more entry would not match the saved key count and would
-- turn the run into a full reconciliation.
SELECT test.use('parse', 'T41');
SELECT * FROM test.admin('drop-class T41');
CREATE TABLE impayes (numero_facture text, montant numeric);
INSERT INTO impayes SELECT 'F-' || g, g FROM generate_series(1, 20) g;
SELECT test.summary(impayes_sync());
SELECT mode, skipped FROM jsonb_to_record(impayes_sync()::jsonb) AS r(mode text, skipped int);

-- The ledgers of other classes, a hundred times as large, analysed so that
-- the planner statistics the scan looks at say so.
INSERT INTO impayes_sync.ledger (class_name, key, object_id, hash)
SELECT 'T41other', 'F-' || g, 'o' || g, '' FROM generate_series(1, 1000) g;
INSERT INTO impayes_sync.ledger (class_name, key, object_id, hash)
SELECT 'T41' || 'x', 'F-' || g, 'o' || g, '' FROM generate_series(1, 1000) g;
ANALYZE impayes_sync.ledger;
SELECT reltuples > 2 * 20 + 1000 AS other_classes_dominate
FROM pg_class WHERE oid = 'impayes_sync.ledger'::regclass;
SELECT mode, skipped FROM jsonb_to_record(impayes_sync()::jsonb) AS r(mode text, skipped int);
-- A change is still found and pushed, and only this class's entries move.
UPDATE impayes SET montant = 100 WHERE numero_facture = 'F-3';
SELECT mode, updated, skipped FROM jsonb_to_record(impayes_sync()::jsonb)
  AS r(mode text, updated int, skipped int);
SELECT class_name, count(*) FROM impayes_sync.ledger WHERE class_name LIKE 'T41%' GROUP BY 1 ORDER BY 1;
SELECT d->>'montant' AS montant FROM test.dump('T41') d WHERE d->>'numero_facture' = 'F-3';

DELETE FROM impayes_sync.ledger WHERE class_name IN ('T41other', 'T41x');
DROP TABLE impayes;
