-- Demo source: an accounting schema and the unpaid-invoices view that
-- impayes_sync reads by default (impayes_sync.source = 'impayes').
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS impayes_sync;
DROP VIEW IF EXISTS impayes;
DROP TABLE IF EXISTS reglements, factures, clients;
CREATE TABLE clients (id serial PRIMARY KEY, nom text NOT NULL, ville text);
CREATE TABLE factures (
  numero text PRIMARY KEY,
  client_id int REFERENCES clients,
  emise_le date NOT NULL,
  echeance date NOT NULL,
  montant_ttc numeric(12,2) NOT NULL
);
CREATE TABLE reglements (facture text REFERENCES factures, montant numeric(12,2), le date);

INSERT INTO clients (nom, ville)
SELECT (ARRAY['Boulangerie Dupont','Garage Martin','Café de la Gare','Société Léa & Fils',
              'Menuiserie Éloïse','Pharmacie Centrale'])[1 + g % 6], (ARRAY['Lyon','Paris','Nantes'])[1 + g % 3]
FROM generate_series(1, 12) g;
INSERT INTO factures
SELECT format('FA-2025-%s', lpad(g::text, 4, '0')), 1 + g % 12,
       date '2025-01-01' + g * 3, date '2025-01-01' + g * 3 + 30, round((100 + g * 37.5)::numeric, 2)
FROM generate_series(1, 60) g;
-- Some invoices are paid in full, some in part.
INSERT INTO reglements SELECT numero, montant_ttc, echeance - 2 FROM factures WHERE right(numero, 1) IN ('0', '5');
INSERT INTO reglements SELECT numero, 50, echeance FROM factures WHERE right(numero, 1) = '3';

CREATE VIEW impayes AS
SELECT f.numero AS numero_facture,
       c.nom AS client,
       c.ville,
       f.emise_le,
       f.echeance,
       f.montant_ttc,
       f.montant_ttc - coalesce(sum(r.montant), 0) AS reste_du,
       (date '2025-12-31' - f.echeance) AS jours_retard,
       coalesce(sum(r.montant), 0) > 0 AS paiement_partiel
FROM factures f
JOIN clients c ON c.id = f.client_id
LEFT JOIN reglements r ON r.facture = f.numero
GROUP BY f.numero, c.nom, c.ville
HAVING f.montant_ttc - coalesce(sum(r.montant), 0) > 0;
