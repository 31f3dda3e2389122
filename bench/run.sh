#!/usr/bin/env bash
# run.sh [N ...]: the benchmark, as root on a fresh Debian 12 machine (default
# N: 10000 100000; `bench/run.sh 100000 1000000` takes about 40 min here).
# Installs what is needed, builds and installs the extension, then for each
# N: a throwaway PostgreSQL + Parse Server (test/harness), a source of N
# unpaid invoices (bench/generate.sql), the references (source floor, write
# and read ceilings of bench/ceiling.js) and the scenarios S1-S4 (+ F, a full
# reconciliation), each in a fresh session whose private memory
# bench/rss-sampler.js samples. Writes bench/RESULTS.md and its figures
# bench/time.svg, bench/memory.svg (gnuplot); raw numbers in
# bench/work/results.jsonl. Then bench/fleet.sh adds the "Scaling out"
# section (one Parse Server vs two).
# Env: BENCH_FLEET_N (fleet size, default 20000; 0 = skip the fleet run and
#      keep the Scaling out section RESULTS.md has),
#      BENCH_CEILING_SAMPLE (objects the write ceiling posts, default 100000:
#      at N = 1,000,000 posting all of them twice would take ~20 min alone),
#      BENCH_SKIP_DEPS=1 (do not run scripts/install-deps.sh),
#      BENCH_PROGRESS_S (seconds between a call's progress lines, default 30),
#      PG_CONFIG / PGBIN (which PostgreSQL builds and runs; default the system's).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 10000 100000
WORK=bench/work
RESULTS=$WORK/results.jsonl
CEILING_SAMPLE=${BENCH_CEILING_SAMPLE:-100000}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
export PGBIN
rm -rf "$WORK" && mkdir -p "$WORK"
start=$SECONDS
# say WHAT: a progress line with the minutes:seconds since the start.
say() { printf '== [%d:%02d] %s\n' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)) "$*"; }
# The Scaling out section of the RESULTS.md in place, kept when the fleet run is skipped.
fleet_section=$(sed -n '/^<!-- fleet -->$/,/^<!-- \/fleet -->$/p' bench/RESULTS.md 2>/dev/null || true)
# The Continuous sync section (bench/latency.sh), always kept as it is.
latency_section=$(sed -n '/^<!-- latency -->$/,/^<!-- \/latency -->$/p' bench/RESULTS.md 2>/dev/null || true)

[ -n "${BENCH_SKIP_DEPS:-}" ] || scripts/install-deps.sh
command -v gnuplot >/dev/null || { echo "run.sh: gnuplot not found (Debian: gnuplot-nox; scripts/install-deps.sh installs it)" >&2; exit 1; }
say "build and install the extension"
make -s >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
make -s install >/dev/null

state=
stop() { [ -z "$state" ] || test/harness/stop.sh "$state" >/dev/null 2>&1 || true; state=; }
trap stop EXIT

# jsonl KIND KEY=JSONVALUE ...: appends one line to the results.
jsonl() {
  local line="{\"kind\": \"$1\"" kv
  shift
  for kv in "$@"; do line+=", \"${kv%%=*}\": ${kv#*=}"; done
  echo "$line}" >>"$RESULTS"
}
q() { printf '"%s"' "${1//\"/\\\"}"; }
parse_hwm_reset() { echo 5 >"/proc/$parse_pid/clear_refs"; } # VmHWM := VmRSS
parse_hwm() { awk '/^VmHWM/ {print $2}' "/proc/$parse_pid/status"; }
parse_cpu() { sed 's/^.*) //' "/proc/$parse_pid/stat" | awk '{print $12 + $13}'; } # 1/100 s
# logged LINE WHAT: the number before WHAT in the extension's log line, or null.
logged() { sed -n "s/.* \([0-9]*\) $2.*/\1/p" <<<"$1" | grep . || echo null; }

# scenario LABEL ON_MISSING MODE: one impayes_sync() in a fresh session, with
# the peak private memory of its backend (bench/rss-sampler.js runs psql and
# samples the backend whose pid scenario.sql writes just before the call),
# and the HTTP requests and bytes from the extension's log line of that backend.
scenario() {
  say "N=$n: $1"
  parse_hwm_reset
  local line pid log cpu0 pidfile=$WORK/$1-$n.pid rss=$WORK/$1-$n.rss
  rm -f "$pidfile" "$rss"
  cpu0=$(parse_cpu)
  line=$(PGDATABASE=bench node bench/rss-sampler.js --pid-file "$pidfile" --out "$rss" --label "N=$n $1" \
    --every "${BENCH_PROGRESS_S:-30}" -- \
    psql -X -q -At -d bench -v label="$1" -v on_missing="$2" -v mode="$3" -v pidfile="$pidfile" \
    -f bench/scenario.sql)
  pid=$(sed -n 's/.*"pid" : \([0-9]*\).*/\1/p' <<<"$line")
  log=$(grep "\[$pid\] .*impayes_sync: \(done\|failed\):" "$IMPAYES_PG_LOG" | tail -n 1)
  echo "${line%\}}, \"n\": $n, \"http_requests\": $(logged "$log" 'HTTP requests')," \
    "\"bytes_sent\": $(logged "$log" 'bytes sent'), \"bytes_received\": $(logged "$log" 'bytes received')," \
    "\"parse_hwm_kb\": $(parse_hwm), \"parse_cpu_s\": $(($(parse_cpu) - cpu0))e-2, $(sed 's/^{//' "$rss")" >>"$RESULTS"
  # shellcheck disable=SC2016 # the template literals are node's
  tail -n 1 "$RESULTS" | node -e '
    const s = JSON.parse(require("fs").readFileSync(0, "utf8")), r = s.result;
    const peak = Math.max(s.rss_anon_max_kb || 0, s.anon_kb) - s.anon0_kb;
    console.log(`   ${s.label}: ${r.success ? "ok" : "FAILED: " + r.error}, ${(s.wall_ms / 1000).toFixed(1)} s, ` +
      `${r.inserted} inserted, ${r.updated} updated, ${r.deleted} deleted, ${r.skipped} skipped; ` +
      `private memory +${(peak * 1024 / 1e6).toFixed(1)} MB (${s.rss_samples} samples)`);'
}

jsonl meta date="$(q "$(date -u '+%Y-%m-%d %H:%M UTC')")" \
  cpu="$(q "$(lscpu | sed -n 's/^Model name: *//p' | head -n1)")" cores="$(nproc)" \
  mem_gb="$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
  os="$(q "Debian $(cat /etc/debian_version), Linux $(uname -r)")" \
  postgres="$(q "$("$PGBIN/postgres" --version)")" \
  parse="$(q "$(node -p 'require("./test/parse/node_modules/parse-server/package.json").version')")" \
  node="$(q "$(node --version)")" libcurl="$(q "$(curl-config --version)")" \
  commit="$(q "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src sql Makefile || echo ' + uncommitted changes')")"

for n in "$@"; do
  say "N=$n: start PostgreSQL + Parse Server"
  # Up to 3 tries: on a shared machine a free port start.sh picked can be
  # taken before its server binds it (start.sh then removes its state dir).
  for try in 1 2 3; do
    state=$(mktemp -d /tmp/impayes-bench-XXXXXX)
    chmod 755 "$state"
    IMPAYES_PARSE_CLOUD='' test/harness/start.sh "$state" >"$WORK/harness-$n.log" 2>&1 && break
    state=
    [ "$try" -lt 3 ] || { cat "$WORK/harness-$n.log"; exit 1; }
    say "N=$n: the harness did not start (try $try of 3): $(grep -m1 '^ERROR' "$WORK/harness-$n.log")"
  done
  # shellcheck disable=SC1091
  . "$state/env"
  parse_pid=$(cat "$state/parse.pid")
  createdb bench
  psql -X -q -d bench -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION impayes_sync;
ALTER DATABASE bench SET impayes_sync.source = 'bench.impayes';
ALTER DATABASE bench SET impayes_sync.class_name = 'Impayes';
-- Read through a cursor, the source query may stay open while the run
-- pushes (at 1M, most of S1's ~10 min): the benchmark measures, not limits.
ALTER DATABASE bench SET impayes_sync.query_timeout = '90min';
SQL
  full_mode=$(psql -X -At -d bench -c "SELECT count(*) FROM pg_settings WHERE name = 'impayes_sync.mode'")
  jsonl env n="$n" load="$(q "$(cut -d' ' -f1-3 /proc/loadavg)")" full_mode_guc="$full_mode" \
    batch_size="$(psql -X -At -d bench -c 'SHOW impayes_sync.batch_size')" \
    parallel_requests="$(psql -X -At -d bench -c 'SHOW impayes_sync.parallel_requests')"

  say "N=$n: generate the source"
  psql -X -q -d bench -v n="$n" -f bench/generate.sql >/dev/null
  say "N=$n: source floor"
  # Source floor: the bare SELECT * of the whole source, server side, every
  # value through its output function (median of 5); and its size as JSON.
  psql -X -q -At -d bench -v ON_ERROR_STOP=1 <<'SQL' | sed "s/}\$/, \"n\": $n}/" >>"$RESULTS"
CREATE TEMP TABLE t (ms float8);
DO $$ DECLARE t0 timestamptz; BEGIN
  FOR i IN 1..5 LOOP
    t0 := clock_timestamp();
    EXECUTE 'COPY (SELECT * FROM bench.impayes) TO ''/dev/null''';
    INSERT INTO t VALUES (1000 * extract(epoch FROM clock_timestamp() - t0));
  END LOOP; END $$;
SELECT json_build_object('kind', 'floor', 'ms', round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
  'rows', (SELECT count(*) FROM bench.impayes),
  'json_bytes', (SELECT sum(length(row_to_json(i)::text)) FROM bench.impayes i)) FROM t;
SQL
  # The write ceiling's objects: all of them, or its sample (the first by key).
  sample=$((n < CEILING_SAMPLE ? n : CEILING_SAMPLE))
  PGOPTIONS='-c timezone=UTC' psql -X -At -d bench -v ON_ERROR_STOP=1 \
    -c "SELECT bench.wire(t) FROM bench.impayes t ORDER BY numero_facture LIMIT $sample" >"$WORK/objects.jsonl"

  say "N=$n: write ceiling (sweep, then $sample objects twice)"
  parse_hwm_reset
  out=$(node bench/ceiling.js write --objects "$WORK/objects.jsonl" --class Ceiling --parse-pid "$parse_pid")
  echo "${out%\}}, \"n\": $n, \"parse_hwm_kb\": $(parse_hwm)}" >>"$RESULTS"
  rm -f "$WORK/objects.jsonl"

  scenario S1 keep default
  scenario S2 keep default
  [ "$full_mode" = 0 ] || scenario F keep full

  say "N=$n: read ceiling, round trip"
  keys=$(psql -X -At -d bench -c \
    "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'bench.impayes'::regclass AND attnum > 0")
  parse_hwm_reset
  out=$(node bench/ceiling.js read --class Impayes --keys "$keys" --parse-pid "$parse_pid")
  echo "${out%\}}, \"n\": $n, \"parse_hwm_kb\": $(parse_hwm)}" >>"$RESULTS"
  node bench/ceiling.js rtt --class Impayes | sed "s/}\$/, \"n\": $n}/" >>"$RESULTS"

  psql -X -q -d bench -c "SELECT bench.change_some($n)" >/dev/null
  scenario S3 keep default
  psql -X -q -d bench -c "SELECT bench.pay_some()" >/dev/null
  scenario S4 delete default
  jsonl env_end n="$n" load="$(q "$(cut -d' ' -f1-3 /proc/loadavg)")"
  cp "$IMPAYES_PG_LOG" "$WORK/postgres-$n.log"
  stop
done

jsonl total seconds=$((SECONDS - start))
node bench/report.js "$RESULTS" >bench/RESULTS.md
say "figures: bench/time.svg, bench/memory.svg"
node bench/figures.js "$RESULTS" "$WORK"
gnuplot -e "work='$WORK'; out='bench'" bench/figures.gp
say "wrote bench/RESULTS.md, bench/time.svg, bench/memory.svg (commit all three together)"
# S1 through one Parse Server and two behind HAProxy: the "Scaling out"
# section of RESULTS.md (bench/fleet.sh; its own harness, BENCH_FLEET_N
# invoices, default 20000; BENCH_FLEET_N=0 skips it and keeps the section
# the previous RESULTS.md had).
if [ "${BENCH_FLEET_N:-20000}" != 0 ]; then
  BENCH_SKIP_BUILD=1 bench/fleet.sh "${BENCH_FLEET_N:-20000}"
elif [ -n "$fleet_section" ]; then
  printf '\n%s\n' "$fleet_section" >>bench/RESULTS.md
fi
[ -z "$latency_section" ] || printf '\n%s\n' "$latency_section" >>bench/RESULTS.md
