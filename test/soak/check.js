// The invariants: Parse holds exactly one object per source key, equal field
// by field to the source row; no key ever has two objects; with
// on_missing = delete, no object whose key is not in the source.
'use strict';
const { userFields } = require('./parse');

// JSON with object keys sorted, so equal values print equal.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map(k => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function groupByKey(objects, keyField) {
  const groups = new Map();
  const keyless = [];
  for (const o of objects) {
    const k = o[keyField];
    if (typeof k !== 'string') { keyless.push(o); continue; }
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(o);
  }
  return { groups, keyless };
}

// Problems (strings) of Parse's objects against the expected map.
// what: 'converged' (values, duplicates, on_missing) or 'duplicates' only.
function checkParse({ expected, objects, keyField, onMissing, what = 'converged' }) {
  const problems = [];
  const { groups, keyless } = groupByKey(objects, keyField);
  for (const [k, objs] of groups) {
    if (objs.length > 1) {
      problems.push(`key ${JSON.stringify(k)} has ${objs.length} objects (${objs.map(o => o.objectId).join(', ')})` +
        (expected.has(k) ? '' : ' [key not in the source]'));
    }
  }
  if (what === 'duplicates') return problems;
  for (const [k, want] of expected) {
    const objs = groups.get(k) || [];
    if (objs.length === 0) { problems.push(`key ${JSON.stringify(k)}: no object in Parse`); continue; }
    for (const o of objs) {
      const got = userFields(o);
      const fields = new Set([...Object.keys(got), ...Object.keys(want)]);
      for (const f of [...fields].sort()) {
        const g = f in got ? canonical(got[f]) : '(absent)';
        const w = f in want ? canonical(want[f]) : '(absent)';
        if (g !== w) problems.push(`key ${JSON.stringify(k)} object ${o.objectId}: ${f}: parse=${g} source=${w}`);
      }
    }
  }
  if (onMissing === 'delete') {
    for (const [k, objs] of groups) {
      if (!expected.has(k)) problems.push(`key ${JSON.stringify(k)}: ${objs.length} object(s) but not in the source (on_missing=delete)`);
    }
    for (const o of keyless) problems.push(`object ${o.objectId} has no ${keyField} (on_missing=delete)`);
  }
  return problems;
}

// After a successful run the ledger must hold every source key once, with
// the objectId Parse holds for it (else the next incremental run trusts a
// wrong entry). entries: [{ key, object_id }].
function checkLedger({ entries, expected, objects, keyField }) {
  const problems = [];
  const idOf = new Map();
  for (const o of objects) if (typeof o[keyField] === 'string') idOf.set(o[keyField], o.objectId);
  const seen = new Set();
  for (const e of entries) {
    seen.add(e.key);
    if (!expected.has(e.key)) continue; // a key that left the source may stay (on_missing=keep)
    if (idOf.get(e.key) !== e.object_id) {
      problems.push(`ledger: key ${JSON.stringify(e.key)} -> ${e.object_id}, Parse holds ${idOf.get(e.key) || 'no object'}`);
    }
  }
  for (const k of expected.keys()) if (!seen.has(k)) problems.push(`ledger: no entry for source key ${JSON.stringify(k)}`);
  return problems;
}

// Differences between two reads of the class (a dry run must change nothing).
function diffReads(before, after) {
  const index = objs => new Map(objs.map(o => [o.objectId, canonical(userFields(o))]));
  const a = index(before);
  const b = index(after);
  const problems = [];
  for (const [id, v] of a) {
    if (!b.has(id)) problems.push(`object ${id} disappeared: ${v}`);
    else if (b.get(id) !== v) problems.push(`object ${id} changed: ${v} -> ${b.get(id)}`);
  }
  for (const [id, v] of b) if (!a.has(id)) problems.push(`object ${id} appeared: ${v}`);
  return problems;
}

module.exports = { checkParse, checkLedger, diffReads, canonical };
