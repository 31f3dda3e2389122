// What a soak round acts with: the session that calls impayes_sync(), a
// control session that watches and signals it, the fault proxy's mode file
// and log, and the harness scripts that kill and restart Parse Server.
// Every wait is bounded polling of a real condition.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFile } = require('child_process');

const POLL_MS = 50; // polling interval, not a synchronisation

const delay = ms => new Promise(r => setTimeout(r, ms));

async function waitFor(what, ms, cond) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000}s waiting for ${what}`);
    await delay(POLL_MS);
  }
}

function makeContext({ pg, env, dbName, className, sourceTable, lateBatch, log }) {
  const connInfo = { host: '127.0.0.1', port: Number(env.PGPORT), user: 'postgres', database: dbName };
  let control = null;
  let sync = null; // { client, pid, dead }
  let settled = true;

  async function connectControl() {
    control = new pg.Client({ ...connInfo, application_name: 'soak_control' });
    control.on('error', () => {});
    await control.connect();
  }

  async function connectSync() {
    // Startup options, so that RESET after a run comes back to them.
    const base = { parse_url: env.IMPAYES_PROXY_URL, class_name: className, source: sourceTable };
    const options = Object.entries(base).map(([k, v]) => `-c impayes_sync.${k}=${v.replace(/[\\ ]/g, '\\$&')}`).join(' ');
    const client = new pg.Client({ ...connInfo, application_name: 'soak_sync', options });
    const s = { client, pid: null, dead: false };
    client.on('error', () => { s.dead = true; });
    client.on('end', () => { s.dead = true; });
    await client.connect();
    s.pid = (await client.query('SELECT pg_catalog.pg_backend_pid() AS pid')).rows[0].pid;
    sync = s;
  }

  async function ensureSync() {
    if (!sync || sync.dead) await connectSync();
  }

  // SETs for one run; statement_timeout is a PostgreSQL setting, the others
  // impayes_sync's.
  const settingName = k => (k === 'statement_timeout' ? k : `impayes_sync.${k}`);

  // One call of impayes_sync(); resolves to an outcome, never rejects:
  // { kind: 'result', result } | { kind: 'error', code, message }.
  async function run(opts) {
    settled = false; // before any await: runAndAct looks at it at once
    try {
      await ensureSync();
      const c = sync.client;
      const names = Object.keys(opts.settings || {});
      for (const k of names) await c.query('SELECT pg_catalog.set_config($1, $2, false)', [settingName(k), String(opts.settings[k])]);
      if (opts.rollback) await c.query('BEGIN');
      let outcome;
      try {
        const r = await c.query('SELECT impayes_sync($1, $2)::text AS r', [Boolean(opts.dry_run), Boolean(opts.full)]);
        outcome = { kind: 'result', result: JSON.parse(r.rows[0].r) };
      } catch (e) {
        outcome = { kind: 'error', code: e.code || 'none', message: e.message };
        if (e.code === '57P01' || !e.code) sync.dead = true; // terminated, or the connection is gone
      }
      if (!sync.dead) {
        if (opts.rollback) await c.query('ROLLBACK').catch(() => {});
        for (const k of names) await c.query(`RESET ${settingName(k)}`).catch(() => {});
      }
      return outcome;
    } finally {
      settled = true;
    }
  }

  // Starts a run, waits (bounded) until cond() or the run ended, then calls
  // act() if the run is still going. The run must end within 30 s after.
  async function runAndAct(opts, cond, act) {
    const p = run(opts);
    let acted = null;
    try {
      await waitFor('the run to reach the fault', 20000, async () => settled || cond());
    } catch (e) {
      await p.catch(() => {});
      throw e;
    }
    let actDone = Promise.resolve();
    if (!settled) {
      acted = true;
      actDone = act();
    }
    const outcome = await Promise.race([p, delay(30000).then(() => null)]);
    await actDone;
    if (outcome === null) {
      await control.query('SELECT pg_catalog.pg_terminate_backend($1, 10000)', [sync.pid]);
      return { kind: 'hang', message: 'impayes_sync() still running 30 s after the fault (terminated)' };
    }
    return { ...outcome, fired: Boolean(acted) };
  }

  function runAndSignal(opts, cond, signal) {
    return runAndAct(opts, cond, async () => {
      const fn = signal === 'cancel' ? 'pg_catalog.pg_cancel_backend($1)' : 'pg_catalog.pg_terminate_backend($1, 10000)';
      await control.query(`SELECT ${fn}`, [sync.pid]);
    });
  }

  async function syncWaitEvent() {
    if (!sync || sync.dead || !sync.pid) return null;
    const r = await control.query(
      "SELECT wait_event FROM pg_catalog.pg_stat_get_activity($1) WHERE state OPERATOR(pg_catalog.=) 'active'", [sync.pid]);
    return r.rows.length ? r.rows[0].wait_event : null;
  }

  // The fault proxy: mode file and log (lines counted after a byte mark).
  const proxyLog = path.join(env.IMPAYES_STATE, 'proxy.log');
  const proxy = {
    async set(mode) { fs.writeFileSync(env.IMPAYES_PROXY_MODE_FILE, `${mode}\n`); },
    mark() { return fs.statSync(proxyLog).size; },
    count(mark, re) {
      const fd = fs.openSync(proxyLog, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buf = Buffer.alloc(Math.max(0, size - mark));
        fs.readSync(fd, buf, 0, buf.length, mark);
        return buf.toString('utf8').split('\n').filter(l => re.test(l)).length;
      } finally {
        fs.closeSync(fd);
      }
    },
  };

  const script = name => new Promise((resolve, reject) => {
    execFile('bash', [path.join(env.IMPAYES_REPO, 'test/harness', name), env.IMPAYES_STATE], { timeout: 120000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${name}: ${err.message} ${stderr}`)) : resolve(stdout.trim())));
  });
  const harness = { kill: () => script('kill-parse.sh'), restart: () => script('restart-parse.sh') };

  return {
    connectControl, ensureSync, run, runAndAct, runAndSignal, syncWaitEvent, proxy, harness, waitFor, sourceTable,
    lateBatch, log, control: () => control,
    async close() {
      for (const c of [sync && sync.client, control]) if (c) await c.end().catch(() => {});
    },
  };
}

module.exports = { makeContext, waitFor };
