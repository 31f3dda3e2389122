#!/usr/bin/env bash
# soak.sh [--state DIR] [--seed N] [--rounds N] [--faults SPEC] [--keep-going]
# The randomized fault soak of impayes_sync (see soak.js). Without --state
# (or IMPAYES_STATE) it starts its own harness and stops it at the end; with
# one it uses that running harness (test/run.sh does). Run as root.
#   bash test/soak/soak.sh --rounds 500 --seed 42          # the long run
#   bash test/soak/soak.sh --seed 42 --rounds 17           # replay up to round 17
#   --faults 'cancel-batch,reset=3'   only these faults (weights)
#   --faults '+late-batch,-parse-down' the default mix, changed
#   --keep-going                       after a violation, reset the class and go on
# The late-batch fault uses the proxy's late-batch mode; the env can change it:
#   SOAK_LATE_BATCH_MODE     proxy mode that holds a batch past request_timeout, then forwards it
#   SOAK_LATE_BATCH_TIMEOUT  request_timeout for that run (default 1s)
#   SOAK_LATE_BATCH_DONE     regex of proxy.log lines ending a held request
#                            (default "forwarded|client-gone"); the soak waits
#                            for as many as there were "holding" lines
# Output: a line per round, a report per violation (seed, round, actions,
# problems, replay command), then "ok soak ..." or "FAILED soak ...".
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
state=${IMPAYES_STATE:-}
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --state) state=$2; shift 2 ;;
    --keep-going) args+=("$1"); shift ;;
    --seed|--rounds|--faults|--initial-rows) args+=("$1" "$2"); shift 2 ;;
    *) echo "soak.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

own=
if [ -z "$state" ]; then
  make -s >/dev/null && make -s install >/dev/null
  state=$(mktemp -d /tmp/impayes-soak-XXXXXX)
  chmod 755 "$state"
  own=1
  trap 'test/harness/stop.sh "$state" >/dev/null 2>&1 || true' EXIT
  test/harness/start.sh "$state" >/dev/null 2>"$state.start.log" || { cat "$state.start.log" >&2; exit 1; }
  rm -f "$state.start.log"
fi
# shellcheck disable=SC1091
. "$state/env"
export IMPAYES_REPO="$repo"
# The checks must see what they look for before the soak relies on them.
rc=0
node test/soak/check.test.js || rc=1
# The log lands in the state dir, where test/run.sh looks for the master key.
node test/soak/soak.js "${args[@]}" 2>&1 | tee "$state/soak.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
[ -z "$own" ] || echo "soak: harness $state stopped" >&2
exit "$rc"
