# A fleet on the harness's PostgreSQL (sourced by test/fleet/fleet.sh and
# bench/fleet.sh, after test/harness/lib.sh and load_state): two Parse Server
# instances on one Parse database and HAProxy in front of them.
# shellcheck shell=bash

# fleet_start DIR DATABASE HOOKS: Parse Servers a and b on DATABASE (created
# by the caller), with databaseOptions.enableSchemaHooks = HOOKS (true|false),
# and HAProxy with two frontends on free loopback ports: FLEET_LB_URL
# balances round-robin over a and b, FLEET_SINGLE_URL goes to a only (the
# same path, one instance: the reference of a benchmark). Also sets
# FLEET_URL_A and FLEET_URL_B. Stop it all with fleet_stop DIR.
fleet_start() {
  local dir=$1 db=$2 hooks=$3 ports
  mapfile -t ports < <("$IMPAYES_NODE" "$HARNESS_DIR/free-port.js" 4)
  [ "${#ports[@]}" -eq 4 ] || die "free-port.js did not return 4 ports"
  FLEET_URL_A=http://127.0.0.1:${ports[0]}/parse
  FLEET_URL_B=http://127.0.0.1:${ports[1]}/parse
  FLEET_LB_URL=http://127.0.0.1:${ports[2]}/parse
  FLEET_SINGLE_URL=http://127.0.0.1:${ports[3]}/parse
  # One at a time: each creates Parse's own tables at its first start.
  fleet_start_instance "$dir" a "${ports[0]}" "$db" "$hooks"
  fleet_start_instance "$dir" b "${ports[1]}" "$db" "$hooks"
  # HAProxy in the foreground under setsid (it logs to stdout: no syslog),
  # one log line per request. In HTTP mode it balances each request of a
  # kept-alive client connection, not each connection.
  cat >"$dir/haproxy.cfg" <<CFG
global
  log stdout format raw local0
  maxconn 256
defaults
  mode http
  log global
  option httplog
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fleet
  bind 127.0.0.1:${ports[2]}
  default_backend parse
frontend single
  bind 127.0.0.1:${ports[3]}
  default_backend parse_a
backend parse
  balance roundrobin
  server a 127.0.0.1:${ports[0]}
  server b 127.0.0.1:${ports[1]}
backend parse_a
  server a 127.0.0.1:${ports[0]}
CFG
  haproxy -c -q -f "$dir/haproxy.cfg" || die "$dir/haproxy.cfg does not check"
  touch "$dir/haproxy.log"
  chown postgres:postgres "$dir/haproxy.log"
  "${AS_PG[@]}" setsid haproxy -db -f "$dir/haproxy.cfg" </dev/null >>"$dir/haproxy.log" 2>&1 &
  echo $! >"$dir/haproxy.pid"
  wait_until 15 "HAProxy on $FLEET_LB_URL/health" http_ok "$FLEET_LB_URL/health" ||
    { log_tail "$dir/haproxy.log"; die "HAProxy did not start"; }
}

fleet_start_instance() {
  local dir=$1 name=$2 port=$3 db=$4 hooks=$5
  touch "$dir/parse-$name.log"
  chown postgres:postgres "$dir/parse-$name.log"
  "${AS_PG[@]}" setsid "$IMPAYES_NODE" "$REPO_DIR/test/parse/server.js" --port "$port" \
    --app-id "$IMPAYES_APP_ID" --master-key-file "$IMPAYES_MASTER_KEY_FILE" \
    --database-uri "postgres://postgres@127.0.0.1:$PGPORT/$db" \
    --parse-dir "$IMPAYES_PARSE_DIR" --schema-hooks "$hooks" --pid-file "$dir/parse-$name.pid" \
    </dev/null >>"$dir/parse-$name.log" 2>&1 &
  wait_until 60 "Parse Server $name" http_ok "http://127.0.0.1:$port/parse/health" ||
    { log_tail "$dir/parse-$name.log"; die "Parse Server $name did not start"; }
}

fleet_stop() {
  stop_pidfile "$1/haproxy.pid" haproxy TERM || true
  stop_pidfile "$1/parse-a.pid" server.js TERM || true
  stop_pidfile "$1/parse-b.pid" server.js TERM || true
}
