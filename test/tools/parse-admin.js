#!/usr/bin/env node
// parse-admin.js [--url URL --app APPID --key-file F] COMMAND ...
//   count C                        number of objects (exact, not estimated)
//   drop-class C                   delete every object, then the schema
//   create-object C JSON           [--print-id] to print the new objectId
//   update-by-key C K VALUE JSON   update every object whose K == VALUE
//   delete-by-key C K VALUE        delete every object whose K == VALUE
//   set-field-type C FIELD TYPE    add FIELD (TYPE: String, Number, Date,
//                                  Boolean, Object, Array, Pointer:Class...)
//   schema C                       "field type" lines, sorted, builtins omitted
//   call-function NAME [JSON]      POST /functions/NAME with JSON params (default
//                                  {}); prints its result as compact JSON with
//                                  sorted keys, or one line "error: HTTP S, Parse
//                                  code C: MESSAGE" when Parse refuses the call;
//                                  [--no-master-key] calls it as an anonymous
//                                  client (application id only); [--copy]
//                                  doubles backslashes, for COPY ... FROM
//                                  PROGRAM in text format
// VALUE is JSON if it parses (42, true, "42"), else a plain string.
// Output is minimal and deterministic (no objectIds unless asked).
'use strict';
const { die, parseArgs, connect, readAll, sortKeys, parseValue } = require('./parse-rest');

const PROG = 'parse-admin';
const { flags, positional } = parseArgs(PROG, process.argv.slice(2), ['print-id', 'no-master-key', 'copy']);
const [cmd, ...rest] = positional;
const api = connect(PROG, flags);
const cls = c => `/classes/${encodeURIComponent(c)}`;
const json = (s, what) => {
  try {
    const v = JSON.parse(s);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch { /* fall through */ }
  return die(PROG, `${what} must be a JSON object: ${s}`, 2);
};
const need = n => { if (rest.length !== n) die(PROG, `${cmd} takes ${n} argument(s)`, 2); };
const BUILTIN = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);

// Runs [{method, path, body}] through /batch, 50 at a time; fails on any error.
async function batch(requests) {
  for (let i = 0; i < requests.length; i += 50) {
    const chunk = requests.slice(i, i + 50).map(r => ({ ...r, path: api.mountPath + r.path }));
    const res = await api.must('POST', '/batch', { requests: chunk });
    const bad = res.find(r => r.error);
    if (bad) die(PROG, `batch error: ${JSON.stringify(bad.error)}`);
  }
}

async function idsWhere(c, where) {
  return (await readAll(api, c, 'objectId', where)).map(o => o.objectId);
}

async function count(c) {
  const r = await api.must('GET', cls(c), undefined, {
    count: '1', limit: '0', where: JSON.stringify({ objectId: { $exists: true } }),
  });
  return r.count;
}

const commands = {
  async count() { need(1); console.log(await count(rest[0])); },
  async 'drop-class'() {
    need(1);
    const c = rest[0];
    await batch((await idsWhere(c)).map(id => ({ method: 'DELETE', path: `${cls(c)}/${id}` })));
    const r = await api.call('DELETE', `/schemas/${encodeURIComponent(c)}`);
    // 103 = class does not exist: dropping it is then already done.
    if (!r.ok && !(r.json && r.json.code === 103)) die(PROG, `DELETE /schemas/${c}: HTTP ${r.status}: ${r.text}`);
    console.log(`dropped ${c}`);
  },
  async 'create-object'() {
    need(2);
    const r = await api.must('POST', cls(rest[0]), json(rest[1], 'JSON'));
    console.log(flags['print-id'] ? r.objectId : 'created');
  },
  async 'update-by-key'() {
    need(4);
    const [c, k, v, body] = rest;
    const data = json(body, 'JSON');
    const ids = await idsWhere(c, { [k]: parseValue(v) });
    await batch(ids.map(id => ({ method: 'PUT', path: `${cls(c)}/${id}`, body: data })));
    console.log(`updated ${ids.length}`);
  },
  async 'delete-by-key'() {
    need(3);
    const [c, k, v] = rest;
    const ids = await idsWhere(c, { [k]: parseValue(v) });
    await batch(ids.map(id => ({ method: 'DELETE', path: `${cls(c)}/${id}` })));
    console.log(`deleted ${ids.length}`);
  },
  async 'set-field-type'() {
    need(3);
    const [c, field, type] = rest;
    const [t, targetClass] = type.split(':');
    const def = targetClass ? { type: t, targetClass } : { type: t };
    const path = `/schemas/${encodeURIComponent(c)}`;
    const body = { className: c, fields: { [field]: def } };
    // PUT only works on an existing class; create it (POST) otherwise.
    const exists = (await api.call('GET', path)).ok;
    await api.must(exists ? 'PUT' : 'POST', path, body);
    console.log(`field ${c}.${field} ${type}`);
  },
  async schema() {
    need(1);
    const r = await api.call('GET', `/schemas/${encodeURIComponent(rest[0])}`);
    if (!r.ok) {
      if (r.json && r.json.code === 103) return console.log('no such class');
      die(PROG, `GET /schemas/${rest[0]}: HTTP ${r.status}: ${r.text}`);
    }
    const lines = Object.entries(r.json.fields).filter(([f]) => !BUILTIN.has(f))
      .map(([f, d]) => `${f} ${d.type}${d.targetClass ? ':' + d.targetClass : ''}`).sort();
    lines.forEach(l => console.log(l));
  },
  async 'call-function'() {
    if (rest.length < 1 || rest.length > 2) die(PROG, 'call-function takes NAME [JSON]', 2);
    const [name, params] = rest;
    const path = `/functions/${encodeURIComponent(name)}`;
    const body = params === undefined ? {} : json(params, 'JSON');
    const r = flags['no-master-key'] ? await anonymous('POST', path, body) : await api.call('POST', path, body);
    const out = line => console.log(flags.copy ? line.replace(/\\/g, '\\\\') : line);
    if (r.ok) {
      if (!r.json || !('result' in r.json)) die(PROG, `POST ${path}: no "result" in the answer`);
      return out(JSON.stringify(sortKeys(r.json.result)));
    }
    if (!r.json || r.json.code === undefined) die(PROG, `POST ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    out(`error: HTTP ${r.status}, Parse code ${r.json.code}: ${r.json.error}`);
  },
};

// A call with the application id only (no master key, no session).
async function anonymous(method, path, body) {
  const url = (flags.url || process.env.IMPAYES_PARSE_URL).replace(/\/+$/, '');
  const app = flags.app || process.env.IMPAYES_APP_ID;
  let res;
  try {
    res = await fetch(url + path, {
      method, body: JSON.stringify(body), signal: AbortSignal.timeout(60000),
      headers: { 'X-Parse-Application-Id': app, 'Content-Type': 'application/json' },
    });
  } catch (e) {
    die(PROG, `${method} ${path}: ${e.cause ? e.cause.code || e.cause.message : e.message}`);
  }
  const text = await res.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { ok: res.ok && parsed !== undefined, status: res.status, json: parsed, text };
}

if (!commands[cmd]) die(PROG, `unknown command "${cmd || ''}"; see the header of parse-admin.js`, 2);
commands[cmd]().catch(e => die(PROG, e.stack || String(e)));
