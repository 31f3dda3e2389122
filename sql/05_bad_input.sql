-- Bad rows are rejected with the row, key and column named; the other
-- rows still sync. Bad columns stop the run before any write.
SELECT test.use('parse', 'T05');
SELECT * FROM test.admin('drop-class T05');
CREATE TABLE impayes (numero_facture text, montant double precision, echeance timestamptz, meta jsonb);
INSERT INTO impayes VALUES
  ('F-1', 1, '2025-01-01', '{}'),
  (NULL, 2, '2025-01-01', '{}'),
  ('F-3', 'NaN', '2025-01-01', '{}'),
  ('F-4', 'Infinity', '2025-01-01', '{}'),
  ('F-5', 5, 'infinity', '{}'),
  ('F-6', 6, '10000-01-01', '{}'),
  ('F-7', 7, '2025-01-01', '{}'),
  ('F-7', 8, '2025-01-01', '{}'),
  ('F-9', 9, '2025-01-01', '"scalar"'),
  ('F-10', 10, '2025-01-01', '{"ok": true}');
SELECT test.summary(r) FROM impayes_sync() r;
SELECT e->>'row' AS row, e->>'key' AS key, e->>'column' AS column, e->>'error' AS error
FROM impayes_sync() r, jsonb_array_elements(r->'details'->'rejected_rows') e
ORDER BY (e->>'row')::int;
SELECT d->>'numero_facture' AS synced FROM test.dump('T05') d ORDER BY 1;

-- Column names Parse refuses, all reported at once, nothing written.
SET impayes_sync.source = 'SELECT numero_facture, 1 AS "_x", 2 AS "a-b", 3 AS "échéance", 4 AS "1col", 5 AS "objectId" FROM impayes';
SELECT test.summary(impayes_sync());
-- Unsupported types name the column and the type.
SET impayes_sync.source = 'SELECT numero_facture, point(1, 2) AS position FROM impayes';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'SELECT numero_facture, ''\x00''::bytea AS scan FROM impayes';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'SELECT numero_facture, row(1, 2) AS paire FROM impayes';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'SELECT numero_facture, ARRAY[[1,2],[3,4]] AS matrice FROM impayes WHERE numero_facture = ''F-1''';
SELECT test.summary(r), r->'details'->'rejected_rows'->0->>'error' AS error FROM impayes_sync() r;
-- The key column must be in the source.
SET impayes_sync.source = 'SELECT montant FROM impayes';
SELECT test.summary(impayes_sync());
-- Sources that are not a relation nor a single query.
SET impayes_sync.source = 'DELETE FROM impayes';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'DROP TABLE impayes';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'SELECT 1 AS numero_facture; SELECT 2 AS numero_facture';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'WITH d AS (DELETE FROM impayes RETURNING *) SELECT * FROM d';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'no_such_table';
SELECT test.summary(impayes_sync());
SET impayes_sync.source = 'SELECT * FROM impayes WHERE montant / 0 > 1';
SELECT test.summary(r), r->'details'->>'sqlstate' AS sqlstate FROM impayes_sync() r;
SELECT count(*) AS still_there FROM impayes;
-- An empty source is fine.
SET impayes_sync.source = 'SELECT * FROM impayes WHERE false';
SELECT test.summary(impayes_sync());
-- Numerics beyond double precision: rounded to the nearest double (see
-- the README), and out of range rejected.
SET impayes_sync.source = $$SELECT 'N-1' AS numero_facture, 12345678901234567890.123456789::numeric AS big
  UNION ALL SELECT 'N-2', ('1e400')::numeric UNION ALL SELECT 'N-3', '-1e-400'::numeric$$;
SET impayes_sync.class_name = 'T05n';
SELECT * FROM test.admin('drop-class T05n');
SELECT test.summary(r), r->'details'->'rejected_rows'->0->>'error' AS error FROM impayes_sync() r;
SELECT d->>'numero_facture' AS key, d->'big' AS big FROM test.dump('T05n') d ORDER BY 1;
-- Control characters survive the round trip.
SET impayes_sync.source = $$SELECT 'C-1' AS numero_facture, E'bell\x07 nul-free \x01\x1f end' AS texte$$;
SET impayes_sync.class_name = 'T05c';
SELECT * FROM test.admin('drop-class T05c');
SELECT test.summary(impayes_sync());
SELECT (SELECT d->>'texte' FROM test.dump('T05c') d) = E'bell\x07 nul-free \x01\x1f end' AS same_text;
-- A Parse field already typed differently: nothing is written.
SET impayes_sync.source = 'impayes';
SET impayes_sync.class_name = 'T05t';
SELECT * FROM test.admin('drop-class T05t');
SELECT * FROM test.admin('set-field-type T05t montant String');
SELECT test.summary(r), r->'details'->>'phase' AS phase FROM impayes_sync() r;
SELECT * FROM test.admin('count T05t');
RESET impayes_sync.class_name;
RESET impayes_sync.source;
DROP TABLE impayes;
