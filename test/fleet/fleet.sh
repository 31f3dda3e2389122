#!/usr/bin/env bash
# fleet.sh STATE_DIR: impayes_sync through HAProxy balancing round-robin over
# two Parse Server instances on one Parse database (a fleet).
# Needs a running harness (test/harness/start.sh STATE_DIR): it uses its
# PostgreSQL (two fresh databases, fleet_parse for Parse and fleet_src for
# the source) and starts its own two Parse Servers and HAProxy on free
# loopback ports, stopped again at the end. Prints one "ok"/"FAILED" line
# per check. Env: FLEET_SCHEMA_HOOKS (default true) sets Parse Server's
# databaseOptions.enableSchemaHooks on both instances; false shows what a
# fleet without it does with a retyped field (check 4 then expects b to
# refuse it).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
load_state "${1:-}"
HOOKS=${FLEET_SCHEMA_HOOKS:-true}
FLEET=$IMPAYES_STATE/fleet
CLASS=FleetImpayes
rm -rf "$FLEET"
as_pg mkdir -m 755 "$FLEET"
cd "$FLEET"
trap 'fleet_stop "$FLEET"' EXIT

passed=0
failed=0
ok() { echo "ok - fleet: $1"; passed=$((passed + 1)); }
not_ok() { echo "FAILED - fleet: $1" >&2; failed=$((failed + 1)); }
psql_src() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$IMPAYES_STATE/sock" -U postgres -d fleet_src "$@"; }
# check DESCRIPTION SQL: ok when the query prints "t".
check() {
  local got
  got=$(psql_src -c "$2" 2>&1) || true
  if [ "$got" = t ]; then ok "$1"; else not_ok "$1 (got: $got)"; fi
}

# A rerun on the same harness starts afresh.
PGOPTIONS='-c client_min_messages=warning' psql_src -d postgres \
  -c "DROP DATABASE IF EXISTS fleet_parse WITH (FORCE)" -c "DROP DATABASE IF EXISTS fleet_src WITH (FORCE)"
as_pg "$PGBIN/createdb" -h "$IMPAYES_STATE/sock" -U postgres fleet_parse
as_pg "$PGBIN/createdb" -h "$IMPAYES_STATE/sock" -U postgres fleet_src

fleet_start "$FLEET" fleet_parse "$HOOKS"
LB_URL=$FLEET_LB_URL URL_A=$FLEET_URL_A URL_B=$FLEET_URL_B

# The source, the extension and helpers: every check reads Parse back
# directly from each instance (not through HAProxy).
psql_src <<EOF
CREATE EXTENSION impayes_sync;
CREATE TABLE impayes (numero_facture text PRIMARY KEY, client text NOT NULL,
                      montant numeric(12,2) NOT NULL, echeance date);
INSERT INTO impayes
SELECT format('F%s', lpad(i::text, 5, '0')), format('Client %s', i % 37), i * 1.25,
       date '2026-01-01' + i
FROM generate_series(1, 300) AS i;
CREATE FUNCTION dump(url text) RETURNS SETOF jsonb LANGUAGE plpgsql AS \$\$
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS dump_out (line text);
  TRUNCATE dump_out;
  EXECUTE format('COPY dump_out FROM PROGRAM %L',
    format('%s %s/test/tools/parse-dump.js --url %s --app %s --key-file %s --class $CLASS --copy',
           '$IMPAYES_NODE', '$REPO_DIR', url, '$IMPAYES_APP_ID', '$IMPAYES_MASTER_KEY_FILE'));
  RETURN QUERY SELECT line::jsonb FROM dump_out;
END \$\$;
-- Rows of the source and objects of one instance that differ (0 = in step).
CREATE FUNCTION differences(url text) RETURNS bigint LANGUAGE sql AS \$\$
  WITH d AS (SELECT * FROM dump(url) AS o)
  SELECT (SELECT count(*) FROM impayes s FULL JOIN d ON d.o->>'numero_facture' = s.numero_facture
          WHERE s.numero_facture IS NULL OR d.o IS NULL
             OR (d.o->>'montant')::numeric <> s.montant OR d.o->>'client' <> s.client
             OR d.o->'echeance'->>'iso' IS DISTINCT FROM to_char(s.echeance, 'YYYY-MM-DD"T00:00:00.000Z"')
             OR d.o->>'note' IS DISTINCT FROM
                (CASE WHEN to_jsonb(s) ? 'note' THEN to_jsonb(s)->>'note' END))
       + (SELECT count(*) - count(DISTINCT d.o->>'numero_facture') FROM d)
\$\$;
CREATE TABLE results (step text PRIMARY KEY, r jsonb);
EOF
# sync STEP: one run through HAProxy, its result kept in table results.
sync() {
  psql_src <<EOF
SET impayes_sync.parse_url = '$LB_URL';
SET impayes_sync.class_name = '$CLASS';
SET impayes_sync.on_missing = 'delete';
SET impayes_sync.batch_size = 25;
INSERT INTO results SELECT '$1', impayes_sync();
EOF
}
# in_step STEP: the run succeeded with the expected counts, and both
# instances read the class exactly as the source is.
in_step() {
  local step=$1 counts=$2
  check "$step: success, $counts" "SELECT r->>'success' = 'true' AND format('inserted=%s updated=%s deleted=%s', r->'inserted', r->'updated', r->'deleted') = '$counts' FROM results WHERE step = '$step'"
  check "$step: instance a reads every object once, as in the source" "SELECT differences('$URL_A') = 0"
  check "$step: instance b reads every object once, as in the source" "SELECT differences('$URL_B') = 0"
}
# served_by_both FROM_LINE: HAProxy sent /batch requests to both instances.
served_by_both() {
  local a b
  a=$(tail -n +"$1" "$FLEET/haproxy.log" | grep -c 'parse/a .*"POST /parse/batch' || true)
  b=$(tail -n +"$1" "$FLEET/haproxy.log" | grep -c 'parse/b .*"POST /parse/batch' || true)
  if [ "$a" -gt 0 ] && [ "$b" -gt 0 ]; then ok "$2: /batch requests went to both instances ($a, $b)"
  else not_ok "$2: /batch requests did not reach both instances (a: $a, b: $b)"; fi
}
log_line() { echo $(($(wc -l <"$FLEET/haproxy.log") + 1)); }

# 1. First sync into a class that does not exist yet.
from=$(log_line)
sync first
in_step first "inserted=300 updated=0 deleted=0"
served_by_both "$from" first
creates=$(grep -c "\"POST /parse/schemas/$CLASS " "$FLEET/haproxy.log" || true)
if [ "$creates" -eq 1 ]; then ok "first: the class was created once (one POST /schemas/$CLASS)"
else not_ok "first: POST /schemas/$CLASS sent $creates times"; fi
got=$(psql_src -d fleet_parse -c "SELECT count(*) FROM \"_SCHEMA\" WHERE \"className\" = '$CLASS'" 2>&1 || true)
if [ "$got" = 1 ]; then ok "first: one $CLASS class in Parse's _SCHEMA"; else not_ok "first: _SCHEMA rows for $CLASS: $got"; fi

# 2. Changes, new invoices, paid ones deleted (on_missing = delete).
psql_src -c "UPDATE impayes SET montant = montant + 100 WHERE numero_facture <= 'F00030'" \
  -c "DELETE FROM impayes WHERE numero_facture > 'F00290'" \
  -c "INSERT INTO impayes VALUES ('F90001', 'Nouveau', 1, NULL), ('F90002', 'Nouveau', 2, date '2026-12-31')"
from=$(log_line)
sync changes
in_step changes "inserted=2 updated=30 deleted=10"
served_by_both "$from" changes

# 3. A field added between two runs (a new source column), set on every row.
psql_src -c "ALTER TABLE impayes ADD COLUMN note text" -c "UPDATE impayes SET note = 'relance ' || numero_facture"
from=$(log_line)
sync new_field
in_step new_field "inserted=0 updated=292 deleted=0"
served_by_both "$from" new_field
for url in "$URL_A" "$URL_B"; do
  schema=$("$IMPAYES_NODE" "$REPO_DIR/test/tools/parse-admin.js" --url "$url" --app "$IMPAYES_APP_ID" \
    --key-file "$IMPAYES_MASTER_KEY_FILE" schema "$CLASS" 2>&1 | tr '\n' ' ')
  if [[ "$schema" == *"note String"* ]]; then ok "new_field: ${url%/parse} lists note String"
  else not_ok "new_field: ${url%/parse} schema: $schema"; fi
done

# 4. Parse's per-instance schema cache: a field retyped through instance a
#    (deleted, then added with another type, as an admin would in the
#    dashboard) must be honoured by b, which cached the old type. b's own
#    GET /schemas would reload its cache, so b is only written to.
( umask 077
  printf 'X-Parse-Application-Id: %s\nX-Parse-Master-Key: %s\nContent-Type: application/json\n' \
    "$IMPAYES_APP_ID" "$(cat "$IMPAYES_MASTER_KEY_FILE")" >"$FLEET/headers" )
rest() { curl --noproxy "*" -sS --max-time 10 -H @"$FLEET/headers" -X "$1" "$2" ${3:+--data "$3"}; }
rest POST "$URL_A/schemas/FleetProbe" '{"fields":{"x":{"type":"String"}}}' >/dev/null
rest POST "$URL_B/classes/FleetProbe" '{"x":"text"}' >/dev/null # b caches x: String
rest PUT "$URL_A/schemas/FleetProbe" '{"fields":{"x":{"__op":"Delete"}}}' >/dev/null
rest PUT "$URL_A/schemas/FleetProbe" '{"fields":{"x":{"type":"Number"}}}' >/dev/null
b_accepts_number() { rest POST "$URL_B/classes/FleetProbe" '{"x":1}' | grep -q '"objectId"'; }
if [ "$HOOKS" = true ]; then
  # The NOTIFY reaches b asynchronously: bounded polling of b's answer.
  if wait_until 10 "instance b to accept x as a Number" b_accepts_number 2>/dev/null; then
    ok "retype: a field retyped through a is honoured by b (schema hooks)"
  else not_ok "retype: b still refuses x as a Number: $(rest POST "$URL_B/classes/FleetProbe" '{"x":1}')"; fi
else
  answer=$(rest POST "$URL_B/classes/FleetProbe" '{"x":1}')
  if [[ "$answer" == *'"code":111'* ]]; then ok "retype: without schema hooks b keeps the old type: $answer"
  else not_ok "retype: without schema hooks b answered: $answer"; fi
fi

if grep -qF -- "$(cat "$IMPAYES_MASTER_KEY_FILE")" "$FLEET"/*.log; then
  not_ok "the master key appears in a Parse Server or HAProxy log"
else ok "the master key appears in no Parse Server or HAProxy log"; fi

echo "fleet: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
