#!/usr/bin/env bash
# start.sh [STATE_DIR]: throwaway PostgreSQL 15 cluster + real Parse Server +
# fault proxy, all on free 127.0.0.1 ports. Writes STATE_DIR/env (sourceable).
# Env: IMPAYES_PRELOAD (default "impayes_sync,pg_cron"; empty = no preload),
#      IMPAYES_PARSE_CLOUD (optional Cloud Code main.js for Parse Server).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

say() { echo "start.sh: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "start.sh must run as root (it initdb's as the postgres OS user)"
STATE=${1:-$(mktemp -d /tmp/impayes-XXXXXX)}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
# Paths go into postgresql.conf and SQL strings: keep them plain.
[[ "$STATE" =~ ^[A-Za-z0-9/._-]+$ ]] || die "STATE_DIR '$STATE' may only contain [A-Za-z0-9/._-]"
[ "${#STATE}" -le 80 ] || die "STATE_DIR '$STATE' is too long for a unix socket path"
# stop.sh deletes it all: only ever take an empty directory.
[ -z "$(ls -A "$STATE")" ] || die "STATE_DIR $STATE is not empty: use a fresh one (or stop.sh it first)"
say "state dir: $STATE"
export IMPAYES_STATE=$STATE
# The state dir belongs to postgres: server-side COPY and the restart scripts
# (run as postgres from SQL) write modes, pids and logs there.
touch "$STATE/.impayes-state" "$STATE/parse.log" "$STATE/proxy.log"
chown -R postgres:postgres "$STATE"
chmod 755 "$STATE"
cd "$STATE" # initdb/pg_ctl as postgres need a cwd they can enter
as_pg test -x "$STATE" || die "the postgres OS user cannot reach $STATE (check the parent directories' permissions)"

# On any failure: show the relevant logs, tear everything down, exit non-zero.
on_exit() {
  local rc=$?
  [ "$rc" -ne 0 ] || return 0
  echo "ERROR: start.sh failed (exit $rc)" >&2
  log_tail "$STATE/initdb.log" "$STATE/postgres.log" "$STATE/parse.log" "$STATE/proxy.log"
  "$HARNESS_DIR/stop.sh" "$STATE" >&2 || true
  exit 1
}
trap on_exit EXIT

IMPAYES_NODE=$(command -v node) || die "node not found on PATH (run scripts/install-deps.sh)"
export IMPAYES_NODE
check_pg_access

# Free loopback ports: PostgreSQL, Parse, proxy, and one left unbound ("down").
mapfile -t PORTS < <("$IMPAYES_NODE" "$HARNESS_DIR/free-port.js" 4)
[ "${#PORTS[@]}" -eq 4 ] || die "free-port.js did not return 4 ports"
PG_PORT=${PORTS[0]} PARSE_PORT=${PORTS[1]} PROXY_PORT=${PORTS[2]} DOWN_PORT=${PORTS[3]}

APP_ID=impayes-test-app
KEY_FILE=$STATE/master.key
( umask 077; openssl rand -hex 24 >"$KEY_FILE" )
chown postgres:postgres "$KEY_FILE"
chmod 600 "$KEY_FILE"

# Check the preload libraries exist: a missing one only shows as a failed start.
PRELOAD=${IMPAYES_PRELOAD-impayes_sync,pg_cron}
PKGLIBDIR=$("$PGBIN/pg_config" --pkglibdir)
for lib in ${PRELOAD//,/ }; do
  [ -f "$PKGLIBDIR/$lib.so" ] || die "preload library $PKGLIBDIR/$lib.so is missing (install it, or set IMPAYES_PRELOAD=)"
done

say "initdb (port $PG_PORT)"
PGDATA=$STATE/pgdata
as_pg mkdir -m 700 "$PGDATA" "$STATE/sock"
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C \
  --no-instructions >"$STATE/initdb.log" 2>&1
{
  echo "# --- impayes_sync test harness ---"
  echo "listen_addresses = '127.0.0.1'"
  echo "port = $PG_PORT"
  echo "unix_socket_directories = '$STATE/sock'"
  echo "max_connections = 50"
  [ -z "$PRELOAD" ] || echo "shared_preload_libraries = '$PRELOAD'"
  echo "cron.database_name = 'postgres'"
  echo "log_line_prefix = '%m [%p] %q%u@%d '"
  echo "logging_collector = off"
  echo "timezone = 'UTC'"
  echo "log_timezone = 'UTC'"
  echo "impayes_sync.parse_url = 'http://127.0.0.1:$PARSE_PORT/parse'"
  echo "impayes_sync.application_id = '$APP_ID'"
  echo "impayes_sync.master_key_file = '$KEY_FILE'"
  echo "impayes_sync.master_key = '$(cat "$KEY_FILE")'"
} >>"$PGDATA/postgresql.conf"
printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$PGDATA/pg_hba.conf"

say "starting postgresql"
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$STATE/postgres.log" -w -t 60 start >/dev/null
wait_until 30 "pg_isready on 127.0.0.1:$PG_PORT" \
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres
as_pg "$PGBIN/createdb" -h "$STATE/sock" -p "$PG_PORT" -U postgres parse

# Everything the other scripts (and SQL tests) need.
cat >"$STATE/env" <<EOF
export PGHOST=127.0.0.1
export PGPORT=$PG_PORT
export PGUSER=postgres
export PGDATABASE=postgres
export IMPAYES_STATE=$STATE
export IMPAYES_PARSE_URL=http://127.0.0.1:$PARSE_PORT/parse
export IMPAYES_PARSE_PORT=$PARSE_PORT
export IMPAYES_APP_ID=$APP_ID
export IMPAYES_MASTER_KEY_FILE=$KEY_FILE
export IMPAYES_PROXY_URL=http://127.0.0.1:$PROXY_PORT/parse
export IMPAYES_PROXY_PORT=$PROXY_PORT
export IMPAYES_PROXY_MODE_FILE=$STATE/proxy.mode
export IMPAYES_DOWN_URL=http://127.0.0.1:$DOWN_PORT/parse
export IMPAYES_PGDATA=$PGDATA
export IMPAYES_PG_LOG=$STATE/postgres.log
export IMPAYES_NODE=$IMPAYES_NODE
export IMPAYES_REPO=$REPO_DIR
EOF
# Parse Server's arguments, one per line, reused by restart-parse.sh.
{
  printf '%s\n' --port "$PARSE_PORT" --app-id "$APP_ID" --master-key-file "$KEY_FILE" \
    --database-uri "postgres://postgres@127.0.0.1:$PG_PORT/parse"
  [ -z "${IMPAYES_PARSE_CLOUD:-}" ] || printf '%s\n' --cloud "$(realpath "$IMPAYES_PARSE_CLOUD")"
} >"$STATE/parse.args"
echo pass >"$STATE/proxy.mode"
chown postgres:postgres "$STATE/env" "$STATE/parse.args" "$STATE/proxy.mode"
load_state "$STATE"

say "starting parse server (port $PARSE_PORT)"
start_parse

say "starting fault proxy (port $PROXY_PORT)"
"${AS_PG[@]}" setsid "$IMPAYES_NODE" "$HARNESS_DIR/fault-proxy.js" --listen-port "$PROXY_PORT" \
  --target "http://127.0.0.1:$PARSE_PORT" --mode pass --mode-file "$STATE/proxy.mode" \
  --pid-file "$STATE/proxy.pid" </dev/null >>"$STATE/proxy.log" 2>&1 &
wait_until 15 "fault proxy health on $IMPAYES_PROXY_URL/health" http_ok "$IMPAYES_PROXY_URL/health"

say "ready: . $STATE/env"
echo "$STATE"
