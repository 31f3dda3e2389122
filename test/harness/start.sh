#!/usr/bin/env bash
# start.sh [STATE_DIR]: throwaway PostgreSQL 15 cluster + real Parse Server +
# fault proxy, all on free 127.0.0.1 ports. Writes STATE_DIR/env (sourceable).
# Env: IMPAYES_PRELOAD (default "impayes_sync,pg_cron"; empty = no preload),
#      IMPAYES_PARSE_CLOUD (Cloud Code main.js for Parse Server; default
#      contrib/parse-cloud/main.js, which calls impayes_sync() in the
#      contrib_regression database; empty = none),
#      IMPAYES_PARSE_DIR (the pinned npm project whose parse-server runs:
#      default test/parse, Parse Server 9.10.0; test/parse-8.6 for 8.6 LTS).
# Also starts tls-proxy.js: https front-ends of Parse (a throwaway CA's
# certificate, a self-signed one, one for another host name) and a stub that
# answers 302 to Parse.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

say() { echo "start.sh: $*" >&2; }
[ "$(id -u)" -eq 0 ] || die "start.sh must run as root (it initdb's as the postgres OS user)"
# Which Parse Server: an npm project installed by scripts/install-deps.sh
# (resolved before any cd: a relative IMPAYES_PARSE_DIR is the caller's).
PARSE_DIR=$(realpath "${IMPAYES_PARSE_DIR:-$REPO_DIR/test/parse}")
export IMPAYES_PARSE_DIR=$PARSE_DIR
PARSE_VERSION=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$PARSE_DIR/node_modules/parse-server/package.json" 2>/dev/null || true)
[ -n "$PARSE_VERSION" ] ||
  die "no parse-server in $PARSE_DIR/node_modules (run scripts/install-deps.sh)"
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
  log_tail "$STATE/initdb.log" "$STATE/postgres.log" "$STATE/parse.log" "$STATE/proxy.log" "$STATE/tls-proxy.log"
  "$HARNESS_DIR/stop.sh" "$STATE" >&2 || true
  exit 1
}
trap on_exit EXIT

IMPAYES_NODE=$(command -v node) || die "node not found on PATH (run scripts/install-deps.sh)"
export IMPAYES_NODE
check_pg_access

# Free loopback ports: PostgreSQL, Parse, proxy, and one left unbound ("down");
# then the https front-ends (CA-signed, self-signed, wrong host name) and
# the redirect stub.
mapfile -t PORTS < <("$IMPAYES_NODE" "$HARNESS_DIR/free-port.js" 8)
[ "${#PORTS[@]}" -eq 8 ] || die "free-port.js did not return 8 ports"
PG_PORT=${PORTS[0]} PARSE_PORT=${PORTS[1]} PROXY_PORT=${PORTS[2]} DOWN_PORT=${PORTS[3]}
TLS_PORT=${PORTS[4]} TLS_SELFSIGNED_PORT=${PORTS[5]} TLS_WRONGHOST_PORT=${PORTS[6]} REDIRECT_PORT=${PORTS[7]}

# Cloud Code run by Parse Server (see contrib/parse-cloud/README.md).
PARSE_CLOUD=${IMPAYES_PARSE_CLOUD-$REPO_DIR/contrib/parse-cloud/main.js}
[ -z "$PARSE_CLOUD" ] || as_pg test -r "$PARSE_CLOUD" || die "the postgres OS user cannot read $PARSE_CLOUD"

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
  echo "cron.use_background_workers = on"
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
# pg_cron lives in the "postgres" database (cron.database_name); tests
# schedule jobs into theirs with cron.schedule_in_database().
case ",$PRELOAD," in
  *,pg_cron,*) as_pg "$PGBIN/psql" -X -q -h "$STATE/sock" -p "$PG_PORT" -U postgres -d postgres \
                 -c "CREATE EXTENSION IF NOT EXISTS pg_cron" ;;
esac

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
export IMPAYES_PARSE_DIR=$PARSE_DIR
export IMPAYES_PARSE_VERSION=$PARSE_VERSION
EOF
# The Cloud Code's database (read by Parse Server, also after restart-parse.sh),
# and the https front-ends: certificates in $STATE/tls, all owned by postgres.
TLS_DIR=$STATE/tls
cat >>"$STATE/env" <<EOF
export IMPAYES_SYNC_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/contrib_regression
export IMPAYES_TLS_URL=https://127.0.0.1:$TLS_PORT/parse
export IMPAYES_TLS_CA=$TLS_DIR/ca.crt
export IMPAYES_TLS_SELFSIGNED_URL=https://127.0.0.1:$TLS_SELFSIGNED_PORT/parse
export IMPAYES_TLS_SELFSIGNED_CERT=$TLS_DIR/selfsigned.crt
export IMPAYES_TLS_WRONGHOST_URL=https://127.0.0.1:$TLS_WRONGHOST_PORT/parse
export IMPAYES_REDIRECT_URL=http://127.0.0.1:$REDIRECT_PORT/parse
EOF
# Parse Server's arguments, one per line, reused by restart-parse.sh.
{
  printf '%s\n' --port "$PARSE_PORT" --app-id "$APP_ID" --master-key-file "$KEY_FILE" \
    --database-uri "postgres://postgres@127.0.0.1:$PG_PORT/parse" --parse-dir "$PARSE_DIR"
  [ -z "$PARSE_CLOUD" ] || printf '%s\n' --cloud "$(realpath "$PARSE_CLOUD")"
} >"$STATE/parse.args"
echo pass >"$STATE/proxy.mode"
chown postgres:postgres "$STATE/env" "$STATE/parse.args" "$STATE/proxy.mode"
load_state "$STATE"

say "starting parse server $PARSE_VERSION (port $PARSE_PORT)"
start_parse

say "starting fault proxy (port $PROXY_PORT)"
"${AS_PG[@]}" setsid "$IMPAYES_NODE" "$HARNESS_DIR/fault-proxy.js" --listen-port "$PROXY_PORT" \
  --target "http://127.0.0.1:$PARSE_PORT" --mode pass --mode-file "$STATE/proxy.mode" \
  --pid-file "$STATE/proxy.pid" </dev/null >>"$STATE/proxy.log" 2>&1 &
wait_until 15 "fault proxy health on $IMPAYES_PROXY_URL/health" http_ok "$IMPAYES_PROXY_URL/health"

# A throwaway CA and, signed by it, a certificate for IP 127.0.0.1 and one
# for another host name; a self-signed certificate for IP 127.0.0.1. EC
# keys (fast), valid 2 days, made as postgres (the backend reads ca.crt).
say "making test certificates"
as_pg mkdir -m 755 "$TLS_DIR"
make_certs() {
  set -e
  cd "$TLS_DIR"
  umask 022
  local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2)
  openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -subj "/CN=impayes_sync test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  local name san
  for name in server wronghost; do
    san=IP:127.0.0.1
    [ "$name" = server ] || san=DNS:wrong-host.invalid
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$name.key" -out "$name.csr" -subj "/CN=impayes_sync test $name"
    printf '%s\n' "subjectAltName=$san" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
      -days 2 -extfile "$name.ext" -out "$name.crt"
  done
  openssl req -x509 "${ec[@]}" -keyout selfsigned.key -out selfsigned.crt -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1"
  chmod 600 ./*.key
}
as_pg bash -c "TLS_DIR=$TLS_DIR; $(declare -f make_certs); make_certs" >"$STATE/openssl.log" 2>&1 ||
  { cat "$STATE/openssl.log" >&2; die "making the test certificates failed"; }

say "starting tls proxy (ports $TLS_PORT, $TLS_SELFSIGNED_PORT, $TLS_WRONGHOST_PORT; redirect $REDIRECT_PORT)"
touch "$STATE/tls-proxy.log"
chown postgres:postgres "$STATE/tls-proxy.log"
"${AS_PG[@]}" setsid "$IMPAYES_NODE" "$HARNESS_DIR/tls-proxy.js" --target "http://127.0.0.1:$PARSE_PORT" \
  --tls "$TLS_PORT:$TLS_DIR/server.crt:$TLS_DIR/server.key" \
  --tls "$TLS_SELFSIGNED_PORT:$TLS_DIR/selfsigned.crt:$TLS_DIR/selfsigned.key" \
  --tls "$TLS_WRONGHOST_PORT:$TLS_DIR/wronghost.crt:$TLS_DIR/wronghost.key" \
  --redirect "$REDIRECT_PORT" --pid-file "$STATE/tls-proxy.pid" \
  </dev/null >>"$STATE/tls-proxy.log" 2>&1 &
# Parse's health through the CA-signed front-end, verified against the CA.
tls_ok() { curl --noproxy "*" -fsS -o /dev/null --max-time 2 --cacert "$IMPAYES_TLS_CA" "$1" 2>/dev/null; }
wait_until 15 "tls proxy health on $IMPAYES_TLS_URL/health" tls_ok "$IMPAYES_TLS_URL/health"
wait_until 15 "redirect stub on $IMPAYES_REDIRECT_URL/health" http_ok "$IMPAYES_REDIRECT_URL/health"

# A second Parse Server whose masterKeyIps leaves out loopback, for test
# 31_master_key_ips: it refuses our master key as a Parse Server on another
# host would. Same application id and key, its own database, port and log.
IPS_PORT=
for _ in 1 2 3 4 5; do
  IPS_PORT=$("$IMPAYES_NODE" "$HARNESS_DIR/free-port.js" 1)
  [[ " ${PORTS[*]} " == *" $IPS_PORT "* ]] || break # not one picked above (the down port)
done
say "starting parse server refusing the master key from loopback (port $IPS_PORT)"
as_pg "$PGBIN/createdb" -h "$STATE/sock" -p "$PG_PORT" -U postgres parse_ips
touch "$STATE/parse-ips.log"
chown postgres:postgres "$STATE/parse-ips.log"
"${AS_PG[@]}" setsid "$IMPAYES_NODE" "$REPO_DIR/test/parse/server.js" --pid-file "$STATE/parse-ips.pid" \
  --port "$IPS_PORT" --app-id "$APP_ID" --master-key-file "$KEY_FILE" \
  --database-uri "postgres://postgres@127.0.0.1:$PG_PORT/parse_ips" --master-key-ips 10.255.255.1/32 \
  </dev/null >>"$STATE/parse-ips.log" 2>&1 &
echo "export IMPAYES_IPS_URL=http://127.0.0.1:$IPS_PORT/parse" >>"$STATE/env"
wait_until 60 "Parse Server (masterKeyIps) health on port $IPS_PORT" \
  http_ok "http://127.0.0.1:$IPS_PORT/parse/health" ||
  { log_tail "$STATE/parse-ips.log"; die "the masterKeyIps Parse Server did not start"; }

say "ready: . $STATE/env"
echo "$STATE"
