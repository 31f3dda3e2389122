#!/usr/bin/env bash
# fleet.sh [N]: S1 (first sync of N invoices into an empty class) through one
# Parse Server and through two behind HAProxy, in the same run, as root.
# Default N: 20000. A throwaway harness (test/harness/start.sh), the
# benchmark's source (bench/generate.sql), and test/fleet/lib.sh's fleet:
# Parse Servers a and b (9.10.0, schema hooks on) on one database, HAProxy
# round-robin over both and a second HAProxy frontend to a alone, so both
# paths cross HAProxy. Each S1 is bench/scenario.sql in a fresh session,
# into its own class, at parallel_requests 2 (the default) and 4, each
# twice (the second round in reverse order).
# Writes bench/work-fleet/results.jsonl and the "Scaling out" section of
# bench/RESULTS.md (replaced in place, the rest of the file is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
WORK=bench/work-fleet
RESULTS=$WORK/results.jsonl
rm -rf "$WORK" && mkdir -p "$WORK"

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then # bench/run.sh has done both
  scripts/install-deps.sh
  make -s >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
  make -s install >/dev/null
fi

state=$(mktemp -d /tmp/impayes-benchfleet-XXXXXX)
chmod 755 "$state"
IMPAYES_PARSE_CLOUD='' test/harness/start.sh "$state" >"$WORK/harness.log" 2>&1 ||
  { cat "$WORK/harness.log"; exit 1; }
# shellcheck source=../test/harness/lib.sh
. test/harness/lib.sh
# shellcheck source=../test/fleet/lib.sh
. test/fleet/lib.sh
load_state "$state"
trap 'fleet_stop "$state/fleet"; test/harness/stop.sh "$state" >/dev/null 2>&1 || true' EXIT

createdb bench
createdb fleet_parse
psql -X -q -d bench -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION impayes_sync;
ALTER DATABASE bench SET impayes_sync.source = 'bench.impayes';
ALTER DATABASE bench SET impayes_sync.query_timeout = '10min';
SQL
echo "== fleet N=$n: generate the source"
psql -X -q -d bench -v n="$n" -f bench/generate.sql >/dev/null
as_pg mkdir -m 755 "$state/fleet"
echo "== fleet N=$n: start Parse Servers a and b, HAProxy"
fleet_start "$state/fleet" fleet_parse true
ticks() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; } # 1/100 s
cpu() { ticks "$(cat "$state/fleet/parse-$1.pid")"; }
# "pid ticks" of every backend serving Parse's database (Parse's pools).
db_ticks() {
  local f pid
  echo "0 0" # awk's first file is never empty
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    tr '\0' ' ' 2>/dev/null <"$f" | grep -q '^postgres: postgres fleet_parse ' && echo "$pid $(ticks "$pid")" | grep ' [0-9]'
  done
  return 0
}
# db_cpu BEFORE AFTER: CPU ticks the backends used in between (new ones from 0).
db_cpu() { awk 'NR == FNR { t0[$1] = $2; next } { s += $2 - t0[$1] } END { print s + 0 }' "$1" "$2"; }

echo "{\"kind\": \"meta\", \"n\": $n, \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\", \"cores\": $(nproc)," \
  "\"parse\": \"$(node -p 'require("./test/parse/node_modules/parse-server/package.json").version')\"," \
  "\"haproxy\": \"$(haproxy -v | sed -n 's/^HAProxy version \([^ ]*\).*/\1/p')\"," \
  "\"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"

# s1 INSTANCES PARALLEL ROUND: one first sync into a class of its own.
s1() {
  local instances=$1 parallel=$2 round=$3 url=$FLEET_SINGLE_URL a0 b0 line
  [ "$instances" = 1 ] || url=$FLEET_LB_URL
  echo "== fleet N=$n: S1 through $instances instance(s), parallel_requests $parallel"
  a0=$(cpu a) b0=$(cpu b)
  db_ticks >"$WORK/db0"
  line=$(PGOPTIONS="-c impayes_sync.parse_url=$url -c impayes_sync.class_name=S1x${instances}p${parallel}r$round -c impayes_sync.parallel_requests=$parallel" \
    psql -X -q -At -d bench -v label=S1 -v on_missing=keep -v mode=default -f bench/scenario.sql)
  echo "${line%\}}, \"instances\": $instances, \"parallel\": $parallel, \"round\": $round," \
    "\"cpu_a_s\": $(($(cpu a) - a0))e-2, \"cpu_b_s\": $(($(cpu b) - b0))e-2," \
    "\"cpu_db_s\": $(db_ticks >"$WORK/db1"; db_cpu "$WORK/db0" "$WORK/db1")e-2}" >>"$RESULTS"
}
# Each configuration twice, the second round in reverse order, so that a
# drift of the machine's load does not favour one of them.
for round in 1 2; do
  configs=("1 2" "2 2" "1 4" "2 4")
  [ "$round" = 1 ] || configs=("2 4" "1 4" "2 2" "1 2")
  for c in "${configs[@]}"; do
    # shellcheck disable=SC2086
    s1 $c "$round"
  done
done
echo "{\"kind\": \"end\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >>"$RESULTS"

node bench/report-fleet.js "$RESULTS" >"$WORK/section.md"
# Replace the section between its markers in RESULTS.md, or append it.
node -e '
  const fs = require("fs");
  const [file, sectionFile] = process.argv.slice(1);
  const section = fs.readFileSync(sectionFile, "utf8");
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const re = /<!-- fleet -->[\s\S]*<!-- \/fleet -->\n/;
  fs.writeFileSync(file, re.test(old) ? old.replace(re, section) : old + "\n" + section);
' bench/RESULTS.md "$WORK/section.md"
echo "== fleet: wrote the Scaling out section of bench/RESULTS.md"
