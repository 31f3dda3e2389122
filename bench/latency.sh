#!/usr/bin/env bash
# latency.sh [N] [SECONDS]: the continuous-sync latency benchmark (issue 10),
# as root. Default N = 100000 unpaid invoices, SECONDS = 60 of 5 changes/s.
# A throwaway harness (test/harness/start.sh), the benchmark's source
# (bench/generate.sql) loaded into Parse once, then bench/latency.js twice on
# the same table: with the impayes_sync.watch worker, and with the baseline,
# a loop calling SELECT impayes_sync() every second. Each: idle cost (runs
# and CPU while nothing changes), single-change latency on an idle system,
# and the stream (payments closing invoices, part-payments, new invoices,
# client renames): p50/p95/p99/max of commit -> visible in Parse, runs, CPU
# of the syncing process per wall second.
# Writes bench/work-latency/*.json and the "Continuous sync" section of
# bench/RESULTS.md (between <!-- latency --> markers; the rest is kept).
# BENCH_SKIP_BUILD=1 skips install-deps and the build (done already);
# WATCH_DELAY / WATCH_MIN_INTERVAL (e.g. 0, 100ms) override those settings.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
secs=${2:-60}
WORK=bench/work-latency
rm -rf "$WORK" && mkdir -p "$WORK"
started=$SECONDS
if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  scripts/install-deps.sh
  make -s >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
  make -s install >/dev/null
fi
state=$(mktemp -d /tmp/impayes-benchlat-XXXXXX)
chmod 755 "$state"
IMPAYES_PARSE_CLOUD='' test/harness/start.sh "$state" >"$WORK/harness.log" 2>&1 ||
  { cat "$WORK/harness.log"; exit 1; }
# shellcheck source=../test/harness/lib.sh
. test/harness/lib.sh
load_state "$state"
trap 'cp "$state/postgres.log" "$WORK/postgres.log" 2>/dev/null; test/harness/stop.sh "$state" >/dev/null 2>&1 || true' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
# poll SECONDS SQL: until the query prints t (bounded).
poll() {
  local deadline=$((SECONDS + $1))
  until [ "$(q -c "$2")" = t ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "timed out: $2" >&2; exit 1; }
    sleep 0.2 # poll interval, not a synchronisation
  done
}
createdb bench
psql -X -q -d bench -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION impayes_sync;
CREATE ROLE bench_bot;
ALTER DATABASE bench SET impayes_sync.source = 'bench.impayes';
ALTER DATABASE bench SET impayes_sync.query_timeout = '10min';
ALTER DATABASE bench SET impayes_sync.on_missing = 'delete';
SQL
echo "== latency N=$n: generate the source, first sync"
q -v n="$n" -f bench/generate.sql >/dev/null
q -c "GRANT USAGE ON SCHEMA bench TO bench_bot" -c "GRANT SELECT ON bench.impayes TO bench_bot"
q -c "SELECT impayes_sync()->>'inserted'" >"$WORK/first-sync.txt"
export PG_MODULE=$REPO_DIR/test/parse/node_modules/pg

echo "== latency N=$n: the watch worker"
psql -X -q -d postgres -c "ALTER SYSTEM SET impayes_sync.watch_database = 'bench'" \
  -c "ALTER SYSTEM SET impayes_sync.watch_role = 'bench_bot'" \
  -c "ALTER SYSTEM SET impayes_sync.watch = on" >/dev/null
[ -z "${WATCH_DELAY:-}" ] || psql -X -q -d postgres -c "ALTER SYSTEM SET impayes_sync.watch_delay = '$WATCH_DELAY'"
[ -z "${WATCH_MIN_INTERVAL:-}" ] ||
  psql -X -q -d postgres -c "ALTER SYSTEM SET impayes_sync.watch_min_interval = '$WATCH_MIN_INTERVAL'"
psql -X -q -d postgres -c "SELECT pg_reload_conf()" >/dev/null
settings=$(psql -X -q -At -d bench -c "SELECT string_agg(name || ' = ' || setting || coalesce(unit, ''), ', ' ORDER BY name) FROM pg_settings WHERE name IN ('impayes_sync.watch_delay', 'impayes_sync.watch_min_interval')")
poll 600 "SELECT count(*) > 0 FROM impayes_sync.runs WHERE origin = 'watch: start'"
"$IMPAYES_NODE" bench/latency.js --mode watch --seconds "$secs" --rate 5 --idle 10 --single 5 >"$WORK/watch.json"
q -c "SELECT coalesce(pg_catalog.json_agg(x), '[]') FROM (SELECT origin, count(*) AS runs, round(avg(extract(epoch FROM duration) * 1000)) AS avg_ms FROM impayes_sync.runs WHERE origin LIKE 'watch%' GROUP BY 1) x" >"$WORK/watch-runs.json"

echo "== latency N=$n: the baseline (SELECT impayes_sync() every second)"
psql -X -q -d postgres -c "ALTER SYSTEM SET impayes_sync.watch = off" -c "SELECT pg_reload_conf()" >/dev/null
poll 30 "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'impayes_sync watch')"
"$IMPAYES_NODE" bench/latency.js --mode loop --seconds "$secs" --rate 5 --idle 10 --single 5 >"$WORK/loop.json"

echo "== latency N=$n: RESULTS.md"
"$IMPAYES_NODE" - "$WORK" "$n" "$secs" "$((SECONDS - started))" "$settings" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'JS'
const fs = require('fs');
const [work, n, secs, took, settings, load] = process.argv.slice(2);
const w = JSON.parse(fs.readFileSync(`${work}/watch.json`, 'utf8'));
const l = JSON.parse(fs.readFileSync(`${work}/loop.json`, 'utf8'));
const ms = (x) => (x === null ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x} ms`);
const row = (name, r) =>
  `| ${name} | ${ms(r.single.p50)} (max ${ms(r.single.max)}) | ${ms(r.stream.p50)} | ${ms(r.stream.p95)} | ${ms(r.stream.p99)} | ${ms(r.stream.max)} | ${r.stream.missed} of ${r.stream.n} | ${r.stream.runs} | ${r.stream.cpu_per_s.toFixed(3)} | ${r.idle.runs} in ${r.idle.seconds} s | ${r.idle.cpu_per_s.toFixed(3)} |`;
const pass = (ok) => (ok ? '**PASS**' : '**MISS**');
const s = w.stream;
const lines = [
  '<!-- latency -->',
  '## Continuous sync: commit → visible in Parse',
  '',
  `Produced by \`bash bench/latency.sh ${n} ${secs}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, in ${Math.round(took / 60)} min: N = ${Number(n).toLocaleString('en')} unpaid invoices (\`bench/generate.sql\`), \`on_missing = delete\`, ${settings}; ${secs} s of 5 committed changes a second (in turn: a payment closing an invoice, a part-payment, a new invoice, a client rename), each polled in Parse every 50 ms until visible (30 s = missed). Same machine, same table, one after the other (PostgreSQL, Parse Server and the driver share its 2 cores; load average at the end: ${load}).`,
  '',
  '| sync by | single change, idle (p50) | stream p50 | p95 | p99 | max | missed | runs in the stream | CPU s per wall s (syncing process) | runs while idle | idle CPU s per s |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  row('`impayes_sync.watch` worker', w),
  row('baseline: `SELECT impayes_sync()` every second', l),
  '',
  `Targets (watch worker): p95 ≤ 1.5 s: ${ms(s.p95)} ${pass(s.p95 !== null && s.p95 <= 1500)}; max ≤ 5 s: ${ms(s.max)} ${pass(s.max !== null && s.max <= 5000)}; no change missed: ${s.missed} ${pass(s.missed === 0)}; no run while idle: ${w.idle.runs} ${pass(w.idle.runs === 0)}.`,
  '',
  'Per kind of change (watch worker, p50 / p95 / max): ' +
    Object.entries(s.by_kind).map(([k, v]) => `${k} ${ms(v.p50)} / ${ms(v.p95)} / ${ms(v.max)}`).join('; ') + '.',
  '',
  'The CPU is the syncing process only (the watch worker, or the backend of the loop), from `/proc/<pid>/stat`; each run also starts a short-lived history worker and costs Parse Server its requests. Raw numbers: `bench/work-latency/`.',
  '<!-- /latency -->',
];
const file = 'bench/RESULTS.md';
let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
const re = /<!-- latency -->[\s\S]*<!-- \/latency -->\n?/;
text = re.test(text) ? text.replace(re, lines.join('\n') + '\n') : text.replace(/\n*$/, '\n\n') + lines.join('\n') + '\n';
fs.writeFileSync(file, text);
console.log(lines.join('\n'));
JS
