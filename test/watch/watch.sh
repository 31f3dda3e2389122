#!/usr/bin/env bash
# Continuous sync (issue 10): a harness cluster of its own with the watch
# settings, a source view two joins away from its payments, and checks that
# committed changes reach Parse with no call and rolled-back ones do not,
# that a burst gives one run, that Parse down then back, a terminated worker,
# watch off/on and DROP EXTENSION behave, and that a superuser role is
# refused unless allowed. Every wait polls a condition with a bound.
# Prints one "ok - watch: ..." / "FAILED - watch: ..." line per check and a
# last line "watch: N passed, M failed".
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=../harness/lib.sh
. "$(dirname "$0")/../harness/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
state=$(mktemp -d /tmp/impayes-watch-XXXXXX)
chmod 755 "$state"
# The server log is kept next to the state dir, which stop.sh removes.
trap 'cp "$state/postgres.log" "$state.postgres.log" 2>/dev/null; "$HARNESS_DIR/stop.sh" "$state" >/dev/null 2>&1 || true' EXIT
if ! "$HARNESS_DIR/start.sh" "$state" >/dev/null 2>"$state.start.log"; then
  cat "$state.start.log" >&2
  echo "FAILED - watch: harness did not start"
  echo "watch: 0 passed, 1 failed"
  exit 1
fi
load_state "$state"
CLASS=WatchImpayes
passed=0
failed=0
ok() { echo "ok - watch: $1"; passed=$((passed + 1)); }
not_ok() { echo "FAILED - watch: $1" >&2; failed=$((failed + 1)); }
sql() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$IMPAYES_STATE/sock" -U postgres -d watchdb "$@"; }
sql_pg() { "$PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$IMPAYES_STATE/sock" -U postgres -d postgres "$@"; }
parse() { "$IMPAYES_NODE" "$HERE/parse-get.js" "$CLASS" "$@"; }
# poll SECONDS CMD...: true once CMD prints "t" (bounded).
poll() {
  local limit=$1 deadline
  shift
  deadline=$((SECONDS + limit))
  until [ "$("$@" 2>/dev/null)" = t ]; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1 # poll interval, not a synchronisation
  done
}
# parse_is KEY FIELD VALUE: prints t when Parse holds VALUE.
parse_is() { [ "$(parse "$1" "$2")" = "$3" ] && echo t; }
check() { # DESCRIPTION SQL: ok when it prints t
  local got
  got=$(sql -c "$2" 2>&1) || true
  if [ "$got" = t ]; then ok "$1"; else not_ok "$1 (got: $got)"; fi
}
worker_pid() { sql_pg -c "SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE backend_type = 'impayes_sync watch'"; }
no_worker() { [ "$(worker_pid)" = 0 ] && echo t; }
reload() { sql_pg -c "SELECT pg_reload_conf()" >/dev/null; }
worker_changed() { local p; p=$(worker_pid); [ "$p" != 0 ] && [ "$p" != "$1" ] && echo t; }
in_log() { grep -qF -- "$1" "$IMPAYES_PG_LOG" && echo t; }
worker_idle() { sql_pg -c "SELECT state = 'idle' FROM pg_stat_activity WHERE backend_type = 'impayes_sync watch'"; }
max_run() { sql -c "SELECT coalesce(max(id), 0) FROM impayes_sync.runs"; }

# ---- set-up: the accounting schema, the role, the watch settings.
sql_pg -c "CREATE DATABASE watchdb" -c "CREATE ROLE impayes_sync_bot LOGIN" >/dev/null
sql <<'SQL'
CREATE EXTENSION impayes_sync;
CREATE TABLE clients (id int PRIMARY KEY, nom text NOT NULL);
CREATE TABLE factures (numero text PRIMARY KEY, client_id int NOT NULL REFERENCES clients,
                       montant numeric(12,2) NOT NULL);
CREATE TABLE paiements (id serial PRIMARY KEY, recu date NOT NULL DEFAULT current_date);
CREATE TABLE paiement_lignes (paiement_id int NOT NULL REFERENCES paiements,
                              facture text NOT NULL REFERENCES factures,
                              montant numeric(12,2) NOT NULL);
-- paiement_lignes is two joins away from the source view.
CREATE VIEW soldes AS
  SELECT f.numero, f.client_id, f.montant - coalesce(sum(l.montant), 0) AS reste
  FROM factures f LEFT JOIN paiement_lignes l ON l.facture = f.numero
  LEFT JOIN paiements p ON p.id = l.paiement_id GROUP BY f.numero;
CREATE VIEW impayes AS
  SELECT s.numero AS numero_facture, c.nom AS client, s.reste
  FROM soldes s JOIN clients c ON c.id = s.client_id WHERE s.reste > 0;
GRANT SELECT ON impayes TO impayes_sync_bot;
INSERT INTO clients SELECT i, 'Client ' || i FROM generate_series(1, 5) i;
INSERT INTO factures SELECT 'F' || i, 1 + i % 5, 100 + i FROM generate_series(1, 20) i;
ALTER DATABASE watchdb SET impayes_sync.class_name = 'WatchImpayes';
ALTER DATABASE watchdb SET impayes_sync.on_missing = 'delete';
SQL
# pay LINE_INVOICE AMOUNT: one payment of one invoice, committed.
pay() { sql -c "WITH p AS (INSERT INTO paiements DEFAULT VALUES RETURNING id)
                INSERT INTO paiement_lignes SELECT id, '$1', $2 FROM p"; }
sql_pg -c "ALTER SYSTEM SET impayes_sync.watch_database = 'watchdb'" \
  -c "ALTER SYSTEM SET impayes_sync.watch_role = 'impayes_sync_bot'" \
  -c "ALTER SYSTEM SET impayes_sync.watch = on"
reload

# ---- 1. the worker starts, is visible, and its first run loads the class.
if poll 20 sql_pg -c "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'impayes_sync watch' AND datname = 'watchdb'"; then
  ok "worker visible in pg_stat_activity as backend_type 'impayes_sync watch'"
else not_ok "no worker in pg_stat_activity"; fi
if poll 20 parse_is F20 reste 120; then ok "first run loads the class"; else not_ok "class not loaded"; fi
check "first run recorded as the worker's, run by the watch role" \
  "SELECT origin = 'watch: start' AND run_by = 'impayes_sync_bot' AND success FROM impayes_sync.runs ORDER BY id LIMIT 1"
check "triggers on the four tables the view reads, listed in impayes_sync.watched" \
  "SELECT array_agg(table_name::text ORDER BY table_name) = '{clients,factures,paiement_lignes,paiements}' FROM impayes_sync.watched"

# ---- 2. a committed part-payment, two joins away, reaches Parse with no call.
pay F5 5
if poll 15 parse_is F5 reste 100; then ok "a part-payment two joins away reaches Parse with no call"; else
  not_ok "part-payment not in Parse (reste: $(parse F5 reste))"; fi
pay F6 106
if poll 15 parse_is F6 reste ""; then ok "an invoice paid in full leaves Parse (on_missing = delete)"; else
  not_ok "paid invoice still in Parse"; fi

# ---- 3. a rolled-back change does not: a later committed one is the marker.
sql -c "BEGIN" -c "UPDATE clients SET nom = 'Rolled back' WHERE id = 2" -c "ROLLBACK"
sql -c "UPDATE clients SET nom = 'Renamed 3' WHERE id = 3"
if poll 15 parse_is F2 client "Renamed 3"; then ok "a committed client rename reaches Parse"; else
  not_ok "rename not in Parse"; fi
if [ "$(parse '*' client 'Rolled back')" = 0 ] && [ "$(parse F1 client)" = "Client 2" ]; then
  ok "a rolled-back change does not reach Parse"
else not_ok "rolled-back change in Parse"; fi

# ---- 4. a burst in one transaction gives one run. First, the run that
# pushed the rename has recorded its row: the worker is idle again.
poll 15 worker_idle >/dev/null
before=$(max_run)
sql <<'SQL'
BEGIN;
INSERT INTO factures VALUES ('B1', 1, 10);
INSERT INTO factures VALUES ('B2', 2, 20);
INSERT INTO factures SELECT 'B' || i, 1 + i % 5, i FROM generate_series(3, 30) i;
UPDATE clients SET nom = 'Burst 4' WHERE id = 4;
COMMIT;
SQL
if poll 15 parse_is B30 reste 30; then ok "a burst reaches Parse"; else not_ok "burst not in Parse"; fi
poll 15 sql -c "SELECT count(*) >= 1 FROM impayes_sync.runs WHERE id > $before AND inserted = 30" >/dev/null
check "a burst in one transaction gives one run" \
  "SELECT count(*) = 1 AND bool_and(inserted = 30 AND origin = 'watch: change') FROM impayes_sync.runs WHERE id > $before"

# ---- 4b. a view redefined to read another table: watched from the next run.
sql <<'SQL'
CREATE TABLE remises (facture text NOT NULL REFERENCES factures, montant numeric(12,2) NOT NULL);
CREATE OR REPLACE VIEW soldes AS
  SELECT f.numero, f.client_id,
         f.montant - coalesce(sum(l.montant), 0)
           - coalesce((SELECT sum(r.montant) FROM remises r WHERE r.facture = f.numero), 0) AS reste
  FROM factures f LEFT JOIN paiement_lignes l ON l.facture = f.numero
  LEFT JOIN paiements p ON p.id = l.paiement_id GROUP BY f.numero;
INSERT INTO remises VALUES ('F11', 1);
SQL
pay F12 2  # a watched table: the run resolves the view again
if poll 15 sql -c "SELECT EXISTS (SELECT FROM impayes_sync.watched WHERE table_name = 'remises')"; then
  ok "a table a redefined view reads is watched from the next run"
else not_ok "remises not watched after the view was redefined"; fi
if poll 15 parse_is F11 reste 110; then ok "that run syncs the change made before it"; else not_ok "F11 not synced"; fi
sql -c "INSERT INTO remises VALUES ('F13', 3)"
if poll 15 parse_is F13 reste 110; then ok "a change to the newly watched table reaches Parse"; else
  not_ok "change to remises not synced"; fi

# ---- 5. Parse down, then back: backoff, one log line per state change, convergence.
"$HARNESS_DIR/kill-parse.sh" "$state" >/dev/null
before=$(max_run)
pay F7 7
if poll 30 sql -c "SELECT count(*) >= 2 FROM impayes_sync.runs WHERE id > $before AND NOT success AND origin IN ('watch: change', 'watch: retry')"; then
  ok "failed runs while Parse is down are recorded (a change, then a retry)"
else not_ok "no failed runs recorded while Parse was down"; fi
n=$(grep -c "impayes_sync watch: sync failing" "$IMPAYES_PG_LOG" || true)
if [ "$n" = 1 ]; then ok "the failure is logged once, not once per retry"; else not_ok "failure logged $n times"; fi
"$HARNESS_DIR/restart-parse.sh" "$state" >/dev/null
if poll 60 parse_is F7 reste 100; then ok "Parse back: the change made while it was down converges"; else
  not_ok "no convergence after Parse came back"; fi
if poll 10 in_log 'impayes_sync watch: sync succeeded again'; then
  ok "the recovery is logged"; else not_ok "no recovery log line"; fi

# ---- 6. the worker terminated: the postmaster restarts it, and it converges.
old=$(worker_pid)
sql_pg -c "SELECT pg_terminate_backend($old)" >/dev/null
if poll 20 worker_changed "$old"; then
  ok "terminated worker restarted by the postmaster"
else not_ok "worker not restarted"; fi
pay F8 8
if poll 20 parse_is F8 reste 100; then ok "restarted worker converges"; else not_ok "restarted worker did not sync"; fi

# ---- 7. a run of the worker shows in impayes_sync.progress; watch off
# cancels it, stops the worker and leaves nothing it installed. Parse is
# reached through the fault proxy, which holds the run's first /batch.
sql_pg -c "ALTER SYSTEM SET impayes_sync.parse_url = '$IMPAYES_PROXY_URL'" >/dev/null
reload
echo hold-batch-after:0 >"$IMPAYES_PROXY_MODE_FILE"
pay F14 4
pid=$(worker_pid)
if poll 15 sql -c "SELECT EXISTS (SELECT FROM impayes_sync.progress WHERE pid = $pid AND database = 'watchdb' AND phase = 'pushing')"; then
  ok "the worker's run shows in impayes_sync.progress"
else not_ok "no progress row for the worker (pid $pid)"; fi
check "a call while the worker pushes is refused by the same lock" \
  "SELECT r->>'success' = 'false' AND r->>'error' LIKE 'another impayes_sync run is already syncing%' FROM impayes_sync() r"
sql_pg -c "ALTER SYSTEM SET impayes_sync.watch = off" >/dev/null
reload
if poll 10 no_worker; then ok "watch off: the worker stops, its held run cancelled"; else not_ok "worker still running"; fi
echo pass >"$IMPAYES_PROXY_MODE_FILE"
check "the cancelled run left no progress row" "SELECT NOT EXISTS (SELECT FROM impayes_sync.progress)"
check "watch off: no trigger left" \
  "SELECT NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'impayes_sync_watch') AND NOT EXISTS (SELECT FROM impayes_sync.watched)"

# ---- 8. a change made while off is caught when watch is on again.
before=$(max_run)
pay F9 9
check "nothing runs while watch is off" "SELECT max(id) IS NOT DISTINCT FROM nullif($before, 0) FROM impayes_sync.runs"
sql_pg -c "ALTER SYSTEM SET impayes_sync.watch = on" >/dev/null
reload
if poll 20 parse_is F9 reste 100 && poll 5 parse_is F14 reste 110; then
  ok "changes made while off (and the cancelled run's) are caught when on again"
else not_ok "change made while off not synced"; fi

# ---- 9. a superuser role is refused unless the DBA allows it.
sql_pg -c "ALTER SYSTEM SET impayes_sync.watch_role = 'postgres'" >/dev/null
reload
if poll 10 no_worker; then ok "superuser watch_role: the worker stops"; else not_ok "worker runs as superuser"; fi
if grep -q 'impayes_sync.watch_role "postgres" is a superuser: refused' "$IMPAYES_PG_LOG"; then
  ok "superuser watch_role refused, with the reason in the log"
else not_ok "no refusal in the log"; fi
sql_pg -c "ALTER SYSTEM SET impayes_sync.watch_allow_superuser = on" >/dev/null
reload
pay F10 10
if poll 20 parse_is F10 reste 100; then ok "superuser watch_role runs once explicitly allowed"; else
  not_ok "allowed superuser did not sync"; fi
check "that run is recorded as run by the superuser" \
  "SELECT run_by = 'postgres' FROM impayes_sync.runs ORDER BY id DESC LIMIT 1"
sql_pg -c "ALTER SYSTEM RESET impayes_sync.watch_allow_superuser" \
  -c "ALTER SYSTEM SET impayes_sync.watch_role = 'impayes_sync_bot'" >/dev/null
reload
poll 10 sql -c "SELECT count(*) = 5 FROM impayes_sync.watched" >/dev/null

# ---- 10. DROP EXTENSION with watch on: no worker, no trigger left.
if sql -c "DROP EXTENSION impayes_sync" 2>"$state/drop.err"; then ok "DROP EXTENSION succeeds with watch on"; else
  not_ok "DROP EXTENSION failed: $(cat "$state/drop.err")"; fi
check "DROP EXTENSION leaves no watch trigger" "SELECT NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'impayes_sync_watch')"
if poll 10 no_worker; then ok "DROP EXTENSION leaves no worker"; else not_ok "worker still running after DROP EXTENSION"; fi

# The master key appears in no log.
key=$(cat "$IMPAYES_MASTER_KEY_FILE")
if grep -rqF -- "$key" "$IMPAYES_PG_LOG"; then not_ok "the master key appears in the server log"; else
  ok "the master key appears in no log"; fi
echo "watch: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
