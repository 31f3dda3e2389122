-- Look-ups by key (the incremental read-back of changed rows, the check
-- after a failed batch) never put the keys in a URL: keys of ~3 KB would
-- make a URL far over what Node (16 KiB of headers) or a proxy (often
-- 8 KiB) accepts. They are queried in a POST body, split by count and size.
SELECT test.use('parse', 'T36');
SELECT * FROM test.admin('drop-class T36');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, montant numeric);
INSERT INTO impayes SELECT format('F-%s-', g) || repeat('x', 3000), g FROM generate_series(1, 250) g;
SELECT max(length(numero_facture)) AS longest_key FROM impayes;

CREATE FUNCTION t36_state(OUT source bigint, OUT objects bigint, OUT keys bigint, OUT matching bigint)
LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM impayes),
         (SELECT a::bigint FROM test.admin('count T36') a),
         (SELECT count(DISTINCT d->>'numero_facture') FROM test.dump('T36') d),
         (SELECT count(*) FROM test.dump('T36') d JOIN impayes i ON d = jsonb_strip_nulls(to_jsonb(i)))
$$;

SELECT test.summary(r), r->>'mode' AS mode FROM impayes_sync() r;
-- Incremental: the 250 changed rows are read back by key (750 KB of keys).
UPDATE impayes SET montant = montant + 1;
SELECT test.summary(r), r->>'mode' AS mode FROM impayes_sync() r;
SELECT * FROM t36_state();
-- One key of 40 KB: alone in its look-up.
INSERT INTO impayes VALUES ('F-big-' || repeat('y', 40000), 1);
SELECT test.summary(r), r->>'mode' AS mode FROM impayes_sync() r;
UPDATE impayes SET montant = 2 WHERE numero_facture LIKE 'F-big-%';
SELECT test.summary(r), r->>'mode' AS mode FROM impayes_sync() r;
SELECT * FROM t36_state();

SELECT test.use('parse');
DROP FUNCTION t36_state();
DROP TABLE impayes;
