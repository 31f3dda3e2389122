// The soak's own Parse REST client (master key, straight to Parse Server,
// not through the fault proxy): reads the class for the checks and plays
// "other Parse clients" that edit, delete and create objects.
'use strict';
const fs = require('fs');

const HIDDEN = ['objectId', 'createdAt', 'updatedAt', 'ACL'];

function makeParse({ url, appId, keyFile, className }) {
  const base = url.replace(/\/+$/, '');
  const mountPath = new URL(base).pathname.replace(/\/+$/, '');
  const key = fs.readFileSync(keyFile, 'utf8').trim();
  const headers = { 'X-Parse-Application-Id': appId, 'X-Parse-Master-Key': key, 'Content-Type': 'application/json' };
  const cls = `/classes/${encodeURIComponent(className)}`;

  // One REST call; throws on a transport error or an HTTP error (the text
  // never holds the key: it is only in the headers).
  async function call(method, path, body, query, { allow = [] } = {}) {
    const qs = query ? '?' + new URLSearchParams(query).toString() : '';
    const res = await fetch(base + path + qs, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60000),
    });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    if (!res.ok && !(json && allow.includes(json.code))) {
      throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    }
    return json;
  }

  // Every object of the class (keyset paging on objectId), [] if no class.
  async function readAll(where = {}) {
    const out = [];
    let last = null;
    for (;;) {
      const w = last === null ? where : { ...where, objectId: { $gt: last } };
      const query = { order: 'objectId', limit: '1000' };
      if (Object.keys(w).length) query.where = JSON.stringify(w);
      const r = await call('GET', cls, undefined, query, { allow: [103] });
      if (!r.results) return out; // 103: class does not exist yet
      out.push(...r.results);
      if (r.results.length < 1000) return out;
      last = r.results[r.results.length - 1].objectId;
    }
  }

  const idsByKey = async (keyField, value) => (await readAll({ [keyField]: value })).map(o => o.objectId);

  async function batch(requests) {
    for (let i = 0; i < requests.length; i += 50) {
      const chunk = requests.slice(i, i + 50).map(r => ({ ...r, path: mountPath + r.path }));
      const res = await call('POST', '/batch', { requests: chunk });
      const bad = res.find(r => r.error);
      if (bad) throw new Error(`batch error: ${JSON.stringify(bad.error)}`);
    }
  }

  async function dropClass() {
    const ids = (await readAll()).map(o => o.objectId);
    await batch(ids.map(id => ({ method: 'DELETE', path: `${cls}/${id}` })));
    await call('DELETE', `/schemas/${encodeURIComponent(className)}`, undefined, undefined, { allow: [103] });
  }

  const update = (id, body) => call('PUT', `${cls}/${id}`, body);
  const remove = id => call('DELETE', `${cls}/${id}`, undefined, undefined, { allow: [101] });
  const create = body => call('POST', cls, body);
  const healthy = async () => {
    try { return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) })).ok; } catch { return false; }
  };

  return { readAll, idsByKey, update, remove, create, dropClass, healthy };
}

// An object without Parse's own fields.
function userFields(o) {
  const c = { ...o };
  for (const k of HIDDEN) delete c[k];
  return c;
}

module.exports = { makeParse, userFields };
