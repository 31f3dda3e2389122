#!/usr/bin/env bash
# kill-parse.sh STATE_DIR: stop Parse Server hard (SIGKILL) and wait until it
# is gone and its port refuses connections. Works as root or as postgres
# (e.g. from SQL: COPY t FROM PROGRAM '.../kill-parse.sh STATE_DIR').
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
load_state "${1:-}"
cd "$IMPAYES_STATE"

if ! pid_alive "$IMPAYES_STATE/parse.pid" server.js; then
  echo "parse not running"
  exit 0
fi
stop_pidfile "$IMPAYES_STATE/parse.pid" server.js KILL
wait_until 10 "port $IMPAYES_PARSE_PORT to refuse connections" port_closed "$IMPAYES_PARSE_URL/health"
echo "parse killed"
