#!/usr/bin/env node
// rss-sampler.js --pid-file F --out F [--label L] [--interval 50] [--every 30] -- CMD ARG...
// Runs CMD (psql -f bench/scenario.sql: its stdout is ours) and samples the
// private memory of the backend running its impayes_sync() call: waits for
// the pid scenario.sql writes to --pid-file just before the call, then reads
// RssAnon (private pages: palloc, malloc) from /proc/<pid>/status every
// --interval ms until CMD ends, and writes one JSON object to --out (the
// peak, the sample count). Sampled because VmHWM, the kernel's own peak,
// also counts the shared buffers and library pages the backend maps.
// Being the parent of CMD, the sampler is running before the call starts.
// Every --every s a progress line on stderr: elapsed time, RssAnon, and the
// run's row of impayes_sync.progress when the view exists (psql, PG* env).
// Exits with CMD's status.
'use strict';
const fs = require('fs');
const { spawn, execFile } = require('child_process');

const opt = { interval: '50', every: '30', label: 'scenario' };
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const cmd = sep < 0 ? [] : argv.slice(sep + 1);
for (let i = 0; i < (sep < 0 ? argv.length : sep); i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
if (!opt['pid-file'] || !opt.out || !cmd.length) {
  process.stderr.write('usage: rss-sampler.js --pid-file F --out F [--label L] [--interval MS] [--every S] -- CMD ARG...\n');
  process.exit(2);
}
const interval = Number(opt.interval);

const peak = { rss_anon_max_kb: null, rss_samples: 0, rss_interval_ms: interval };
let pid = null, t0 = null, sampler = null, progressOff = false, lastAnon = null, done = false;

const kb = (status, field) => {
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
};
function sample() {
  let status;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (e) {
    clearInterval(sampler); // the backend has exited: the call is over
    return;
  }
  const anon = kb(status, 'RssAnon');
  if (anon == null) return;
  lastAnon = anon;
  peak.rss_anon_max_kb = Math.max(peak.rss_anon_max_kb || 0, anon);
  peak.rss_samples++;
}

// A row of impayes_sync.progress in a few words (the columns it has).
function describe(row) {
  const int = v => Math.round(v).toLocaleString('en-US');
  const parts = [row.phase];
  if (row.rows_read) parts.push(`${int(row.rows_read)} rows read`);
  if (row.objects_read) parts.push(`${int(row.objects_read)} objects read`);
  if (row.objects_to_write) parts.push(`${int(row.objects_written || 0)} of ${int(row.objects_to_write)} written`);
  if (row.objects_failed) parts.push(`${int(row.objects_failed)} failed`);
  if (row.rate) parts.push(`${int(row.rate)}/s`);
  if (row.eta) parts.push(`ETA ${row.eta}`);
  return parts.join(', ');
}

// The run's progress row, if this version of the extension has the view.
function progress() {
  const mb = k => `${(k * 1024 / 1e6).toFixed(1)} MB`;
  const head = `   ${opt.label}: ${Math.round((Date.now() - t0) / 1000)} s, backend RssAnon ${mb(lastAnon || 0)} ` +
               `(peak ${mb(peak.rss_anon_max_kb || 0)})`;
  if (progressOff) return process.stderr.write(head + '\n');
  const sql = `SELECT row_to_json(p) FROM impayes_sync.progress p WHERE p.pid OPERATOR(pg_catalog.=) ${pid}`;
  execFile('psql', ['-X', '-q', '-At', '-c', sql], { timeout: 10000 }, (err, out) => {
    if (err) progressOff = true; // no such view (an older version): memory only
    let row = null;
    try {
      row = err || !out.trim() ? null : JSON.parse(out);
    } catch (e) { /* not one row: memory only */ }
    process.stderr.write(head + (row ? `; ${describe(row)}` : '') + '\n');
  });
}

// Waits for "<digits>\n" (psql creates the file before it writes the pid).
function waitPid() {
  if (done) return;
  let text = '';
  try {
    text = fs.readFileSync(opt['pid-file'], 'utf8');
  } catch (e) { /* not yet */ }
  const m = text.match(/^(\d+)\n/);
  if (!m) return void setTimeout(waitPid, 5); // poll interval; bounded by CMD's end
  pid = Number(m[1]);
  t0 = Date.now();
  sample();
  sampler = setInterval(sample, interval);
  setInterval(progress, Number(opt.every) * 1000).unref();
}

const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit' });
const forward = sig => process.on(sig, () => child.kill(sig));
forward('SIGTERM');
forward('SIGINT');
child.on('error', e => {
  process.stderr.write(`rss-sampler: ${cmd[0]}: ${e.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  done = true;
  if (pid != null) sample(); // the backend may still be there: one last reading
  clearInterval(sampler);
  peak.rss_sampled_ms = t0 ? Date.now() - t0 : 0;
  fs.writeFileSync(opt.out, JSON.stringify(peak) + '\n');
  process.exit(code == null ? 128 + (signal === 'SIGKILL' ? 9 : 15) : code);
});
waitPid();
