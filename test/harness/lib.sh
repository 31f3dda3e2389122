# Shared helpers for the harness scripts (sourced, not run).
# shellcheck shell=bash

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/../.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# COPY ... FROM PROGRAM runs us with the postmaster's environment: be explicit.
export PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin:${PATH:-}"

die() { echo "ERROR: $*" >&2; exit 1; }

# Command prefix that runs a command as the postgres OS user (empty when we
# already are it). setpriv execs in place: no lingering root parent, and a
# backgrounded "${AS_PG[@]}" cmd & is a plain exec, so $! is the real pid.
if [ "$(id -u)" -eq 0 ]; then
  AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
elif [ "$(id -un)" = postgres ]; then
  AS_PG=()
else
  echo "ERROR: run as root or as the postgres OS user (now: $(id -un))" >&2
  exit 1
fi
as_pg() { "${AS_PG[@]}" "$@"; }

# Prints the last lines of each given log file that exists.
log_tail() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 30 "$f" >&2
  done
}

# pid_alive PIDFILE NAME: true if the pid in PIDFILE runs a command line
# containing NAME (guards against a recycled pid).
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  pid=$(cat "$1")
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2"
}

# wait_until SECONDS DESCRIPTION CMD...: bounded polling of a real condition.
wait_until() {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$((SECONDS + limit))
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "ERROR: timed out after ${limit}s waiting for $what" >&2
      return 1
    fi
    sleep 0.1 # poll interval, not a synchronisation
  done
}

http_ok() { curl --noproxy "*" -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }
port_closed() { ! curl --noproxy "*" -s -o /dev/null --max-time 2 "$1"; }

# stop_pidfile PIDFILE NAME SIGNAL: signal the process, wait (bounded) until
# it is gone, escalate to SIGKILL; tolerant of it not running.
stop_pidfile() {
  local pidfile=$1 name=$2 sig=${3:-TERM} pid
  pid_alive "$pidfile" "$name" || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill -s "$sig" "$pid" 2>/dev/null || true
  if ! wait_until 10 "$name (pid $pid) to exit" pid_gone "$pid" 2>/dev/null; then
    kill -s KILL "$pid" 2>/dev/null || true
    wait_until 5 "$name (pid $pid) to die" pid_gone "$pid" || return 1
  fi
  rm -f "$pidfile"
}
pid_gone() { ! kill -0 "$1" 2>/dev/null && return 0; [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = Z ]; }

# Starts Parse Server as postgres, detached, on IMPAYES_PARSE_PORT; waits for
# /parse/health. Needs the STATE_DIR/env variables. Callers show parse.log.
start_parse() {
  local state=$IMPAYES_STATE
  [ -f "$state/parse.args" ] || die "$state/parse.args missing (not a start.sh state dir?)"
  local -a extra=()
  mapfile -t extra <"$state/parse.args"
  "${AS_PG[@]}" setsid "$IMPAYES_NODE" "$REPO_DIR/test/parse/server.js" \
    --pid-file "$state/parse.pid" "${extra[@]}" \
    </dev/null >>"$state/parse.log" 2>&1 &
  wait_until "${IMPAYES_PARSE_WAIT:-60}" "Parse Server health on $IMPAYES_PARSE_URL/health" \
    parse_healthy "$!"
}
# True once healthy; ends the script at once if the server process died.
parse_healthy() {
  kill -0 "$1" 2>/dev/null || die "Parse Server exited during startup (see $IMPAYES_STATE/parse.log)"
  http_ok "$IMPAYES_PARSE_URL/health"
}

load_state() {
  local state=${1:-}
  [ -n "$state" ] || die "usage: $(basename "$0") STATE_DIR"
  [ -f "$state/env" ] || die "$state/env not found (was start.sh run with this STATE_DIR?)"
  # shellcheck disable=SC1091
  . "$state/env"
}

check_pg_access() {
  local f
  for f in "$REPO_DIR/test/parse/server.js" "${IMPAYES_PARSE_DIR:-$REPO_DIR/test/parse}/node_modules/parse-server/package.json" \
    "$HARNESS_DIR/fault-proxy.js"; do
    as_pg test -r "$f" || die "the postgres OS user cannot read $f: make the repo (and its parents) world-readable/traversable, and run scripts/install-deps.sh"
  done
  as_pg "$IMPAYES_NODE" -e 0 || die "the postgres OS user cannot run $IMPAYES_NODE"
}
