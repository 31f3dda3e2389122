#!/usr/bin/env bash
# stop.sh STATE_DIR: stop the tls and fault proxies, Parse Server and PostgreSQL started
# by start.sh (whatever of them still runs), then remove STATE_DIR unless
# IMPAYES_KEEP=1.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

STATE=${1:-}
[ -n "$STATE" ] || die "usage: stop.sh STATE_DIR"
[ -d "$STATE" ] || { echo "stop.sh: $STATE does not exist, nothing to stop"; exit 0; }
STATE=$(cd "$STATE" && pwd)
# Never act on (or delete) a directory start.sh did not create.
[ -f "$STATE/.impayes-state" ] || die "$STATE is not a start.sh state dir (no .impayes-state marker)"
cd "$STATE"
export IMPAYES_STATE=$STATE
rc=0

stop_pidfile "$STATE/tls-proxy.pid" tls-proxy.js TERM || rc=1
stop_pidfile "$STATE/proxy.pid" fault-proxy.js TERM || rc=1
stop_pidfile "$STATE/parse.pid" server.js TERM || rc=1
stop_pidfile "$STATE/parse-ips.pid" server.js TERM || rc=1  # the masterKeyIps one
if [ -f "$STATE/pgdata/postmaster.pid" ]; then
  as_pg "$PGBIN/pg_ctl" -D "$STATE/pgdata" -m fast -w -t 60 stop >/dev/null || rc=1
fi

if [ "${IMPAYES_KEEP:-0}" = 1 ]; then
  echo "stopped; kept $STATE"
elif [ "$rc" -eq 0 ]; then
  cd /
  rm -rf -- "$STATE"
  echo "stopped; removed $STATE"
else
  echo "ERROR: something did not stop; kept $STATE" >&2
fi
exit "$rc"
