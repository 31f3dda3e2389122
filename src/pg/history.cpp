#include "pg/history.hpp"

#include <cstring>

#include "pg/gucs.hpp"
#include "pg/pg_call.hpp"
#include "pg/subtransaction.hpp"

extern "C" {
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "postmaster/bgworker.h"
#include "storage/dsm.h"
#include "utils/snapmgr.h"
}

namespace {

// Passed to the worker in a dynamic shared memory segment.
struct HistoryMessage {
    Oid dboid;
    int32 retention_min;
    int32 backend_pid;
    TimestampTz started;
    TimestampTz finished;
    bool done;  // set by the worker once committed
    char run_by[NAMEDATALEN];
    char class_name[NAMEDATALEN * 2];
    char json[FLEXIBLE_ARRAY_MEMBER];
};

const char *const kInsert =
    "INSERT INTO impayes_sync.runs (started_at, finished_at, run_by, backend_pid, class_name, "
    "success, dry_run, inserted, updated, deleted, skipped, total, failed, rejected, error, "
    "details) "
    "SELECT $1, $2, $3::name, $4, $5, coalesce((r->>'success')::boolean, false), "
    "coalesce((r->>'dry_run')::boolean, false), coalesce((r->>'inserted')::bigint, 0), "
    "coalesce((r->>'updated')::bigint, 0), coalesce((r->>'deleted')::bigint, 0), "
    "coalesce((r->>'skipped')::bigint, 0), coalesce((r->>'total')::bigint, 0), "
    "coalesce((r->>'failed')::bigint, 0), coalesce((r->>'rejected')::bigint, 0), r->>'error', "
    "r->'details' FROM (SELECT $6::jsonb AS r) s";

const char *const kPrune =
    "DELETE FROM impayes_sync.runs WHERE finished_at < now() - make_interval(mins => $1)";

// Plain C flow: ERRORs here propagate to the caller's handler.
void insert_history(const HistoryMessage *m) {
    Oid types[6] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, INT4OID, TEXTOID, TEXTOID};
    Datum values[6] = {TimestampTzGetDatum(m->started),    TimestampTzGetDatum(m->finished),
                       CStringGetTextDatum(m->run_by),     Int32GetDatum(m->backend_pid),
                       CStringGetTextDatum(m->class_name), CStringGetTextDatum(m->json)};
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    if (SPI_execute_with_args(kInsert, 6, types, values, nullptr, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "could not insert into impayes_sync.runs");
    if (m->retention_min > 0) {
        Oid t[1] = {INT4OID};
        Datum v[1] = {Int32GetDatum(m->retention_min)};
        SPI_execute_with_args(kPrune, 1, t, v, nullptr, false, 0);
    }
    SPI_finish();
}

}  // namespace

extern "C" PGDLLEXPORT void impayes_sync_history_worker(Datum arg);

void impayes_sync_history_worker(Datum arg) {
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    dsm_segment *seg = dsm_attach(DatumGetUInt32(arg));
    if (seg == nullptr)
        ereport(ERROR, (errmsg("impayes_sync history: could not map shared memory")));
    auto *m = static_cast<HistoryMessage *>(dsm_segment_address(seg));
    // No role: the bootstrap superuser, so callers need no right on the table.
    BackgroundWorkerInitializeConnectionByOid(m->dboid, InvalidOid, 0);
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "impayes_sync: recording a run");
    insert_history(m);
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
    m->done = true;
    dsm_detach(seg);
    proc_exit(0);
}

namespace impayes::pg {

long long now_timestamp() { return GetCurrentTimestamp(); }

void record_run(const std::string &result_json, const std::string &class_name, long long started_at,
                Logger &log) {
    const Size size = offsetof(HistoryMessage, json) + result_json.size() + 1;
    dsm_segment *seg = nullptr;
    HistoryMessage *m = nullptr;
    pg::run([&] {
        seg = dsm_create(size, 0);
        m = static_cast<HistoryMessage *>(dsm_segment_address(seg));
        memset(m, 0, offsetof(HistoryMessage, json));
        m->dboid = MyDatabaseId;
        m->retention_min = history_retention_minutes();
        m->backend_pid = MyProcPid;
        m->started = started_at;
        m->finished = GetCurrentTimestamp();
        strlcpy(m->run_by, GetUserNameFromId(GetUserId(), false), sizeof m->run_by);
    });
    strlcpy(m->class_name, class_name.c_str(), sizeof m->class_name);
    memcpy(m->json, result_json.c_str(), result_json.size() + 1);

    BackgroundWorker w;
    memset(&w, 0, sizeof w);
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    w.bgw_start_time = BgWorkerStart_RecoveryFinished;
    w.bgw_restart_time = BGW_NEVER_RESTART;
    strlcpy(w.bgw_library_name, "impayes_sync", BGW_MAXLEN);
    strlcpy(w.bgw_function_name, "impayes_sync_history_worker", BGW_MAXLEN);
    strlcpy(w.bgw_name, "impayes_sync history", BGW_MAXLEN);
    strlcpy(w.bgw_type, "impayes_sync history", BGW_MAXLEN);
    w.bgw_notify_pid = MyProcPid;
    bool started = false;
    pg::run([&] {
        w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
        BackgroundWorkerHandle *handle = nullptr;
        started = RegisterDynamicBackgroundWorker(&w, &handle);
        if (started) WaitForBackgroundWorkerShutdown(handle);
    });
    const bool done = m->done;
    if (!started) {
        // No worker slot: record it in the caller's transaction instead.
        try {
            in_subtransaction(
                [&] { as_extension_owner([&] { pg::run([&] { insert_history(m); }); }); });
        } catch (const PgError &e) {
            if (e.sqlerrcode == ERRCODE_QUERY_CANCELED) throw;
            log.warning("impayes_sync: run history not recorded: " + e.message);
        }
    } else if (!done) {
        log.warning(
            "impayes_sync: run history not recorded (the history worker failed; see the server "
            "log)");
    }
    pg::run([&] { dsm_detach(seg); });
}

}  // namespace impayes::pg
