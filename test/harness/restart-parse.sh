#!/usr/bin/env bash
# restart-parse.sh STATE_DIR: (re)start Parse Server on the SAME port and
# wait for /parse/health. A running one is stopped first (SIGTERM, then
# SIGKILL). Works as root or as postgres (e.g. from SQL via COPY ... FROM
# PROGRAM), so the server is detached from the caller's stdout.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
load_state "${1:-}"
cd "$IMPAYES_STATE"
show_log_on_failure() { local rc=$?; [ "$rc" -eq 0 ] || log_tail "$IMPAYES_STATE/parse.log"; }
trap show_log_on_failure EXIT

stop_pidfile "$IMPAYES_STATE/parse.pid" server.js TERM
check_pg_access
start_parse
echo "parse restarted"
