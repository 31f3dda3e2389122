// Parse Cloud Code compatibility for clients of the original function:
//
//   await Parse.Cloud.run('syncImpayes')            // master key, see below
//   await Parse.Cloud.run('syncImpayes', { dry_run: true })
//
// runs `SELECT impayes_sync()` on PostgreSQL and returns its jsonb result
// as-is, so callers see the same keys as before ({success, message,
// inserted, updated, skipped, total, failed, rejected, duration_ms,
// dry_run[, error, details]}). Like the original, a failure is returned
// ({success: false, message: "Erreur lors de la synchronisation", error,
// details}), not thrown; only a refused caller gets a Parse.Error.
//
// Environment (read at each call):
//   IMPAYES_SYNC_DATABASE_URL  postgres://user[:password]@host:port/dbname
//                              of the database that has the extension
//   IMPAYES_SYNC_ROLE          optional: users directly in this Parse role
//                              may call it too (default: master key only)
//   IMPAYES_SYNC_CONNECT_TIMEOUT_MS  optional, default 10000
//
// The PostgreSQL client is `pg`, which parse-server already depends on
// (through pg-promise): no new npm dependency. See README.md next to this file.
'use strict';
const path = require('path');
const { createRequire } = require('module');

const FAILURE_MESSAGE = 'Erreur lors de la synchronisation';
const FUNCTION_NAME = 'syncImpayes';

// `pg` from here, else from the app running Parse Server, else from where
// parse-server / pg-promise are installed (a nested node_modules).
function loadPg() {
  const tries = [() => require('pg')];
  if (require.main) {
    const fromMain = createRequire(require.main.filename);
    tries.push(() => fromMain('pg'));
    tries.push(() => createRequire(fromMain.resolve('pg-promise'))('pg'));
    tries.push(() => createRequire(fromMain.resolve('parse-server'))('pg'));
    tries.push(() => {
      const ps = path.dirname(fromMain.resolve('parse-server/package.json'));
      return createRequire(createRequire(path.join(ps, 'package.json')).resolve('pg-promise'))('pg');
    });
  }
  for (const t of tries) {
    try {
      return t();
    } catch (e) {
      if (e && e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return null;
}

// The secrets of the connection string, to blank them out of any message.
function secretsOf(url) {
  const out = [url];
  try {
    const u = new URL(url);
    if (u.password) out.push(u.password, decodeURIComponent(u.password));
  } catch { /* not a URL: the whole string is still blanked */ }
  const m = /[?&]password=([^&]*)/.exec(url);
  if (m && m[1]) out.push(m[1], decodeURIComponent(m[1]));
  return out.filter(s => s && s.length >= 1).sort((a, b) => b.length - a.length);
}

function scrub(text, secrets) {
  let s = String(text);
  for (const secret of secrets) s = s.split(secret).join('********');
  return s;
}

// Same keys as the extension's own failure result.
function failure(error, details, started, dryRun, secrets) {
  const clean = {};
  for (const [k, v] of Object.entries(details)) {
    if (v !== undefined && v !== null && v !== '') clean[k] = typeof v === 'string' ? scrub(v, secrets) : v;
  }
  return {
    success: false,
    message: FAILURE_MESSAGE,
    inserted: 0, updated: 0, skipped: 0, total: 0, failed: 0, rejected: 0,
    duration_ms: Date.now() - started,
    dry_run: dryRun,
    error: scrub(error, secrets),
    details: clean,
  };
}

// A PostgreSQL error (5-character SQLSTATE) or a socket/driver error.
function errorDetails(e, phase) {
  const code = e && typeof e.code === 'string' ? e.code : undefined;
  const sqlstate = code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  return {
    phase,
    sqlstate,
    detail: e && e.detail,
    hint: e && e.hint,
    transport_error: sqlstate ? undefined : code,
  };
}

async function checkCaller(request) {
  if (request.master) return;
  const role = (process.env.IMPAYES_SYNC_ROLE || '').trim();
  if (role && request.user) {
    const q = new Parse.Query(Parse.Role);
    q.equalTo('name', role);
    q.equalTo('users', request.user);
    if (await q.first({ useMasterKey: true })) return;
  }
  throw new Parse.Error(
    Parse.Error.OPERATION_FORBIDDEN,
    role ? `${FUNCTION_NAME} requires the master key or a user in the role "${role}"`
      : `${FUNCTION_NAME} requires the master key`);
}

async function syncImpayes(request) {
  await checkCaller(request);
  const started = Date.now();
  const params = request.params || {};
  if (params.dry_run !== undefined && typeof params.dry_run !== 'boolean') {
    throw new Parse.Error(Parse.Error.INVALID_VALUE, `${FUNCTION_NAME}: dry_run must be a boolean`);
  }
  const dryRun = params.dry_run === true;
  const url = (process.env.IMPAYES_SYNC_DATABASE_URL || '').trim();
  const secrets = url ? secretsOf(url) : [];
  if (!url) {
    return failure('IMPAYES_SYNC_DATABASE_URL is not set in the environment of Parse Server',
      { setting: 'IMPAYES_SYNC_DATABASE_URL', phase: 'connecting to PostgreSQL' }, started, dryRun, secrets);
  }
  const pg = loadPg();
  if (!pg) {
    return failure('the PostgreSQL client "pg" cannot be loaded (install parse-server\'s dependencies, or `npm install pg`)',
      { phase: 'connecting to PostgreSQL' }, started, dryRun, secrets);
  }
  const timeout = Number(process.env.IMPAYES_SYNC_CONNECT_TIMEOUT_MS || 10000);
  let client;
  try {
    client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: Number.isFinite(timeout) && timeout > 0 ? timeout : 10000,
      application_name: 'parse-cloud syncImpayes',
    });
  } catch (e) {
    return failure(`invalid IMPAYES_SYNC_DATABASE_URL: ${e && e.message}`,
      { setting: 'IMPAYES_SYNC_DATABASE_URL', phase: 'connecting to PostgreSQL' }, started, dryRun, secrets);
  }
  // An error event after connect (e.g. the server going away) must not
  // crash Parse Server; the pending query rejects anyway.
  client.on('error', () => {});
  try {
    try {
      await client.connect();
    } catch (e) {
      return failure(`connecting to PostgreSQL: ${e && e.message}`,
        errorDetails(e, 'connecting to PostgreSQL'), started, dryRun, secrets);
    }
    let res;
    try {
      res = dryRun
        ? await client.query('SELECT impayes_sync(dry_run => true) AS r')
        : await client.query('SELECT impayes_sync() AS r');
    } catch (e) {
      return failure(`calling impayes_sync(): ${e && e.message}`,
        errorDetails(e, 'calling impayes_sync()'), started, dryRun, secrets);
    }
    const r = res.rows[0] && res.rows[0].r;
    if (!r || typeof r !== 'object') {
      return failure('impayes_sync() returned no result', { phase: 'calling impayes_sync()' },
        started, dryRun, secrets);
    }
    return r; // jsonb arrives parsed: the extension's own object, untouched
  } finally {
    await client.end().catch(() => {});
  }
}

Parse.Cloud.define(FUNCTION_NAME, syncImpayes);

module.exports = { syncImpayes, secretsOf, scrub };
