-- Every type of the mapping round-trips: read back from Parse over REST.
SELECT test.use('parse', 'T04');
SELECT * FROM test.admin('drop-class T04');
CREATE TYPE statut AS ENUM ('ouvert', 'relance', 'contentieux');
CREATE DOMAIN montant_eur AS numeric(12,2);
CREATE TABLE impayes (
  numero_facture varchar(20) PRIMARY KEY,
  c_text text, c_char char(4), c_uuid uuid, c_enum statut,
  c_int2 smallint, c_int4 integer, c_int8 bigint, c_real real, c_float double precision,
  c_numeric numeric, c_domain montant_eur, c_bool boolean,
  c_date date, c_ts timestamp, c_tstz timestamptz,
  c_json json, c_jsonb jsonb, c_jsonb_array jsonb,
  c_text_arr text[], c_int_arr integer[], c_date_arr date[], c_bool_arr boolean[]
);
SET timezone = 'Europe/Paris';
INSERT INTO impayes VALUES
 ('T-1', 'Équipe "A" \ l''été 🎉 עברית', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'relance',
  -32768, 2147483647, 9007199254740993, 1.5, 0.1,
  12345678901234567890.123, 42.5, true,
  '2024-02-29', '2024-02-29 23:59:59.9999', '2024-06-01 12:00:00.123456+02',
  '{"b": 1, "a": [1, "x", null]}', '{"nested": {"deep": true}}', '[1, 2, 3]',
  ARRAY['x', NULL, 'z'], ARRAY[1, 2, 3], ARRAY[date '2024-01-01'], ARRAY[true, false]),
 ('T-2', E'tab\there\nnewline', NULL, NULL, NULL,
  0, 0, -1, -0.25, 1e300,
  0, NULL, false,
  '0001-01-01', '9999-12-31 23:59:59.999', '1970-01-01 00:00:00+00',
  '{}', '{}', '[]',
  '{}', NULL, NULL, NULL);
SELECT test.summary(impayes_sync());
SELECT d->>'numero_facture' AS key, f.key AS field, f.value
FROM test.dump('T04') d, jsonb_each(d) f ORDER BY 1, 2;
SELECT * FROM test.admin('schema T04');
-- Unchanged on a second run: equality is the same as the mapping.
SELECT test.summary(impayes_sync());
RESET timezone;
DROP TABLE impayes;
DROP DOMAIN montant_eur;
DROP TYPE statut;
