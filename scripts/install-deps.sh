#!/usr/bin/env bash
# install-deps.sh: everything needed to build impayes_sync and run its tests
# against real servers on Debian 12. Idempotent and quiet: one line per step;
# details go to $IMPAYES_DEPS_LOG (default /tmp/impayes-install-deps.log),
# whose tail is printed on failure.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "$0")/.." && pwd)
LOG=${IMPAYES_DEPS_LOG:-/tmp/impayes-install-deps.log}
NODE_MIN=20.19.0
PACKAGES=(build-essential g++ make postgresql-15 postgresql-server-dev-15 postgresql-15-cron
  libcurl4-openssl-dev rapidjson-dev libgtest-dev curl ca-certificates openssl clang-format git
  debhelper dpkg-dev postgresql-server-dev-all)  # the last three: make deb (dh + pg_buildext)
# The fleet test (test/fleet/fleet.sh) balances two Parse Servers with HAProxy.
PACKAGES+=(haproxy)
# The benchmark (bench/run.sh) draws its figures with gnuplot.
PACKAGES+=(gnuplot-nox)
export DEBIAN_FRONTEND=noninteractive
: >"$LOG"

fail() {
  echo "install-deps: FAILED: $*" >&2
  if [ -s "$LOG" ]; then
    echo "----- last lines of $LOG -----" >&2
    tail -n 40 "$LOG" >&2
  fi
  exit 1
}
# step DESCRIPTION CMD...: run quietly into the log.
step() {
  local what=$1
  shift
  echo "== $what" >>"$LOG"
  "$@" >>"$LOG" 2>&1 || fail "$what"
  echo "install-deps: $what: ok"
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_install() {
  [ "$(id -u)" -eq 0 ] || fail "missing Debian packages ($*): run this script as root"
  step "apt-get update" apt-get update
  step "apt-get install $*" apt-get install -y --no-install-recommends "$@"
}
# version_ge A B: A >= B for dotted versions.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# 1. Debian packages (apt-get update only when something is missing).
missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
else
  echo "install-deps: Debian packages: already installed"
fi

# 2. Node >= 20.19 (Parse Server 9). Debian 12's nodejs is older, so it is
#    only tried when there is no node at all.
if ! command -v node >/dev/null 2>&1; then
  apt_install nodejs npm
fi
NODE_VERSION=$(node -p 'process.versions.node' 2>>"$LOG") || fail "node does not run"
version_ge "$NODE_VERSION" "$NODE_MIN" ||
  fail "node $NODE_VERSION at $(command -v node) is too old: Parse Server 9 needs node >= $NODE_MIN (Debian 12's nodejs is too old; install a newer node first)"
command -v npm >/dev/null 2>&1 || fail "npm not found next to node $(command -v node)"
echo "install-deps: node $NODE_VERSION: ok"

# 3. Parse Server's npm packages, from the committed lockfiles: 9.10.0 in
#    test/parse, the 8.6 LTS line in test/parse-8.6. Each is skipped when its
#    node_modules was installed from this very lockfile and node version.
for dir in test/parse test/parse-8.6; do
  cd "$REPO_DIR/$dir"
  STAMP=node_modules/.impayes-deps-stamp
  want=$(cat package.json package-lock.json <(echo "$NODE_VERSION") | sha256sum | cut -d' ' -f1)
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    echo "install-deps: npm ci ($dir): up to date"
  else
    step "npm ci ($dir)" npm ci --no-audit --no-fund
    echo "$want" >"$STAMP"
  fi
done

# 4. The harness runs node as the postgres OS user, which must read the repo.
if id postgres >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  for dir in test/parse test/parse-8.6; do
    setpriv --reuid=postgres --regid=postgres --init-groups -- \
      test -r "$REPO_DIR/$dir/node_modules/parse-server/package.json" ||
      fail "the postgres OS user cannot read $REPO_DIR/$dir/node_modules: make the repo and its parent directories world-readable (chmod o+rx)"
  done
  echo "install-deps: repo readable by postgres: ok"
fi
