#!/usr/bin/env node
// ceiling.js: the simplest fast Parse REST client, node built-ins only: the
// references the extension is measured against. Prints one JSON line.
//   write --objects F.jsonl --class C [--sample 8000] [--parse-pid P]
//         sweeps /batch size x concurrency on a sample (a fresh class each,
//         two passes, best of both), then posts all objects at the best
//         setting into fresh classes C and C_2: the faster of the two
//   read  --class C --keys a,b,c [--repeat 3] [--parse-pid P]
//         keyset paging of the whole class: limit=1000, order=objectId
//   rtt   --class C      one small request (GET /schemas/C), new connection
// With --parse-pid, the CPU time Parse Server used in the timed run(s).
// Connection: IMPAYES_PARSE_URL, IMPAYES_APP_ID, IMPAYES_MASTER_KEY_FILE.
'use strict';
const fs = require('fs');
const http = require('http');

const [mode, ...argv] = process.argv.slice(2);
const opt = {};
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
const base = new URL(process.env.IMPAYES_PARSE_URL);
const mount = base.pathname.replace(/\/+$/, '');
const headers = {
  'X-Parse-Application-Id': process.env.IMPAYES_APP_ID,
  'X-Parse-Master-Key': fs.readFileSync(process.env.IMPAYES_MASTER_KEY_FILE, 'utf8').trim(),
  'Content-Type': 'application/json',
};
const BATCHES = [100, 250, 500, 1000];
const CONCURRENCY = [1, 2, 4, 8];

function request(agent, method, path, body) {
  return new Promise((resolve, reject) => {
    const h = body ? { ...headers, 'Content-Length': body.length } : headers;
    const req = http.request({ host: base.hostname, port: base.port, method, path: mount + path, headers: h, agent },
      res => {
        const chunks = [];
        res.on('data', c => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      });
    req.on('error', reject);
    req.end(body);
  });
}
async function must(agent, method, path, body) {
  const r = await request(agent, method, path, body && Buffer.from(JSON.stringify(body)));
  if (r.status !== 200 && r.status !== 201) throw new Error(`${method} ${path}: HTTP ${r.status} ${r.body}`);
  return JSON.parse(r.body);
}
const ms = t0 => Number(process.hrtime.bigint() - t0) / 1e6;
// Progress on stderr (the JSON result is stdout's only line).
const say = s => process.stderr.write(`   ceiling.js ${mode}: ${s}\n`);
const int = x => Math.round(x).toLocaleString('en-US');
// CPU seconds (user + system) of a process, and of this one.
const cpuOf = pid => {
  if (!pid) return 0;
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in USER_HZ ticks
};
const selfCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const cpuSpan = () => {
  const p0 = cpuOf(opt['parse-pid']), c0 = selfCpu();
  return () => ({ parse_cpu_s: Number((cpuOf(opt['parse-pid']) - p0).toFixed(2)),
                  client_cpu_s: Number((selfCpu() - c0).toFixed(2)) });
};

// Parse type of a wire value.
function typeOf(v) {
  if (typeof v === 'string') return 'String';
  if (typeof v === 'number') return 'Number';
  if (typeof v === 'boolean') return 'Boolean';
  if (Array.isArray(v)) return 'Array';
  return v.__type === 'Date' ? 'Date' : 'Object';
}

// A fresh class with typed fields, master key only (as the extension makes it).
async function createClass(agent, name, fields) {
  const clp = {};
  for (const op of ['find', 'count', 'get', 'create', 'update', 'delete', 'addField']) clp[op] = {};
  await must(agent, 'POST', `/schemas/${name}`, { className: name, fields, classLevelPermissions: clp });
}

// Posts the objects as /batch bodies of `size`, `conc` requests in flight.
async function post(objects, cls, size, conc, fields) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  await createClass(agent, cls, fields);
  const prefix = `{"method":"POST","path":"${mount}/classes/${cls}","body":`;
  const bodies = [];
  for (let i = 0; i < objects.length; i += size)
    bodies.push(Buffer.from(`{"requests":[${objects.slice(i, i + size).map(o => prefix + o + '}').join(',')}]}`));
  let next = 0, bytes = 0, received = 0;
  const cpu = cpuSpan();
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: conc }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const r = await request(agent, 'POST', '/batch', body);
      bytes += body.length;
      received += r.body.length;
      const items = r.status === 200 ? JSON.parse(r.body) : null;
      const bad = items ? items.filter(x => x.error) : [];
      if (!items || bad.length) throw new Error(`/batch: HTTP ${r.status} ${JSON.stringify(bad[0] || String(r.body))}`);
    }
  }));
  const t = ms(t0);
  agent.destroy();
  return { batch: size, conc, objects: objects.length, ms: Math.round(t), per_s: Math.round(objects.length / t * 1000),
           requests: bodies.length, bytes, bytes_received: received, ...cpu() };
}

async function write() {
  const objects = fs.readFileSync(opt.objects, 'utf8').split('\n').filter(Boolean)
    .map(l => JSON.stringify(JSON.parse(l)));
  const fields = {};
  for (const o of objects)
    for (const [k, v] of Object.entries(JSON.parse(o))) if (!fields[k]) fields[k] = { type: typeOf(v) };
  const sample = objects.slice(0, Math.min(objects.length, Number(opt.sample || 8000)));
  await post(sample.slice(0, 2000), `${opt.class}_warmup`, 500, 2, fields); // JIT and caches
  const combos = BATCHES.flatMap(size => CONCURRENCY.map(conc => [size, conc]));
  const sweep = new Map();
  for (const pass of [1, 2]) { // the second pass in reverse order; keep the better
    for (const [size, conc] of pass === 1 ? combos : [...combos].reverse()) {
      const r = await post(sample, `${opt.class}_s${size}_${conc}_${pass}`, size, conc, fields);
      if (!sweep.has(`${size}/${conc}`) || r.per_s > sweep.get(`${size}/${conc}`).per_s) sweep.set(`${size}/${conc}`, r);
    }
    say(`sweep pass ${pass} of 2 done (${combos.length} settings x ${int(sample.length)} objects)`);
  }
  const best = [...sweep.values()].reduce((a, b) => (b.per_s > a.per_s ? b : a));
  const runs = [];
  for (const suffix of ['', '_2']) {
    runs.push(await post(objects, opt.class + suffix, best.batch, best.conc, fields));
    say(`${int(objects.length)} objects at batch ${best.batch} x ${best.conc}: ${int(runs[runs.length - 1].per_s)}/s`);
  }
  const full = runs.reduce((a, b) => (b.per_s > a.per_s ? b : a));
  return { ...full, runs: runs.map(r => r.ms), sweep: [...sweep.values()].map(s => [s.batch, s.conc, s.per_s]) };
}

async function read() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const runs = [];
  let objects = 0, requests = 0, bytes = 0, best = null;
  for (let rep = 0; rep < Number(opt.repeat || 3); rep++) {
    objects = requests = bytes = 0;
    let last = null;
    const cpu = cpuSpan();
    const t0 = process.hrtime.bigint();
    for (;;) {
      const q = new URLSearchParams({ limit: '1000', order: 'objectId', keys: opt.keys });
      if (last) q.set('where', JSON.stringify({ objectId: { $gt: last } }));
      const r = await request(agent, 'GET', `/classes/${opt.class}?${q}`);
      if (r.status !== 200) throw new Error(`GET /classes/${opt.class}: HTTP ${r.status} ${r.body}`);
      requests++;
      bytes += r.body.length;
      const page = JSON.parse(r.body).results;
      objects += page.length;
      if (page.length < 1000) break;
      last = page[page.length - 1].objectId;
    }
    const run = { ms: Math.round(ms(t0)), ...cpu() };
    say(`pass ${rep + 1}: ${int(objects)} objects in ${(run.ms / 1000).toFixed(1)} s`);
    if (!best || run.ms < best.ms) best = run;
    runs.push(run.ms);
  }
  agent.destroy();
  return { objects, ...best, per_s: Math.round(objects / best.ms * 1000), requests, bytes_received: bytes, runs };
}

async function rtt() {
  const times = [];
  for (let i = 0; i < 21; i++) {
    const agent = new http.Agent({ keepAlive: false });
    const t0 = process.hrtime.bigint();
    const r = await request(agent, 'GET', `/schemas/${opt.class}`);
    if (r.status !== 200) throw new Error(`GET /schemas/${opt.class}: HTTP ${r.status}`);
    times.push(ms(t0));
  }
  times.sort((a, b) => a - b);
  return { ms: Number(times[10].toFixed(2)) };
}

const modes = { write, read, rtt };
if (!modes[mode]) {
  process.stderr.write('usage: ceiling.js write|read|rtt --class C ...\n');
  process.exit(2);
}
modes[mode]().then(r => console.log(JSON.stringify({ kind: `ceiling_${mode}`, ...r })), e => {
  process.stderr.write(`ceiling.js ${mode}: ${e.stack || e}\n`);
  process.exit(1);
});
