// "Other Parse clients": edits, deletions and creations made with the master
// key straight to Parse between runs, as the README allows.
'use strict';
const { sortedKeys } = require('./source');

const EDITS = [
  { client: 'modifié par un autre client' },
  { montant: -1 },
  { paye: { __op: 'Delete' } },
  { tags: ['ajouté ailleurs'] },
  { echeance: { __type: 'Date', iso: '1999-12-31T00:00:00.000Z' } },
  { meta: { autre: 'client' } },
];

// Plans N actions on keys of the model (the source as planned).
function planClientOps(rng, model, n) {
  const ops = [];
  const live = sortedKeys(model);
  for (let i = 0; i < n; i++) {
    // drop-class: another client deletes every object and the schema (rare).
    const kind = rng.weighted([['edit', live.length ? 5 : 0], ['delete', live.length ? 2 : 0], ['create', 1], ['drop-class', 0.15]]);
    if (kind === 'drop-class') {
      ops.push({ kind, key: null });
    } else if (kind === 'create') {
      // A key that left the source or one still in it: created only when
      // Parse has no object for it (another client never makes a duplicate).
      const pool = [...model.retired, ...live];
      if (!pool.length) continue;
      ops.push({ kind, key: rng.pick(pool), body: { client: 'créé par un autre client', montant: 1 } });
    } else {
      const op = { kind, key: rng.pick(live) };
      if (kind === 'edit') op.body = rng.pick(EDITS);
      ops.push(op);
    }
  }
  return ops;
}

// Applies the ops; returns what each one did (for the round's log).
async function applyClientOps(parse, keyField, ops) {
  const done = [];
  for (const op of ops) {
    if (op.kind === 'drop-class') {
      await parse.dropClass();
      done.push('drop-class');
      continue;
    }
    const ids = await parse.idsByKey(keyField, op.key);
    if (op.kind === 'edit') {
      for (const id of ids) await parse.update(id, op.body);
      done.push(`edit ${JSON.stringify(op.key)} ${JSON.stringify(op.body)} (${ids.length} object(s))`);
    } else if (op.kind === 'delete') {
      for (const id of ids) await parse.remove(id);
      done.push(`delete ${JSON.stringify(op.key)} (${ids.length} object(s))`);
    } else if (ids.length === 0) {
      await parse.create({ [keyField]: op.key, ...op.body });
      done.push(`create ${JSON.stringify(op.key)}`);
    } else {
      done.push(`create ${JSON.stringify(op.key)} skipped (exists)`);
    }
  }
  return done;
}

module.exports = { planClientOps, applyClientOps };
