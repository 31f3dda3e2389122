// Shared bits of parse-dump.js and parse-admin.js: flags, REST calls, JSON.
// Connection flags (each defaults to the STATE_DIR/env variable in brackets):
//   --url URL [IMPAYES_PARSE_URL]  --app APPID [IMPAYES_APP_ID]
//   --key-file F [IMPAYES_MASTER_KEY_FILE]
'use strict';
const fs = require('fs');

function die(prog, msg, code = 1) {
  process.stderr.write(`${prog}: ${msg}\n`);
  process.exit(code);
}

// Splits argv into { flags, positional }; boolean flags are listed in bools.
function parseArgs(prog, argv, bools = []) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const name = a.slice(2);
    if (bools.includes(name)) { flags[name] = true; continue; }
    if (i + 1 >= argv.length) die(prog, `missing value for ${a}`, 2);
    flags[name] = argv[++i];
  }
  return { flags, positional };
}

// Returns { call(method, path, body) -> parsed JSON, mountPath }.
function connect(prog, flags) {
  const url = flags.url || process.env.IMPAYES_PARSE_URL;
  const app = flags.app || process.env.IMPAYES_APP_ID;
  const keyFile = flags['key-file'] || process.env.IMPAYES_MASTER_KEY_FILE;
  if (!url || !app || !keyFile) die(prog, 'need --url, --app and --key-file (or the IMPAYES_* env)', 2);
  let key;
  try {
    key = fs.readFileSync(keyFile, 'utf8').trim();
  } catch (e) {
    die(prog, `cannot read key file ${keyFile}: ${e.code || e.message}`, 2);
  }
  const base = url.replace(/\/+$/, '');
  const headers = {
    'X-Parse-Application-Id': app,
    'X-Parse-Master-Key': key,
    // Without it Parse Server misreads the body.
    'Content-Type': 'application/json',
  };
  async function call(method, path, body, query) {
    const qs = query ? '?' + new URLSearchParams(query).toString() : '';
    let res;
    try {
      res = await fetch(base + path + qs, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60000),
      });
    } catch (e) {
      die(prog, `${method} ${path}: ${e.cause ? e.cause.code || e.cause.message : e.message}`);
    }
    const text = await res.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) return { ok: false, status: res.status, json, text };
    if (json === undefined) die(prog, `${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    return { ok: true, status: res.status, json };
  }
  // Like call() but any HTTP error is fatal.
  async function must(method, path, body, query) {
    const r = await call(method, path, body, query);
    if (!r.ok) die(prog, `${method} ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    return r.json;
  }
  return { call, must, mountPath: new URL(base).pathname.replace(/\/+$/, '') };
}

// Reads every object of a class (matching where) by keyset paging on objectId.
async function readAll(api, className, keys, where = {}) {
  const out = [];
  let last = null;
  for (;;) {
    const query = { order: 'objectId', limit: '1000' };
    const w = last === null ? where : { ...where, objectId: { $gt: last } };
    if (Object.keys(w).length) query.where = JSON.stringify(w);
    if (keys) query.keys = keys;
    const page = (await api.must('GET', `/classes/${encodeURIComponent(className)}`, undefined, query)).results;
    out.push(...page);
    if (page.length < 1000) return out;
    last = page[page.length - 1].objectId;
  }
}

// JSON with object keys sorted recursively (arrays keep their order).
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

// Parses a command-line value: JSON if it parses, else the plain string.
function parseValue(s) {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

module.exports = { die, parseArgs, connect, readAll, sortKeys, parseValue };
