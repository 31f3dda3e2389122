-- generate.sql: a realistic source of unpaid invoices for the benchmark.
--   psql -v n=100000 -f bench/generate.sql
-- Table bench.factures (n unpaid invoices of 2025 and n/4 paid ones of 2024)
-- and the source view bench.impayes (17 columns: accented text, numerics,
-- dates, timestamptz, boolean, text[], jsonb, some NULLs). Deterministic.
-- Also the changes the scenarios apply, and each row in Parse wire format.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;

CREATE TABLE bench.factures (
  numero_facture text PRIMARY KEY,
  client_nom text NOT NULL,
  client_code text NOT NULL,
  ville text,
  montant_ht numeric(12,2) NOT NULL,
  taux_tva numeric(4,2) NOT NULL,
  montant_ttc numeric(12,2) NOT NULL,
  montant_regle numeric(12,2) NOT NULL,
  date_facture date NOT NULL,
  date_echeance date NOT NULL,
  derniere_relance timestamptz,
  nb_relances integer NOT NULL,
  en_litige boolean NOT NULL,
  etiquettes text[],
  details jsonb,
  commentaire text,
  modifie_le timestamptz NOT NULL,
  payee boolean NOT NULL
);
CREATE VIEW bench.impayes AS
  SELECT numero_facture, client_nom, client_code, ville, montant_ht, taux_tva, montant_ttc,
         montant_regle, date_facture, date_echeance, derniere_relance, nb_relances, en_litige,
         etiquettes, details, commentaire, modifie_le
  FROM bench.factures WHERE NOT payee;

-- Invoices numbered first .. first+count-1 of year yr, from a seeded random().
CREATE FUNCTION bench.add_invoices(yr int, first int, count int, paid boolean) RETURNS void
LANGUAGE sql AS $$
INSERT INTO bench.factures
SELECT format('FAC-%s-%s', yr, lpad(g::text, 7, '0')),
       (ARRAY['Société Générale de Bâtiment', 'Boulangerie Lefèvre & Fils', 'Crémerie du Marché',
              'Hôtel Le Château d''Éguzon', 'Pâtisserie Noël', 'Garage Müller', 'Éts Gaëlle Béranger',
              'Café de la Gare', 'Librairie Ça et Là', 'Menuiserie Höfler', 'Boucherie Benoît',
              'Clinique vétérinaire Saint-Étienne'])[1 + (g * 7) % 12] || ' n°' || (g % 997),
       'C' || lpad((g % 5003)::text, 6, '0'),
       CASE WHEN r.a < 0.05 THEN NULL
            ELSE (ARRAY['Besançon', 'Orléans', 'Nîmes', 'Saint-Étienne', 'Béziers', 'Créteil',
                        'Angoulême', 'Évry-Courcouronnes', 'Mâcon', 'Lyon'])[1 + g % 10] END,
       ht, tva, round(ht * (1 + tva / 100), 2),
       CASE WHEN r.b < 0.7 THEN 0 ELSE round(ht * r.b::numeric / 2, 2) END,
       d, d + (ARRAY[30, 45, 60])[1 + g % 3],
       CASE WHEN r.c < 0.4 THEN NULL
            ELSE timestamptz '2025-03-01 08:00+01' + r.c * interval '200 days' END,
       (r.c * 6)::int,
       r.a > 0.97,
       CASE WHEN r.b < 0.2 THEN NULL
            WHEN r.b < 0.6 THEN ARRAY['relance']
            ELSE ARRAY['relance', (ARRAY['prioritaire', 'contentieux', 'échéancier'])[1 + g % 3]] END,
       jsonb_build_object(
         'canal', (ARRAY['email', 'courrier', 'téléphone'])[1 + g % 3],
         'commercial', (ARRAY['Zoé Lemaître', 'Jérôme Dupré', 'Anaïs Côté', 'François Bœuf'])[1 + g % 4],
         'lignes', 1 + g % 12,
         'remise', CASE WHEN g % 4 = 0 THEN 0.05 END,
         'historique', jsonb_build_array(
           jsonb_build_object('date', d + 31, 'action', 'relance amiable'),
           jsonb_build_object('date', d + 46, 'action', 'appel téléphonique'))),
       CASE WHEN r.a < 0.7 THEN NULL
            ELSE 'Client prévenu le ' || to_char(d + 40, 'DD/MM/YYYY') ||
                 ' ; règlement annoncé « sous huitaine », à vérifier à réception du chèque.' END,
       timestamptz '2025-06-01 12:00+02' + r.b * interval '120 days',
       paid
FROM (SELECT g, random() AS a, random() AS b, random() AS c, random() AS e
      FROM generate_series(first, first + count - 1) g) r,
     LATERAL (SELECT round((20 + r.e * 4980)::numeric, 2) AS ht,
                     (ARRAY[20.0, 10.0, 5.5, 2.1])[1 + g % 4]::numeric(4,2) AS tva,
                     date '2024-06-01' + (r.e * 420)::int AS d) v
$$;

-- S3: 1% of the unpaid invoices get a payment and a reminder, 0.5% new ones.
CREATE FUNCTION bench.change_some(n int) RETURNS void LANGUAGE sql AS $$
UPDATE bench.factures
   SET montant_regle = montant_regle + 10, nb_relances = nb_relances + 1,
       derniere_relance = timestamptz '2025-11-20 09:30+01',
       modifie_le = timestamptz '2025-11-20 09:30+01'
 WHERE NOT payee AND right(numero_facture, 7)::int % 100 = 7;
SELECT bench.add_invoices(2025, n + 1, n / 200, false);
$$;

-- S4: 1% of the unpaid invoices are paid (they leave the source).
CREATE FUNCTION bench.pay_some() RETURNS void LANGUAGE sql AS $$
UPDATE bench.factures SET payee = true
 WHERE NOT payee AND right(numero_facture, 7)::int % 100 = 42;
$$;

-- A source row as Parse stores it (NULLs absent), for the ceiling client.
CREATE FUNCTION bench.wire(t bench.impayes) RETURNS jsonb LANGUAGE sql AS $$
SELECT jsonb_object_agg(key, CASE WHEN jsonb_typeof(value) = 'string' AND key IN
         ('date_facture', 'date_echeance', 'derniere_relance', 'modifie_le')
       THEN jsonb_build_object('__type', 'Date', 'iso', to_char((value #>> '{}')::timestamptz
              AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       ELSE value END)
FROM jsonb_each(to_jsonb(t)) WHERE jsonb_typeof(value) <> 'null'
$$;

SELECT setseed(0.42);
SELECT bench.add_invoices(2025, 1, :n, false);
SELECT bench.add_invoices(2024, 1, :n / 4, true);
VACUUM ANALYZE bench.factures;
