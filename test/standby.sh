#!/usr/bin/env bash
# Hot standby (issue 8, item 5): a streaming standby of the harness cluster
# (pg_basebackup -R, as the postgres OS user, on a free loopback port) must
# refuse impayes_sync() at once, dry runs too, with success:false, before
# any HTTP and without starting a history worker (1.0 waited forever).
# Needs the harness env (. STATE/env). Prints "ok ..." / "FAILED ..." lines.
set -uo pipefail
# shellcheck source=harness/lib.sh
. "$(dirname "$0")/harness/lib.sh"
: "${IMPAYES_STATE:?source the harness env first}"
dir="$IMPAYES_STATE/standby"
port=$("$IMPAYES_NODE" "$HARNESS_DIR/free-port.js" 1)
psql_primary() { "$PGBIN/psql" -X -q -At -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"; }
psql_standby() { "$PGBIN/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres "$@"; }
cleanup() { as_pg "$PGBIN/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

# Replication connections need their own pg_hba line.
hba=$(psql_primary -d postgres -c 'SHOW hba_file')
grep -q '^host replication' "$hba" ||
  as_pg sh -c "echo 'host replication all 127.0.0.1/32 trust' >> '$hba'"
psql_primary -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
rm -rf "$dir"
if ! as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$dir" -R -X stream --checkpoint=fast \
  >"$IMPAYES_STATE/standby-basebackup.log" 2>&1; then
  echo "FAILED: standby: pg_basebackup (see $IMPAYES_STATE/standby-basebackup.log)"
  exit 0
fi
# Its own port; no pg_cron scheduler on a standby copy.
as_pg sh -c "printf \"port = $port\\nshared_preload_libraries = 'impayes_sync'\\n\" >> '$dir/postgresql.auto.conf'"
if ! as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$IMPAYES_STATE/standby.log" -w -t 60 start >/dev/null; then
  echo "FAILED: standby: did not start (see $IMPAYES_STATE/standby.log)"
  exit 0
fi
check() {  # name, sql, expected output
  local got
  got=$(psql_standby -d contrib_regression -c "SET statement_timeout = '30s'" -c "$2" 2>&1)
  if [ "$got" = "$3" ]; then echo "ok standby: $1"; else
    echo "FAILED standby: $1: got [$got], expected [$3]"
  fi
}
check "in recovery" "SELECT pg_is_in_recovery()" "t"
refusal="false|impayes_sync cannot run on a hot standby (the server is in recovery): run it on the primary"
check "a run is refused" "SELECT r->>'success', r->>'error' FROM impayes_sync() r" "$refusal"
check "a dry run is refused" \
  "SELECT r->>'success', r->>'error' FROM impayes_sync(dry_run => true) r" "$refusal"
check "no history worker running" \
  "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'impayes_sync history'" "0"
