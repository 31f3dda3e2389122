#!/usr/bin/env node
// rss-sampler.js --pid-file F --out F [--label L] [--interval 50] [--every 30]
// The peak private memory of one backend during its impayes_sync() call:
// waits for the pid bench/scenario.sql writes to --pid-file just before the
// call, then reads RssAnon (private pages: palloc, malloc) and RssShmem (the
// shared buffers it maps, not its own) from /proc/<pid>/status every
// --interval ms until the backend exits or this process gets SIGTERM, and
// writes one JSON object to --out. A sampled peak, not VmHWM: VmHWM counts
// the shared buffers the backend touches and never goes down.
// Every --every s a progress line on stderr: elapsed time, RssAnon, and the
// run's row of impayes_sync.progress when the view exists (psql, PG* env).
'use strict';
const fs = require('fs');
const { execFile } = require('child_process');

const opt = { interval: '50', every: '30', label: 'scenario' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
if (!opt['pid-file'] || !opt.out) {
  process.stderr.write('usage: rss-sampler.js --pid-file F --out F [--label L] [--interval MS] [--every S]\n');
  process.exit(2);
}
const interval = Number(opt.interval);
const PID_WAIT_MS = 15 * 60 * 1000; // the warm-up COPY of a large source comes first

const peak = { rss_anon_max_kb: null, rss_shmem_max_kb: null, rss_samples: 0, rss_interval_ms: interval };
let pid = null, t0 = null, timer = null, progressOff = false, lastAnon = null;

function finish() {
  clearInterval(timer);
  peak.rss_sampled_ms = t0 ? Date.now() - t0 : 0;
  fs.writeFileSync(opt.out, JSON.stringify(peak) + '\n');
  process.exit(0);
}
process.on('SIGTERM', finish);

const kb = (status, field) => {
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
};
function sample() {
  let status;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (e) {
    return finish(); // the backend has exited: the call is over
  }
  const anon = kb(status, 'RssAnon'), shmem = kb(status, 'RssShmem');
  if (anon == null) return;
  lastAnon = anon;
  peak.rss_anon_max_kb = Math.max(peak.rss_anon_max_kb || 0, anon);
  peak.rss_shmem_max_kb = Math.max(peak.rss_shmem_max_kb || 0, shmem || 0);
  peak.rss_samples++;
}

// The run's progress row, if this version of the extension has the view.
function progress() {
  const mb = k => `${(k / 1000).toFixed(1)} MB`;
  const head = `   ${opt.label}: ${Math.round((Date.now() - t0) / 1000)} s, backend RssAnon ${mb(lastAnon || 0)} (peak ${mb(peak.rss_anon_max_kb || 0)})`;
  if (progressOff) return process.stderr.write(head + '\n');
  const sql = `SELECT row_to_json(p) FROM impayes_sync.progress p WHERE p.pid OPERATOR(pg_catalog.=) ${pid}`;
  execFile('psql', ['-X', '-q', '-At', '-c', sql], { timeout: 10000 }, (err, out) => {
    if (err) progressOff = true; // no such view (an older version): memory only
    process.stderr.write(head + (err || !out.trim() ? '' : `; ${out.trim()}`) + '\n');
  });
}

function start(p) {
  pid = p;
  t0 = Date.now();
  sample();
  timer = setInterval(sample, interval);
  setInterval(progress, Number(opt.every) * 1000).unref();
}

// Waits for "<digits>\n": psql creates the file before it writes the pid.
const waitStart = Date.now();
(function waitPid() {
  let text = '';
  try {
    text = fs.readFileSync(opt['pid-file'], 'utf8');
  } catch (e) { /* not yet */ }
  const m = text.match(/^(\d+)\n/);
  if (m) return start(Number(m[1]));
  if (Date.now() - waitStart > PID_WAIT_MS) {
    process.stderr.write(`rss-sampler: no pid in ${opt['pid-file']} after ${PID_WAIT_MS / 1000} s\n`);
    return finish();
  }
  setTimeout(waitPid, 10); // poll interval of a bounded wait
})();
