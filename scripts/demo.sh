#!/usr/bin/env bash
# Demo on a built-in local default: installs what is needed, builds and
# installs the extension, starts a throwaway PostgreSQL 15 cluster and a
# real Parse Server on free loopback ports, loads demo invoices, and runs
# SELECT impayes_sync() twice (the second run skips everything).
# IMPAYES_KEEP=1 leaves the servers running and prints how to reach them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
echo "== build and install the extension"
make -s >/tmp/impayes-build.log 2>&1 || { cat /tmp/impayes-build.log; exit 1; }
make -s install >/dev/null

state=$(mktemp -d /tmp/impayes-demo-XXXXXX)
chmod 755 "$state"
if [ "${IMPAYES_KEEP:-0}" != 1 ]; then
  trap 'test/harness/stop.sh "$state" >/dev/null 2>&1 || true' EXIT
fi
test/harness/start.sh "$state"
# shellcheck disable=SC1091
. "$state/env"

echo "== demo invoices"
psql -X -q -v ON_ERROR_STOP=1 -f scripts/demo-data.sql

for run in 1 2; do
  echo "== SELECT impayes_sync();  -- run $run"
  psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT jsonb_pretty(impayes_sync())"
done
echo "== what Parse Server holds now"
node test/tools/parse-admin.js --url "$IMPAYES_PARSE_URL" --app "$IMPAYES_APP_ID" \
  --key-file "$IMPAYES_MASTER_KEY_FILE" count Impayes | sed 's/^/objects in class Impayes: /'
if [ "${IMPAYES_KEEP:-0}" = 1 ]; then
  echo "servers kept running: . $state/env; psql; stop with test/harness/stop.sh $state"
fi
