#!/usr/bin/env node
// report-fleet.js RESULTS.jsonl > section.md: the "Scaling out" section of
// bench/RESULTS.md, from the numbers bench/fleet.sh collected.
'use strict';
const fs = require('fs');

const rows = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
const meta = rows.find(r => r.kind === 'meta');
const end = rows.find(r => r.kind === 'end') || {};
const runs = rows.filter(r => r.kind === 'scenario');
const int = x => Math.round(x).toLocaleString('en-US');
const rate = r => r.result.inserted / r.wall_ms * 1000;
const cpu = c => (c == null ? 'n/a' : Number(c).toFixed(1));
// The faster of a configuration's runs (the rounds ran in opposite orders).
const configs = [...new Set(runs.map(r => `${r.instances} ${r.parallel}`))].sort();
const best = key => runs.filter(r => `${r.instances} ${r.parallel}` === key).reduce((a, b) => (rate(b) > rate(a) ? b : a));

const out = [];
const p = s => out.push(s);
p('<!-- fleet -->');
p('## Scaling out: one Parse Server or two behind HAProxy');
p('');
p(`Produced by \`bash bench/fleet.sh ${meta.n}\` on ${meta.date}: S1 (first sync of ${int(meta.n)} invoices ` +
  `into an empty class, the benchmark's 17-column source) in the same run through HAProxy ${meta.haproxy} to ` +
  `one Parse Server ${meta.parse}, and round-robin to two instances of it on the same Parse database ` +
  '(`databaseOptions.enableSchemaHooks`), each run into a class of its own, each configuration twice ' +
  `(the second round in reverse order). PostgreSQL (the source and Parse's database), both Parse Servers, ` +
  `HAProxy and the extension share ${meta.cores} cores with whatever else runs on the machine ` +
  `(load average before → after: ${meta.load} → ${end.load}).`);
p('');
p('| instances | `parallel_requests` (per instance) | wall time, each round | objects/s (best) | vs one instance, same `parallel_requests` | CPU s of the best: Parse a / b / Parse\'s database backends |');
p('|---|---|---|---|---|---|');
for (const key of configs) {
  const [instances, parallel] = key.split(' ').map(Number);
  const r = best(key);
  const ref = instances === 1 ? null : best(`1 ${parallel}`);
  const all = runs.filter(x => `${x.instances} ${x.parallel}` === key);
  const ok = all.every(x => x.result.success && x.result.inserted === meta.n);
  p(`| ${instances} | ${parallel} (${parallel / instances}) | ${all.map(x => `${(x.wall_ms / 1000).toFixed(1)} s`).join(', ')}` +
    `${ok ? '' : ' **(not all inserted)**'} | ${int(rate(r))} | ${ref ? `**${(rate(r) / rate(ref)).toFixed(2)}×**` : '1.00×'} | ` +
    `${cpu(r.cpu_a_s)} / ${cpu(r.cpu_b_s)} / ${cpu(r.cpu_db_s)} |`);
}
const top = n => Math.max(...runs.filter(r => r.instances === n).map(rate));
p('');
p(`Best of each: two instances ${int(top(2))}/s, one ${int(top(1))}/s: ratio **${(top(2) / top(1)).toFixed(2)}×**.`);
p('<!-- /fleet -->');
process.stdout.write(out.join('\n') + '\n');
