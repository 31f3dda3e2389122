-- Changes of each type update exactly the changed rows and fields; new
-- rows are inserted; NULL removes the field.
SELECT test.use('parse', 'T03');
SELECT * FROM test.admin('drop-class T03');
CREATE TABLE impayes (
  numero_facture text PRIMARY KEY,
  client text,
  montant numeric,
  nb_relances integer,
  echeance date,
  derniere_relance timestamptz,
  litige boolean,
  tags text[],
  meta jsonb
);
INSERT INTO impayes
SELECT format('F-%s', g), format('Client %s', g), g * 10.5, g, date '2025-03-01' + g,
       timestamptz '2025-03-01 08:00:00+00' + g * interval '1 hour', false,
       ARRAY['relance', 'n' || g], jsonb_build_object('agence', 'Lyon', 'n', g)
FROM generate_series(1, 10) g;
SELECT test.summary(impayes_sync());

UPDATE impayes SET client = 'Client modifié' WHERE numero_facture = 'F-1';
UPDATE impayes SET montant = 999.99 WHERE numero_facture = 'F-2';
UPDATE impayes SET nb_relances = 7 WHERE numero_facture = 'F-3';
UPDATE impayes SET echeance = date '2030-12-31' WHERE numero_facture = 'F-4';
UPDATE impayes SET derniere_relance = derniere_relance + interval '1 millisecond' WHERE numero_facture = 'F-5';
UPDATE impayes SET litige = true WHERE numero_facture = 'F-6';
UPDATE impayes SET tags = ARRAY['relance'] WHERE numero_facture = 'F-7';
UPDATE impayes SET meta = '{"n": 8, "agence": "Paris"}' WHERE numero_facture = 'F-8';
UPDATE impayes SET client = NULL WHERE numero_facture = 'F-9';
INSERT INTO impayes (numero_facture, client, montant) VALUES ('F-11', 'Nouveau', 1), ('F-12', 'Nouveau', 2);

-- The dry run names the changed fields.
SELECT u->>'key' AS key, u->'fields' AS fields
FROM impayes_sync(true) r, jsonb_array_elements(r->'preview'->'update') u
ORDER BY 1;
SELECT test.summary(impayes_sync());
SELECT test.summary(impayes_sync());

SELECT d->>'numero_facture' AS key, d->>'client' AS client, d->'montant' AS montant,
       d->'nb_relances' AS nb, d->'echeance'->>'iso' AS echeance,
       d->'derniere_relance'->>'iso' AS relance, d->'litige' AS litige, d->'tags' AS tags,
       d->'meta' AS meta
FROM test.dump('T03') d ORDER BY length(d->>'numero_facture'), 1;

-- A NULL removes the field from the object.
SELECT d ? 'client' AS f9_has_client FROM test.dump('T03') d WHERE d->>'numero_facture' = 'F-9';

-- Sub-millisecond changes are below Parse's precision: nothing to update.
UPDATE impayes SET derniere_relance = derniere_relance + interval '10 microseconds' WHERE numero_facture = 'F-10';
SELECT test.summary(impayes_sync());
DROP TABLE impayes;
