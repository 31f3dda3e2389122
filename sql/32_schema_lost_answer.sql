-- A lost answer to a schema change (issue 8, item 16): the fault proxy
-- forwards the first POST (then PUT) /schemas/<class>, waits until Parse
-- has applied it, and cuts the answer. The retry of the creation is refused
-- as already done ("Class ... already exists"): the run treats the class as
-- created, re-reads the schema, and the first sync succeeds. (Parse 9.10
-- accepts a retried field addition of the same type; older versions answer
-- "Field ... exists", handled the same way.)
SELECT test.use('parse', 'T32');
SELECT * FROM test.admin('drop-class T32');
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text, montant numeric);
INSERT INTO impayes SELECT format('F-%s', g), format('Client %s', g), g * 10 FROM generate_series(1, 5) g;

-- Requests to /schemas the proxy answered with ACTION since its mode was set.
CREATE FUNCTION t32_proxy_schemas(method text, action text) RETURNS bigint LANGUAGE sql AS $$
  WITH l AS (
    SELECT line, n FROM regexp_split_to_table(
      pg_read_file(regexp_replace(test.env('mode_file'), '[^/]*$', 'proxy.log')), E'\n') WITH ORDINALITY AS t(line, n))
  SELECT count(*) FROM l
  WHERE n > (SELECT max(n) FROM l WHERE line LIKE '% mode set to %')
    AND line LIKE '% ' || method || ' %/schemas/% mode=% ' || action || '%'
$$;

-- The class creation is applied, its answer lost.
SELECT test.proxy('apply-then-reset-schema-post');
SELECT test.summary(impayes_sync());
SELECT t32_proxy_schemas('POST', 'applied(200)-then-reset') AS creations_cut;
SELECT * FROM test.admin('schema T32');
SELECT (SELECT count(*) FROM test.dump('T32')) AS objects,
       (SELECT count(*) FROM test.dump('T32') d JOIN impayes i ON d = jsonb_strip_nulls(to_jsonb(i))) AS matching;

-- New columns: the field addition is applied, its answer lost.
ALTER TABLE impayes ADD COLUMN echeance date, ADD COLUMN relance boolean;
UPDATE impayes SET echeance = DATE '2026-01-01' + montant::int, relance = montant > 20;
SELECT test.proxy('apply-then-reset-schema-put');
SELECT test.summary(impayes_sync());
SELECT t32_proxy_schemas('PUT', 'applied(200)-then-reset') AS field_additions_cut;
SELECT * FROM test.admin('schema T32');
SELECT (SELECT count(*) FROM test.dump('T32')) AS objects,
       (SELECT count(*) FROM test.dump('T32') d JOIN impayes i
          ON d = jsonb_strip_nulls(to_jsonb(i) - 'echeance') || jsonb_build_object('echeance',
               jsonb_build_object('__type', 'Date', 'iso', to_char(i.echeance, 'YYYY-MM-DD"T"00:00:00.000"Z"')))) AS matching;

-- Nothing left to do.
SELECT test.proxy('pass');
SELECT test.summary(impayes_sync(full => true));
SELECT * FROM test.admin('drop-class T32');
DROP FUNCTION t32_proxy_schemas(text, text);
DROP TABLE impayes;
