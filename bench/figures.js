#!/usr/bin/env node
// figures.js RESULTS.jsonl DIR: the tables bench/figures.gp draws, from the
// raw numbers bench/run.sh collected: DIR/time.dat (wall time per scenario
// and the source floor, s), DIR/memory.dat (peak private memory growth per
// scenario, MB of 10^6 bytes: the measure of the target) and DIR/xtics.gp
// (a tic at each N that was run).
'use strict';
const fs = require('fs');
const path = require('path');

const [file, dir] = process.argv.slice(2);
const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
const sizes = [...new Set(rows.filter(r => r.kind === 'env').map(r => r.n))].sort((a, b) => a - b);
const LABELS = { S1: 'S1 first sync', S2: 'S2 nothing changed', F: 'F full reconciliation',
                 S3: 'S3 1% changed', S4: 'S4 1% paid, delete' };
const at = (kind, n, label) => rows.find(r => r.kind === kind && r.n === n && (!label || r.label === label));
const cell = v => (v == null || !Number.isFinite(v) ? 'NaN' : String(Number(v.toPrecision(6))));
const privGrowth = s => (Math.max(s.rss_anon_max_kb || 0, s.anon_kb) - s.anon0_kb) * 1024; // as report.js
const table = (head, line) => [head.map(h => `"${h}"`).join(' '), ...sizes.map(line)].join('\n') + '\n';

fs.writeFileSync(path.join(dir, 'time.dat'), table(['N', ...Object.values(LABELS), 'source floor'], n =>
  [n, ...Object.keys(LABELS).map(l => at('scenario', n, l)?.wall_ms / 1000), at('floor', n)?.ms / 1000]
    .map(cell).join(' ')));
fs.writeFileSync(path.join(dir, 'memory.dat'), table(['N', ...Object.values(LABELS)], n =>
  [n, ...Object.keys(LABELS).map(l => { const s = at('scenario', n, l); return s && privGrowth(s) / 1e6; })]
    .map(cell).join(' ')));
const short = n => (n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n));
fs.writeFileSync(path.join(dir, 'xtics.gp'),
  `set xtics (${sizes.map(n => `"${short(n)}" ${n}`).join(', ')})\n` +
  `set xrange [${sizes[0] / 1.6}:${sizes[sizes.length - 1] * 1.6}]\n`);
