-- First sync inserts everything, a re-run skips everything, a dry run
-- writes nothing.
SELECT test.use('parse', 'T02');
SELECT * FROM test.admin('drop-class T02');
CREATE TABLE impayes (
  numero_facture text PRIMARY KEY,
  client text,
  montant numeric(12,2),
  echeance date,
  relance boolean
);
INSERT INTO impayes
SELECT format('F-%s', lpad(g::text, 3, '0')), format('Client %s', g), g * 100.25,
       date '2025-01-01' + g, g % 2 = 0
FROM generate_series(1, 30) g;

-- Dry run: the counts of a real run, a preview, and nothing written.
SELECT test.summary(r), r->'dry_run' AS dry_run, r->'preview'->'insert'->0 AS first_insert,
       jsonb_array_length(r->'preview'->'insert') AS previewed
FROM impayes_sync(dry_run => true) r;
SELECT * FROM test.admin('count T02');

SELECT test.summary(impayes_sync());
SELECT * FROM test.admin('count T02');
SELECT test.summary(impayes_sync());

-- The result keeps the original keys and French message byte for byte.
SELECT r->>'message' AS message, r ?& ARRAY['success','message','inserted','updated','skipped','total'] AS seed_keys
FROM impayes_sync() r;

-- What Parse holds is the source, field by field.
SELECT d FROM test.dump('T02') d LIMIT 3;
SELECT count(*) AS matching
FROM test.dump('T02') d
JOIN impayes i ON i.numero_facture = d->>'numero_facture'
WHERE d->>'client' = i.client AND (d->>'montant')::numeric = i.montant
  AND d->'echeance'->>'iso' = to_char(i.echeance, 'YYYY-MM-DD') || 'T00:00:00.000Z'
  AND (d->>'relance')::boolean = i.relance;

-- The class was created with typed fields, closed to everyone but the master key.
SELECT * FROM test.admin('schema T02');
DROP TABLE impayes;
