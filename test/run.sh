#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine (as root):
# installs what it needs, builds the Debian package (make deb), checks it and
# installs it (apt-get; or unpacks it into the private PostgreSQL PG_CONFIG
# names), runs the GoogleTest unit tests, then starts a throwaway PostgreSQL
# 15 cluster and a real Parse Server (pinned by test/parse/package-lock.json)
# on free loopback ports and runs the pg_regress suite against the packaged
# files; at the end, apt-get remove must take the package away.
# Ends with one line "tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

scripts/install-deps.sh
echo "== format"
# The tree follows its .clang-format: a difference fails the run.
if ! git ls-files -- 'src/*.cpp' 'src/*.hpp' 'test/unit/*.cpp' 'test/unit/*.hpp' |
  xargs clang-format --dry-run --Werror; then
  echo "clang-format: the files above differ from .clang-format (run: clang-format -i FILE)" >&2
  exit 1
fi
echo "== build (make deb)"
# The package build compiles the tree with the Makefile's -Wall -Wextra.
make -s deb || exit 1
if grep -E 'warning:' dist/build.log; then echo "build has warnings (dist/build.log)" >&2; exit 1; fi

passed=0
failed=0
# count LOG: adds its "ok" and "FAILED" lines to the totals.
count() {
  passed=$((passed + $(grep -c '^ok ' "$1" || true)))
  failed=$((failed + $(grep -c '^FAILED' "$1" || true)))
}
echo "== package"
package_log=$(mktemp)
test/package.sh check 2>&1 | tee "$package_log" || true
test/package.sh install 2>&1 | tee -a "$package_log" || true
count "$package_log"
if grep -q '^FAILED apt-get install' "$package_log"; then
  echo "tests: $passed passed, $failed failed"
  exit 1
fi

# No assert() in the shared library: a failed RapidJSON check throws
# (src/core/rapidjson_config.hpp) instead of aborting the backend.
so="$("${PG_CONFIG:-pg_config}" --pkglibdir)/impayes_sync.so"
if nm -D --undefined-only "$so" | grep -q '__assert_fail'; then
  echo "FAILED: impayes_sync.so calls assert() (__assert_fail): a failed check would abort the backend" >&2
  failed=$((failed + 1))
else
  echo "ok: impayes_sync.so has no assert()"
  passed=$((passed + 1))
fi
echo "== unit tests"
unit_log=$(mktemp)
if make -s -C test/unit check 2>&1 | tee "$unit_log"; then :; fi
unit_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$unit_log" | tail -1)
unit_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$unit_log" | tail -1)
if [ -z "$unit_pass" ] && [ -z "$unit_fail" ]; then unit_fail=1; fi
passed=$((passed + ${unit_pass:-0}))
failed=$((failed + ${unit_fail:-0}))

echo "== regression tests (PostgreSQL + Parse Server)"
state=$(mktemp -d /tmp/impayes-test-XXXXXX)
chmod 755 "$state"
trap 'test/harness/stop.sh "$state" >/dev/null 2>&1 || true' EXIT
test/harness/start.sh "$state"
# shellcheck disable=SC1091
. "$state/env"
export IMPAYES_REPO="$repo"
regress_log=$(mktemp)
if make -s installcheck 2>&1 | tee "$regress_log"; then :; fi
reg_pass=$(grep -cE '^(ok|test) .* ok( |$)|^ok ' "$regress_log" || true)
reg_pass=$(grep -cE '(^|[[:space:]])ok([[:space:]]|$)' "$regress_log" || true)
reg_fail=$(grep -cE 'FAILED|failed \(ignored\)' "$regress_log" || true)
if ! grep -qE 'All [0-9]+ tests passed' "$regress_log"; then
  [ "$reg_fail" -gt 0 ] || reg_fail=1
  [ -f regression.diffs ] && head -c 20000 regression.diffs
fi
passed=$((passed + reg_pass))
failed=$((failed + reg_fail))

echo "== soak (randomized faults; replay: bash test/soak/soak.sh --seed N --rounds R)"
# A short run against the same harness: the "ok"/"FAILED" lines count.
soak_log=$(mktemp)
if bash test/soak/soak.sh --state "$state" --seed "${SOAK_SEED:-20261201}" --rounds "${SOAK_ROUNDS:-25}" 2>&1 |
  tee "$soak_log"; then :; fi
soak_pass=$(grep -cE '^ok ' "$soak_log" || true)
soak_fail=$(grep -cE '^FAILED' "$soak_log" || true)
# No final "ok soak seed=..." or "FAILED soak" line: the soak itself broke.
grep -qE '^(ok soak seed=|FAILED soak)' "$soak_log" || soak_fail=$((soak_fail + 1))
passed=$((passed + soak_pass))
failed=$((failed + soak_fail))

echo "== hot standby (a second cluster streaming from the harness's)"
standby_log=$(mktemp)
test/standby.sh 2>&1 | tee "$standby_log" || true
passed=$((passed + $(grep -c '^ok ' "$standby_log" || true)))
failed=$((failed + $(grep -c '^FAILED' "$standby_log" || true)))

echo "== continuous sync (impayes_sync.watch: a harness cluster of its own)"
watch_log=$(mktemp)
test/watch/watch.sh 2>&1 | tee "$watch_log" || true
passed=$((passed + $(grep -c '^ok - watch' "$watch_log" || true)))
failed=$((failed + $(grep -c '^FAILED - watch' "$watch_log" || true)))
grep -qE '^watch: [0-9]+ passed' "$watch_log" || failed=$((failed + 1))

# The master key must appear nowhere in the server or Parse logs.
key=$(cat "$IMPAYES_MASTER_KEY_FILE")
if grep -rqF -- "$key" "$IMPAYES_PG_LOG" "$state"/*.log results/ 2>/dev/null; then
  echo "FAILED: the master key appears in a log or result file" >&2
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi

# --- The fleet: HAProxy over two Parse Server 9.10 instances on one database
# (test/fleet/fleet.sh, on this harness's PostgreSQL; one ok/FAILED line per check).
echo "== fleet (HAProxy, two Parse Server instances)"
fleet_log=$(mktemp)
if test/fleet/fleet.sh "$state" 2>&1 | tee "$fleet_log"; then :; fi
fleet_pass=$(grep -c '^ok - fleet' "$fleet_log" || true)
fleet_fail=$(grep -c '^FAILED - fleet' "$fleet_log" || true)
grep -qE '^fleet: [0-9]+ passed' "$fleet_log" || [ "$fleet_fail" -gt 0 ] || fleet_fail=1
passed=$((passed + fleet_pass))
failed=$((failed + fleet_fail))

# --- Parse Server 8.6 LTS: the core of the regression suite again, in a second
# harness (test/parse-8.6), results kept apart in $out86.
echo "== regression tests against Parse Server 8.6 LTS (core subset)"
# One line: make takes REGRESS on its command line.
REGRESS_86="00_setup 01_settings 02_first_sync 03_changes 04_types 05_bad_input 06_faults"
REGRESS_86+=" 07_cloud_code 08_tls 09_batch_faults 10_cancel 12_history 13_on_missing 14_security"
REGRESS_86+=" 16_incremental 30_response_cap 32_schema_lost_answer 35_late_batch 36_long_keys"
REGRESS_86+=" 37_stream_chunks 38_stream_push_failure 39_stream_cancel"
state86=$(mktemp -d /tmp/impayes-test86-XXXXXX)
chmod 755 "$state86"
out86=$(mktemp -d /tmp/impayes-regress86-XXXXXX)
trap 'test/harness/stop.sh "$state" >/dev/null 2>&1 || true; test/harness/stop.sh "$state86" >/dev/null 2>&1 || true' EXIT
regress86_log=$(mktemp)
if (IMPAYES_PARSE_DIR=test/parse-8.6 test/harness/start.sh "$state86" >/dev/null &&
  . "$state86/env" && make -s installcheck REGRESS="$REGRESS_86" \
    REGRESS_OPTS="--load-extension=impayes_sync --dbname=contrib_regression --outputdir=$out86") 2>&1 | tee "$regress86_log"; then :; fi
reg86_pass=$(grep -cE '(^|[[:space:]])ok([[:space:]]|$)' "$regress86_log" || true)
reg86_fail=$(grep -cE 'FAILED|failed \(ignored\)' "$regress86_log" || true)
n86=$(wc -w <<<"$REGRESS_86")
if ! grep -qE "All $n86 tests passed" "$regress86_log"; then
  [ "$reg86_fail" -gt 0 ] || reg86_fail=1
  [ -f "$out86/regression.diffs" ] && head -c 20000 "$out86/regression.diffs"
fi
passed=$((passed + reg86_pass))
failed=$((failed + reg86_fail))
key86=$(cat "$state86/master.key" 2>/dev/null || echo missing-key-file)
if grep -rqF -- "$key86" "$state86"/*.log "$out86" 2>/dev/null; then
  echo "FAILED: the 8.6 harness's master key appears in a log or result file" >&2
  failed=$((failed + 1))
else
  passed=$((passed + 1))
fi
test/harness/stop.sh "$state86" >/dev/null 2>&1 || true

# Last: apt-get remove takes the package away (the harness still runs; its
# backends keep the library they loaded).
test/package.sh remove 2>&1 | tee "$package_log" || true
count "$package_log"

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
