// latency.js: the continuous-sync latency driver (bench/latency.sh runs it).
//   node bench/latency.js --mode watch|loop --seconds 60 --rate 5 --idle 10 --single 5
// Commits a steady stream of changes to bench.factures (payments closing an
// invoice, part-payments, new invoices, client renames), polls Parse for each
// one and prints one JSON object: commit -> visible latencies, runs, CPU.
// mode watch: the impayes_sync.watch worker syncs; mode loop: this driver
// calls SELECT impayes_sync() every second itself (the baseline).
// Env: the harness's (PGPORT, IMPAYES_PARSE_URL, IMPAYES_APP_ID,
// IMPAYES_MASTER_KEY_FILE, IMPAYES_STATE) and PG_MODULE (path of "pg").
'use strict';
const fs = require('fs');
const { Client } = require(process.env.PG_MODULE);

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const mode = args.mode || 'watch';
const seconds = Number(args.seconds || 60);
const rate = Number(args.rate || 5);
const idleSeconds = Number(args.idle || 10);
const singles = Number(args.single || 5);
const url = process.env.IMPAYES_PARSE_URL.replace(/\/+$/, '');
const headers = {
  'X-Parse-Application-Id': process.env.IMPAYES_APP_ID,
  'X-Parse-Master-Key': fs.readFileSync(process.env.IMPAYES_MASTER_KEY_FILE, 'utf8').trim(),
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pgConf = { host: `${process.env.IMPAYES_STATE}/sock`, port: Number(process.env.PGPORT), user: 'postgres', database: 'bench' };
const ticks = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime, 1/100 s
  } catch (e) {
    return NaN;
  }
};

async function parseFind(keys) {
  const where = JSON.stringify({ numero_facture: { $in: keys } });
  const q = new URLSearchParams({ where, keys: 'numero_facture,montant_regle,client_nom', limit: '1000' });
  const r = await fetch(`${url}/classes/Impayes?${q}`, { headers });
  if (!r.ok) throw new Error(`Parse HTTP ${r.status}`);
  const m = new Map();
  for (const o of (await r.json()).results) m.set(o.numero_facture, o);
  return m;
}

// One change, committed; returns { key, check(obj|undefined) -> bool, kind }.
let nextNew = 0; // set from the table: the two modes run one after the other
async function change(db, kind, pool) {
  if (kind === 'close') {
    const key = pool.pop();
    await db.query('UPDATE bench.factures SET payee = true, modifie_le = now() WHERE numero_facture = $1', [key]);
    return { key, kind, check: (o) => o === undefined };
  }
  if (kind === 'part') {
    const key = pool.pop();
    const r = await db.query(
      'UPDATE bench.factures SET montant_regle = montant_regle + 1.5, modifie_le = now() WHERE numero_facture = $1 RETURNING montant_regle', [key]);
    const want = Number(r.rows[0].montant_regle);
    pool.unshift(key); // may be changed again later
    return { key, kind, check: (o) => o !== undefined && Number(o.montant_regle) === want };
  }
  if (kind === 'new') {
    const n = nextNew++;
    await db.query('SELECT bench.add_invoices(2026, $1, 1, false)', [n]);
    const key = `FAC-2026-${String(n).padStart(7, '0')}`;
    pool.unshift(key);
    return { key, kind, check: (o) => o !== undefined };
  }
  // rename: every unpaid invoice of one client; watched through one of them
  const key = pool[Math.floor(pool.length / 2)];
  const name = `Client renommé ${Date.now()}`;
  await db.query(
    'UPDATE bench.factures SET client_nom = $1, modifie_le = now() WHERE client_code = (SELECT client_code FROM bench.factures WHERE numero_facture = $2) AND NOT payee',
    [name, key]);
  return { key, kind, check: (o) => o !== undefined && o.client_nom === name };
}

// Polls Parse for the pending changes every 50 ms; fills latencies.
function startPoller(pending, done) {
  let stop = false;
  const loop = (async () => {
    while (!stop || pending.size > 0) {
      const keys = [...new Set([...pending.values()].map((c) => c.key))].slice(0, 200);
      if (keys.length > 0) {
        let found;
        try {
          found = await parseFind(keys);
        } catch (e) {
          await sleep(50);
          continue;
        }
        const now = Date.now();
        for (const [id, c] of pending) {
          if (c.check(found.get(c.key))) {
            done.push({ kind: c.kind, ms: now - c.committed });
            pending.delete(id);
          } else if (now - c.committed > 30000) {
            done.push({ kind: c.kind, ms: null }); // missed
            pending.delete(id);
          }
        }
      }
      await sleep(50);
    }
  })();
  return { stop: async () => { stop = true; await loop; } };
}

function stats(list) {
  const ms = list.filter((x) => x.ms !== null).map((x) => x.ms).sort((a, b) => a - b);
  const p = (q) => (ms.length ? ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)] : null);
  return { n: list.length, missed: list.length - ms.length, p50: p(0.5), p95: p(0.95), p99: p(0.99), max: ms.length ? ms[ms.length - 1] : null };
}

async function runsCount(db) {
  return Number((await db.query('SELECT count(*) FROM impayes_sync.runs')).rows[0].count);
}

async function main() {
  const db = new Client(pgConf);
  await db.connect();
  nextNew = Number((await db.query(
    "SELECT coalesce(max(right(numero_facture, 7)::int), 0) + 1 AS n FROM bench.factures WHERE numero_facture LIKE 'FAC-2026-%'")).rows[0].n);
  const pool = (await db.query('SELECT numero_facture FROM bench.factures WHERE NOT payee ORDER BY random()')).rows.map((r) => r.numero_facture);
  let syncPid;
  let loopStop = false;
  let loopDone;
  if (mode === 'watch') {
    syncPid = Number((await db.query("SELECT pid FROM pg_stat_activity WHERE backend_type = 'impayes_sync watch'")).rows[0].pid);
  } else {
    const caller = new Client(pgConf);
    await caller.connect();
    syncPid = Number((await caller.query('SELECT pg_backend_pid() AS p')).rows[0].p);
    loopDone = (async () => {
      while (!loopStop) {
        const t = Date.now();
        await caller.query('SELECT impayes_sync()');
        const left = 1000 - (Date.now() - t);
        if (left > 0) await sleep(left);
      }
      await caller.end();
    })();
  }
  const out = { mode, seconds, rate };

  // Idle: no change at all.
  let r0 = await runsCount(db);
  let c0 = ticks(syncPid);
  await sleep(idleSeconds * 1000);
  out.idle = { seconds: idleSeconds, runs: (await runsCount(db)) - r0, cpu_per_s: (ticks(syncPid) - c0) / 100 / idleSeconds };

  // Single changes on an idle system, one at a time.
  const single = [];
  for (let i = 0; i < singles; i++) {
    const pending = new Map();
    const poller = startPoller(pending, single);
    const c = await change(db, 'part', pool);
    c.committed = Date.now();
    pending.set(i, c);
    await poller.stop();
    await sleep(1500); // let the system go idle again
  }
  out.single = stats(single);

  // The stream: `rate` changes a second for `seconds`.
  const kinds = ['close', 'part', 'new', 'rename'];
  const done = [];
  const pending = new Map();
  const poller = startPoller(pending, done);
  r0 = await runsCount(db);
  c0 = ticks(syncPid);
  const t0 = Date.now();
  const total = seconds * rate;
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / rate;
    if (at > Date.now()) await sleep(at - Date.now());
    const c = await change(db, kinds[i % kinds.length], pool);
    c.committed = Date.now();
    pending.set(`s${i}`, c);
  }
  const wall = (Date.now() - t0) / 1000;
  const cpu = (ticks(syncPid) - c0) / 100;
  await poller.stop();
  out.stream = { ...stats(done), runs: (await runsCount(db)) - r0, wall_s: wall, cpu_s: cpu, cpu_per_s: cpu / wall };
  out.stream.by_kind = Object.fromEntries(kinds.map((k) => [k, stats(done.filter((d) => d.kind === k))]));
  loopStop = true;
  if (loopDone) await loopDone;
  await db.end();
  console.log(JSON.stringify(out));
}

main().catch((e) => { console.error(e); process.exit(1); });
