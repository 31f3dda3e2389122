#!/usr/bin/env bash
# run.sh [N ...]: the benchmark, as root on a fresh Debian 12 machine (default
# N: 10000 100000). Installs what is needed, builds and installs the
# extension, then for each N: a throwaway PostgreSQL + Parse Server
# (test/harness), a source of N unpaid invoices (bench/generate.sql), the
# references (source floor, write and read ceilings of bench/ceiling.js) and
# the scenarios S1-S4 (+ F, a full reconciliation), each in a fresh session.
# Writes bench/RESULTS.md; raw numbers in bench/work/results.jsonl. Then
# bench/fleet.sh adds the "Scaling out" section (one Parse Server vs two).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 10000 100000
WORK=bench/work
RESULTS=$WORK/results.jsonl
rm -rf "$WORK" && mkdir -p "$WORK"
start=$SECONDS

scripts/install-deps.sh
echo "== build and install the extension"
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
# the HTTP requests and bytes from the extension's log line of that backend.
scenario() {
  echo "== N=$n: $1"
  parse_hwm_reset
  local line pid log cpu0
  cpu0=$(parse_cpu)
  line=$(psql -X -q -At -d bench -v label="$1" -v on_missing="$2" -v mode="$3" -f bench/scenario.sql)
  pid=$(sed -n 's/.*"pid" : \([0-9]*\).*/\1/p' <<<"$line")
  log=$(grep "\[$pid\] .*impayes_sync: \(done\|failed\):" "$IMPAYES_PG_LOG" | tail -n 1)
  echo "${line%\}}, \"n\": $n, \"http_requests\": $(logged "$log" 'HTTP requests')," \
    "\"bytes_sent\": $(logged "$log" 'bytes sent'), \"bytes_received\": $(logged "$log" 'bytes received')," \
    "\"parse_hwm_kb\": $(parse_hwm), \"parse_cpu_s\": $(($(parse_cpu) - cpu0))e-2}" >>"$RESULTS"
}

jsonl meta date="$(q "$(date -u '+%Y-%m-%d %H:%M UTC')")" \
  cpu="$(q "$(lscpu | sed -n 's/^Model name: *//p' | head -n1)")" cores="$(nproc)" \
  mem_gb="$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
  os="$(q "Debian $(cat /etc/debian_version), Linux $(uname -r)")" \
  postgres="$(q "$(/usr/lib/postgresql/15/bin/postgres --version)")" \
  parse="$(q "$(node -p 'require("./test/parse/node_modules/parse-server/package.json").version')")" \
  node="$(q "$(node --version)")" libcurl="$(q "$(curl-config --version)")" \
  commit="$(q "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src sql Makefile || echo ' + uncommitted changes')")"

for n in "$@"; do
  echo "== N=$n: start PostgreSQL + Parse Server"
  state=$(mktemp -d /tmp/impayes-bench-XXXXXX)
  chmod 755 "$state"
  IMPAYES_PARSE_CLOUD='' test/harness/start.sh "$state" >"$WORK/harness-$n.log" 2>&1 ||
    { cat "$WORK/harness-$n.log"; exit 1; }
  # shellcheck disable=SC1091
  . "$state/env"
  parse_pid=$(cat "$state/parse.pid")
  createdb bench
  psql -X -q -d bench -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION impayes_sync;
ALTER DATABASE bench SET impayes_sync.source = 'bench.impayes';
ALTER DATABASE bench SET impayes_sync.class_name = 'Impayes';
ALTER DATABASE bench SET impayes_sync.query_timeout = '10min';
SQL
  full_mode=$(psql -X -At -d bench -c "SELECT count(*) FROM pg_settings WHERE name = 'impayes_sync.mode'")
  jsonl env n="$n" load="$(q "$(cut -d' ' -f1-3 /proc/loadavg)")" full_mode_guc="$full_mode" \
    batch_size="$(psql -X -At -d bench -c 'SHOW impayes_sync.batch_size')" \
    parallel_requests="$(psql -X -At -d bench -c 'SHOW impayes_sync.parallel_requests')"

  echo "== N=$n: generate the source"
  psql -X -q -d bench -v n="$n" -f bench/generate.sql >/dev/null
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
  PGOPTIONS='-c timezone=UTC' psql -X -At -d bench -c 'SELECT bench.wire(t) FROM bench.impayes t' >"$WORK/objects.jsonl"

  echo "== N=$n: write ceiling (sweep, then all objects)"
  parse_hwm_reset
  out=$(node bench/ceiling.js write --objects "$WORK/objects.jsonl" --class Ceiling --parse-pid "$parse_pid")
  echo "${out%\}}, \"n\": $n, \"parse_hwm_kb\": $(parse_hwm)}" >>"$RESULTS"

  scenario S1 keep default
  scenario S2 keep default
  [ "$full_mode" = 0 ] || scenario F keep full

  echo "== N=$n: read ceiling, round trip"
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
echo "== wrote bench/RESULTS.md ($((SECONDS - start)) s)"
# S1 through one Parse Server and two behind HAProxy: the "Scaling out"
# section of RESULTS.md (bench/fleet.sh; its own harness, BENCH_FLEET_N
# invoices, default 20000; BENCH_FLEET_N=0 skips it).
if [ "${BENCH_FLEET_N:-20000}" != 0 ]; then
  BENCH_SKIP_BUILD=1 bench/fleet.sh "${BENCH_FLEET_N:-20000}"
fi
