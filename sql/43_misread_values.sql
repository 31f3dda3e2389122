-- Values Parse would misread (issue 8, item 14) reject their row, naming
-- row and column: JSON keys Parse interprets (__op, __type) or refuses
-- (with "." or "$", error 121 on every run), dates beyond what a
-- millisecond timestamp holds (sent wrapped by 1.0). Arrays of domains and
-- domains over arrays are read with their element type.
SELECT test.use('parse', 'T43');
SELECT * FROM test.admin('drop-class T43');
CREATE DOMAIN t43_amount AS numeric CHECK (VALUE >= 0);
CREATE DOMAIN t43_tags AS text[];
CREATE TABLE impayes (numero_facture text, meta jsonb, echeance date, vu timestamptz,
                      montants t43_amount[], tags t43_tags);
INSERT INTO impayes VALUES
  ('F-1', '{"ok": {"nested": [1, {"deep": true}]}}', '2026-01-31', '2026-01-31 10:00+00', '{1.5,2}', '{a,b}'),
  ('F-2', '{"a": {"__type": "Date", "iso": "2020-01-01T00:00:00.000Z"}}', NULL, NULL, NULL, NULL),
  ('F-3', '{"total": {"__op": "Increment", "amount": 1}}', NULL, NULL, NULL, NULL),
  ('F-4', '{"list": [{"x.y": 1}]}', NULL, NULL, NULL, NULL),
  ('F-5', '{"$where": "1"}', NULL, NULL, NULL, NULL),
  ('F-6', '{"ok": 1}', DATE '2000-01-01' + 213503983, NULL, NULL, NULL),
  ('F-7', '{"ok": 1}', '10000-01-01', NULL, NULL, NULL),
  ('F-8', '{"ok": 1}', NULL, '294276-01-01 00:00+00', NULL, NULL);
SELECT test.summary(r) FROM impayes_sync() r;
SELECT e->>'row' AS row, e->>'key' AS key, e->>'column' AS col, e->>'error' AS error
FROM impayes_sync.last_run, jsonb_array_elements(details->'rejected_rows') e ORDER BY (e->>'row')::int;
SELECT * FROM test.dump('T43');
DROP TABLE impayes;
DROP DOMAIN t43_amount, t43_tags;
