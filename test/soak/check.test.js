#!/usr/bin/env node
// Self-test of the soak's invariant checks (check.js): each kind of wrong
// Parse content must be reported. Prints "ok ..." / "FAILED ..." lines.
'use strict';
const { checkParse, checkLedger, diffReads } = require('./check');

const K = 'numero_facture';
const expected = new Map([
  ['A', { numero_facture: 'A', montant: 1.5, tags: ['x', null], echeance: { __type: 'Date', iso: '2026-01-01T00:00:00.000Z' } }],
  ['B', { numero_facture: 'B', client: 'Zoë' }],
]);
const good = () => [
  { objectId: 'o1', numero_facture: 'A', tags: ['x', null], montant: 1.5, echeance: { iso: '2026-01-01T00:00:00.000Z', __type: 'Date' }, createdAt: 'c', updatedAt: 'u', ACL: {} },
  { objectId: 'o2', numero_facture: 'B', client: 'Zoë' },
];
const run = (objects, onMissing = 'keep') => checkParse({ expected, objects, keyField: K, onMissing });

const cases = [
  ['converged class passes', run(good()).length === 0],
  ['an object left by a key that left the source passes with keep', run([...good(), { objectId: 'o3', numero_facture: 'C' }]).length === 0],
  ['missing object', run(good().slice(0, 1)).some(p => /"B": no object/.test(p))],
  ['duplicate of a source key', run([...good(), { objectId: 'o4', numero_facture: 'B', client: 'Zoë' }]).some(p => /"B" has 2 objects/.test(p))],
  ['duplicate of a key not in the source, with keep', run([...good(), { objectId: 'o5', numero_facture: 'C' }, { objectId: 'o6', numero_facture: 'C' }]).some(p => /"C" has 2 objects/.test(p))],
  ['wrong value', run(good().map(o => (o.objectId === 'o1' ? { ...o, montant: 1.51 } : o))).some(p => /montant: parse=1.51 source=1.5/.test(p))],
  ['field that must be absent', run(good().map(o => (o.objectId === 'o2' ? { ...o, paye: true } : o))).some(p => /paye: parse=true source=\(absent\)/.test(p))],
  ['field missing', run(good().map(o => (o.objectId === 'o2' ? { objectId: 'o2', numero_facture: 'B' } : o))).some(p => /client: parse=\(absent\)/.test(p))],
  ['array order matters', run(good().map(o => (o.objectId === 'o1' ? { ...o, tags: [null, 'x'] } : o))).some(p => /tags/.test(p))],
  ['extra key with delete', run([...good(), { objectId: 'o7', numero_facture: 'C' }], 'delete').some(p => /"C": 1 object\(s\) but not in the source/.test(p))],
  ['keyless object with delete', run([...good(), { objectId: 'o8' }], 'delete').some(p => /o8 has no numero_facture/.test(p))],
  ['dry-run diff sees a change', diffReads(good(), good().map(o => (o.objectId === 'o2' ? { ...o, client: 'x' } : o))).length === 1],
  ['dry-run diff sees an insert and a delete', diffReads(good(), [good()[0], { objectId: 'o9', numero_facture: 'B' }]).length === 2],
  ['dry-run diff ignores updatedAt', diffReads(good(), good().map(o => ({ ...o, updatedAt: 'later' }))).length === 0],
  ['ledger matching Parse passes', checkLedger({ entries: [{ key: 'A', object_id: 'o1' }, { key: 'B', object_id: 'o2' }, { key: 'C', object_id: 'o3' }], expected, objects: good(), keyField: K }).length === 0],
  ['ledger entry missing', checkLedger({ entries: [{ key: 'A', object_id: 'o1' }], expected, objects: good(), keyField: K }).some(p => /no entry for source key "B"/.test(p))],
  ['ledger entry with a wrong objectId', checkLedger({ entries: [{ key: 'A', object_id: 'o1' }, { key: 'B', object_id: 'old' }], expected, objects: good(), keyField: K }).some(p => /"B" -> old, Parse holds o2/.test(p))],
];
let failed = 0;
for (const [name, pass] of cases) {
  if (!pass) failed++;
  console.log(`${pass ? 'ok' : 'FAILED'} soak check: ${name}`);
}
process.exitCode = failed ? 1 : 0;
