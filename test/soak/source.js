// The soak's source table: an in-memory model (so planning a round needs no
// database answer) and the SQL that applies planned changes and reads the
// table back in the form Parse must hold.
'use strict';

const TABLE = 'public.soak_src';
const COLUMNS = ['numero_facture', 'client', 'montant', 'echeance', 'relance', 'paye', 'tags', 'meta'];
const CREATE_SQL = `CREATE TABLE ${TABLE} (
  numero_facture text PRIMARY KEY, client text, montant numeric(12,2), echeance date,
  relance timestamptz, paye boolean, tags text[], meta jsonb)`;

// Keys with accents, a slash, a quote and a space: they travel in URLs.
const KEY_PREFIXES = ['F-', 'É-', 'Ñ/', "Q'", 'clé '];
const CLIENTS = ['Société Générale', 'Crème & Brûlée SARL', "Œuvres d'Art", 'Zoë Müller', 'Ñandú S.A.',
  "L'Étoile du Nord", 'Ça va "bien"', 'back\\slash', 'ligne 1\nligne 2', 'émoji 🎉', 'tab\tici',
  'Über GmbH', '  espaces  ', ''];
const TAGS = ['urgent', 'relancé', 'litige', 'à vérifier', 'contentieux'];
const AGENTS = ['Zoé', 'Jean-Édouard', 'Brigitte', 'Ånne'];

const pad = (n, w = 2) => String(n).padStart(w, '0');

// A random value for a column (NULL allowed except for the key).
function randomValue(rng, column) {
  switch (column) {
    case 'client':
      return rng.chance(0.1) ? null : `${rng.pick(CLIENTS)}${rng.chance(0.5) ? ' ' + rng.int(1, 999) : ''}`;
    case 'montant': {
      if (rng.chance(0.1)) return null;
      const cents = rng.chance(0.1) ? rng.int(-50000, 0) : rng.int(0, 9999999999);
      return (cents / 100).toFixed(2);
    }
    case 'echeance':
      return rng.chance(0.1) ? null : `${rng.int(2019, 2031)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
    case 'relance':
      return rng.chance(0.3) ? null
        : `${rng.int(2020, 2030)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}T${pad(rng.int(0, 23))}:` +
          `${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}.${pad(rng.int(0, 999), 3)}Z`;
    case 'paye':
      return rng.pick([true, false, null]);
    case 'tags': {
      if (rng.chance(0.2)) return null;
      const n = rng.int(0, 3);
      const out = [];
      for (let i = 0; i < n; i++) out.push(rng.chance(0.08) ? null : rng.pick(TAGS));
      return out;
    }
    case 'meta':
      return rng.chance(0.3) ? null
        : { relances: rng.int(0, 9), agent: rng.pick(AGENTS), historique: [{ niveau: rng.int(1, 3), canal: rng.pick(['courriel', 'téléphone']) }] };
    default:
      throw new Error(`no generator for column ${column}`);
  }
}

function randomRow(rng, key) {
  const row = { numero_facture: key };
  for (const c of COLUMNS.slice(1)) row[c] = randomValue(rng, c);
  return row;
}

// The model: live rows by key, keys that left the source, a key counter.
function makeModel() {
  return { rows: new Map(), retired: [], counter: 0 };
}

function newKey(rng, model) {
  model.counter += 1;
  return `${rng.pick(KEY_PREFIXES)}${model.counter}`;
}

const sortedKeys = model => [...model.rows.keys()].sort();

// Plans N source changes and applies them to the model; returns the ops.
function planSourceOps(rng, model, n) {
  const ops = [];
  for (let i = 0; i < n; i++) {
    const size = model.rows.size;
    const kind = rng.weighted([
      ['insert', size < 20 ? 6 : 3], ['update', size ? 5 : 0], ['delete', size > 60 ? 4 : size > 10 ? 2 : 0],
      ['rename', size ? 1 : 0], ['resurrect', model.retired.length ? 1 : 0],
    ]);
    if (kind === 'insert' || kind === 'resurrect') {
      const key = kind === 'insert' ? newKey(rng, model)
        : model.retired.splice(rng.int(0, model.retired.length - 1), 1)[0];
      const row = randomRow(rng, key);
      model.rows.set(key, row);
      ops.push({ kind, key, row });
    } else if (kind === 'update') {
      const key = rng.pick(sortedKeys(model));
      const set = {};
      const cols = COLUMNS.slice(1);
      for (let j = rng.int(1, 3); j > 0; j--) {
        const c = rng.pick(cols);
        set[c] = randomValue(rng, c);
      }
      Object.assign(model.rows.get(key), set);
      ops.push({ kind, key, set });
    } else if (kind === 'delete') {
      const key = rng.pick(sortedKeys(model));
      model.rows.delete(key);
      model.retired.push(key);
      ops.push({ kind, key });
    } else {
      const key = rng.pick(sortedKeys(model));
      const to = newKey(rng, model);
      const row = model.rows.get(key);
      model.rows.delete(key);
      row.numero_facture = to;
      model.rows.set(to, row);
      model.retired.push(key);
      ops.push({ kind, key, to });
    }
  }
  return ops;
}

// Parameter for a column value as node-postgres sends it.
const param = (column, v) => (column === 'meta' && v !== null ? JSON.stringify(v) : v);

async function applySourceOps(db, ops) {
  for (const op of ops) {
    if (op.kind === 'insert' || op.kind === 'resurrect') {
      await db.query(`INSERT INTO ${TABLE} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
        COLUMNS.map(c => param(c, op.row[c])));
    } else if (op.kind === 'update') {
      const cols = Object.keys(op.set);
      await db.query(`UPDATE ${TABLE} SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE numero_facture = $1`,
        [op.key, ...cols.map(c => param(c, op.set[c]))]);
    } else if (op.kind === 'delete') {
      await db.query(`DELETE FROM ${TABLE} WHERE numero_facture = $1`, [op.key]);
    } else {
      await db.query(`UPDATE ${TABLE} SET numero_facture = $2 WHERE numero_facture = $1`, [op.key, op.to]);
    }
  }
}

// Each source row as the object Parse must hold (README "Type mapping"):
// NULL fields absent, numbers as doubles, dates as Parse Date objects.
const EXPECTED_SQL = `
SELECT s.numero_facture AS key, (
  SELECT pg_catalog.jsonb_object_agg(e.key, e.value) FROM pg_catalog.jsonb_each(pg_catalog.jsonb_build_object(
    'numero_facture', s.numero_facture, 'client', s.client, 'montant', s.montant::float8,
    'echeance', CASE WHEN s.echeance IS NOT NULL THEN pg_catalog.jsonb_build_object('__type', 'Date',
      'iso', pg_catalog.to_char(s.echeance, 'YYYY-MM-DD') || 'T00:00:00.000Z') END,
    'relance', CASE WHEN s.relance IS NOT NULL THEN pg_catalog.jsonb_build_object('__type', 'Date',
      'iso', pg_catalog.to_char(s.relance AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
    'paye', s.paye, 'tags', pg_catalog.to_jsonb(s.tags), 'meta', s.meta)) e
  WHERE e.value OPERATOR(pg_catalog.<>) 'null'::jsonb)::text AS expected
FROM ${TABLE} s ORDER BY 1`;

async function readExpected(db) {
  const r = await db.query(EXPECTED_SQL);
  return new Map(r.rows.map(row => [row.key, JSON.parse(row.expected)]));
}

// The model and the table must agree, or the soak itself is broken.
async function checkModel(db, model) {
  const r = await db.query(`SELECT numero_facture FROM ${TABLE} ORDER BY 1`);
  const inTable = r.rows.map(x => x.numero_facture).sort().join('\n');
  return inTable === sortedKeys(model).join('\n');
}

module.exports = { TABLE, CREATE_SQL, makeModel, planSourceOps, applySourceOps, readExpected, checkModel, sortedKeys };
