#!/usr/bin/env bash
# selftest.sh: proves the harness end to end against the real servers:
# start.sh, health through the proxy, create + dump an object, proxy mode
# switch from SQL (as postgres), kill/restart Parse from SQL, stop.sh, and
# that nothing is left running. Run as root.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=$HERE/../tools
PKGLIBDIR=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)

# Preload whatever is installed (the extension may not be built yet).
if [ -z "${IMPAYES_PRELOAD+set}" ]; then
  IMPAYES_PRELOAD=
  for lib in impayes_sync pg_cron; do
    [ ! -f "$PKGLIBDIR/$lib.so" ] || IMPAYES_PRELOAD=${IMPAYES_PRELOAD:+$IMPAYES_PRELOAD,}$lib
  done
fi
export IMPAYES_PRELOAD

unset IMPAYES_KEEP # the selftest checks that stop.sh removes everything
STATE=$(mktemp -d /tmp/impayes-selftest-XXXXXX)
START_LOG=$(mktemp /tmp/impayes-selftest-start-XXXXXX.log)
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
ko() { failed=$((failed + 1)); echo "FAIL - $1: $2"; }
# check NAME EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "expected [$2], got [$3]"; fi; }
cleanup() {
  [ ! -d "$STATE" ] || "$HERE/stop.sh" "$STATE" >/dev/null 2>&1 || true
  rm -f "$START_LOG"
}
trap cleanup EXIT

"$HERE/start.sh" "$STATE" >/dev/null 2>"$START_LOG" || { cat "$START_LOG" >&2; ko start.sh failed; exit 1; }
ok "start.sh (preload: '${IMPAYES_PRELOAD}')"
# shellcheck disable=SC1091
. "$STATE/env"
code() { curl --noproxy '*' -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" || true; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -c "$1"; }

check "parse health direct" 200 "$(code "$IMPAYES_PARSE_URL/health")"
check "parse health via proxy (pass)" 200 "$(code "$IMPAYES_PROXY_URL/health")"
check "down url refuses" 000 "$(code "$IMPAYES_DOWN_URL/health")"
check "postgres answers over TCP" 1 "$(sql 'select 1')"
check "parse db exists" 1 "$(sql "select count(*) from pg_database where datname = 'parse'")"
check "preload setting" "$IMPAYES_PRELOAD" "$(sql 'show shared_preload_libraries')"
LISTEN=$(ss -Hltnp | grep -E "pid=($(cat "$STATE/parse.pid")|$(cat "$STATE/proxy.pid")|$(head -1 "$IMPAYES_PGDATA/postmaster.pid"))," | awk '{print $4}' | sort -u)
check "listeners: pg, parse, proxy, all on 127.0.0.1" \
  "$(printf '127.0.0.1:%s\n' "$PGPORT" "$IMPAYES_PARSE_PORT" "$IMPAYES_PROXY_PORT" | sort)" "$LISTEN"

check "create-object via proxy" created \
  "$(node "$TOOLS/parse-admin.js" --url "$IMPAYES_PROXY_URL" create-object SelfTest '{"n":2,"s":"a\\b \"q\"","z":{"b":1,"a":2}}')"
node "$TOOLS/parse-admin.js" create-object SelfTest '{"n":1}' >/dev/null
check "count" 2 "$(node "$TOOLS/parse-admin.js" count SelfTest)"
check "dump sorted by key" '{"n":1}|{"n":2,"s":"a\\b \"q\"","z":{"a":2,"b":1}}' \
  "$(node "$TOOLS/parse-dump.js" --class SelfTest --key n | paste -sd'|')"
check "dump --copy into jsonb" 'a\b "q"' "$(sql "create temp table d(j jsonb);
  copy d from program 'node $TOOLS/parse-dump.js --url $IMPAYES_PARSE_URL --app $IMPAYES_APP_ID --key-file $IMPAYES_MASTER_KEY_FILE --class SelfTest --key n --copy';
  select j->>'s' from d where j ? 's'")"

# Mode switch written server-side by COPY, i.e. by the postgres OS user.
sql "copy (select 'status:503') to '$IMPAYES_PROXY_MODE_FILE'"
check "proxy status:503 (mode file)" 503 "$(code "$IMPAYES_PROXY_URL/health")"
check "direct parse unaffected" 200 "$(code "$IMPAYES_PARSE_URL/health")"
sql "copy (select 'pass') to '$IMPAYES_PROXY_MODE_FILE'"
check "proxy back to pass" 200 "$(code "$IMPAYES_PROXY_URL/health")"

# Kill and restart Parse from SQL (runs as postgres), same port.
check "kill-parse.sh from SQL" "parse killed" "$(sql "create temp table o(l text);
  copy o from program '$HERE/kill-parse.sh $STATE'; select * from o")"
check "parse down after kill" 000 "$(code "$IMPAYES_PARSE_URL/health")"
check "restart-parse.sh from SQL" "parse restarted" "$(sql "create temp table o(l text);
  copy o from program '$HERE/restart-parse.sh $STATE'; select * from o")"
check "data survived restart" 2 "$(node "$TOOLS/parse-admin.js" count SelfTest)"
check "drop-class" "dropped SelfTest" "$(node "$TOOLS/parse-admin.js" drop-class SelfTest)"

PORTS="$PGPORT|$IMPAYES_PARSE_PORT|$IMPAYES_PROXY_PORT"
"$HERE/stop.sh" "$STATE" >/dev/null
ok "stop.sh"
check "state dir removed" no "$([ -e "$STATE" ] && echo yes || echo no)"
check "no process left" "" "$(pgrep -af -- "$STATE" || true)"
check "no listener left" "" "$(ss -Hltn | awk '{print $4}' | grep -E ":($PORTS)\$" || true)"

echo "selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
