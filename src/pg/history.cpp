#include "pg/history.hpp"

#include <cstring>

#include "core/ledger_wire.hpp"
#include "pg/gucs.hpp"
#include "pg/ledger_store.hpp"
#include "pg/pg_call.hpp"
#include "pg/spi.hpp"
#include "pg/subtransaction.hpp"

extern "C" {
#include "access/xlog.h"
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
    char origin[32];  // "call" (the column's default) or "watch: ..." (1.1 only)
    char class_name[NAMEDATALEN * 2];
    Size json_size;   // json[0 .. json_size] (NUL included)
    Size delta_size;  // then an encode_delta() string, 0 = no ledger to save
    char json[FLEXIBLE_ARRAY_MEMBER];
};

// Runs as the bootstrap superuser: every name and operator is
// schema-qualified and search_path is pinned, so nothing the database owner
// creates (an evil.now(), an evil ->> operator) can be reached.
#define IMPAYES_RUNS_COLUMNS                                                                 \
    "started_at, finished_at, run_by, backend_pid, class_name, success, dry_run, inserted, " \
    "updated, deleted, skipped, total, failed, rejected, error, details"
#define IMPAYES_RUNS_VALUES                                                      \
    "$1, $2, $3::pg_catalog.name, $4, $5, "                                      \
    "coalesce((r OPERATOR(pg_catalog.->>) 'success')::pg_catalog.bool, false), " \
    "coalesce((r OPERATOR(pg_catalog.->>) 'dry_run')::pg_catalog.bool, false), " \
    "coalesce((r OPERATOR(pg_catalog.->>) 'inserted')::pg_catalog.int8, 0), "    \
    "coalesce((r OPERATOR(pg_catalog.->>) 'updated')::pg_catalog.int8, 0), "     \
    "coalesce((r OPERATOR(pg_catalog.->>) 'deleted')::pg_catalog.int8, 0), "     \
    "coalesce((r OPERATOR(pg_catalog.->>) 'skipped')::pg_catalog.int8, 0), "     \
    "coalesce((r OPERATOR(pg_catalog.->>) 'total')::pg_catalog.int8, 0), "       \
    "coalesce((r OPERATOR(pg_catalog.->>) 'failed')::pg_catalog.int8, 0), "      \
    "coalesce((r OPERATOR(pg_catalog.->>) 'rejected')::pg_catalog.int8, 0), "    \
    "r OPERATOR(pg_catalog.->>) 'error', r OPERATOR(pg_catalog.->) 'details' "   \
    "FROM (SELECT $6::pg_catalog.jsonb AS r) s"
const char *const kInsert =
    "INSERT INTO impayes_sync.runs (" IMPAYES_RUNS_COLUMNS ") SELECT " IMPAYES_RUNS_VALUES;
// A watch run names its origin (a column of 1.1; the worker only watches a
// database at 1.1); a call leaves the default, so it also works at 1.0.
const char *const kInsertWithOrigin = "INSERT INTO impayes_sync.runs (origin, " IMPAYES_RUNS_COLUMNS
                                      ") SELECT $7, " IMPAYES_RUNS_VALUES;

const char *const kPrune =
    "DELETE FROM impayes_sync.runs WHERE finished_at OPERATOR(pg_catalog.<) "
    "(pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.make_interval(mins => $1))";

// Throws PgError.
void insert_history(const HistoryMessage *m) {
    impayes::pg::SpiConnection spi;
    impayes::pg::run([&]() noexcept {
        Oid types[7] = {TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, INT4OID,
                        TEXTOID,        TEXTOID,        TEXTOID};
        Datum values[7] = {TimestampTzGetDatum(m->started),    TimestampTzGetDatum(m->finished),
                           CStringGetTextDatum(m->run_by),     Int32GetDatum(m->backend_pid),
                           CStringGetTextDatum(m->class_name), CStringGetTextDatum(m->json),
                           CStringGetTextDatum(m->origin)};
        const bool call = strcmp(m->origin, "call") == 0;
        if (SPI_execute_with_args(call ? kInsert : kInsertWithOrigin, call ? 6 : 7, types, values,
                                  nullptr, false, 0) != SPI_OK_INSERT)
            elog(ERROR, "could not insert into impayes_sync.runs");
        if (m->retention_min > 0) {
            Oid t[1] = {INT4OID};
            Datum v[1] = {Int32GetDatum(m->retention_min)};
            SPI_execute_with_args(kPrune, 1, t, v, nullptr, false, 0);
        }
    });
}

// insert_history() for the worker's plain C flow, which no exception may
// reach: false, with the error's SQLSTATE and text, when it failed. The
// worker prepares no text conversion, so the text is ASCII or the
// database's own UTF-8 (see conversions() in text_encoding.cpp).
bool try_insert_history(const HistoryMessage *m, int &sqlerrcode, char *error,
                        size_t size) noexcept {
    try {
        insert_history(m);
        return true;
    } catch (const impayes::pg::PgError &e) {
        sqlerrcode = e.sqlerrcode;
        strlcpy(error, e.message.c_str(), size);
    } catch (...) {
        strlcpy(error, "unexpected error", size);
    }
    return false;
}

// Longer than a normal insert and prune ever wait, short enough for a
// caller who holds the lock (its own DELETE or TRUNCATE) to get its answer.
const char *const kWorkerLockTimeout = "3s";

// The worker's own settings, over whatever ALTER DATABASE/ROLE set: a
// pinned search_path (the database owner must not choose what our
// superuser SQL calls) and a lock_timeout, so that a caller holding locks
// on impayes_sync.runs (a DELETE, a TRUNCATE in its transaction) makes the
// worker give up instead of both waiting for each other.
void pin_worker_settings() {
    SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("lock_timeout", kWorkerLockTimeout, PGC_SUSET, PGC_S_OVERRIDE);
    SetConfigOption("statement_timeout", "0", PGC_SUSET, PGC_S_OVERRIDE);
}

// How long the caller waits for its worker: the worker's lock_timeout plus
// its start-up, with a margin.
const long kWaitMs = 15000;

enum class WaitOutcome { Stopped, TimedOut };

// Polls the worker until it has stopped or the deadline passes. Plain C
// flow: a cancel raised by CHECK_FOR_INTERRUPTS propagates as an ERROR.
WaitOutcome wait_for_worker(BackgroundWorkerHandle *handle, long ms) {
    const TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), ms);
    for (;;) {
        pid_t pid = 0;
        if (GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED) return WaitOutcome::Stopped;
        if (GetCurrentTimestamp() >= deadline) return WaitOutcome::TimedOut;
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 100,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();
    }
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
    pin_worker_settings();
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, "impayes_sync: recording a run");
    if (m->delta_size > 0) {
        // The run's ledger, in this transaction: it is kept whatever the
        // caller does next (raise_on_error, a rollback), as Parse kept the
        // writes it confirmed.
        char error[512];
        if (!impayes::pg::save_encoded_ledger(m->class_name, m->json + m->json_size, m->delta_size,
                                              error, sizeof error))
            ereport(ERROR, (errmsg("impayes_sync history: ledger not saved: %s", error)));
    }
    int sqlerrcode = ERRCODE_INTERNAL_ERROR;
    char error[512];
    if (!try_insert_history(m, sqlerrcode, error, sizeof error))
        ereport(ERROR, (errcode(sqlerrcode), errmsg("impayes_sync history: %s", error)));
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
    m->done = true;
    dsm_detach(seg);
    proc_exit(0);
}

namespace impayes::pg {

long long now_timestamp() { return GetCurrentTimestamp(); }

const char *refusal_reason() {
    if (RecoveryInProgress())
        return "impayes_sync cannot run on a hot standby (the server is in recovery): run it on "
               "the primary";
    if (XactReadOnly)
        return "impayes_sync cannot run in a read-only transaction (BEGIN READ ONLY, "
               "default_transaction_read_only): it must record the run and save its ledger";
    return nullptr;
}

namespace {

// Starts the worker and waits for it, bounded. False when it could not be
// started (no free slot). A worker still running at the deadline is
// stopped: the caller then writes the row itself.
bool run_worker(BackgroundWorker &w, dsm_segment *seg, bool &timed_out) {
    bool started = false;
    BackgroundWorkerHandle *handle = nullptr;
    pg::run([&]() noexcept {
        w.bgw_main_arg = UInt32GetDatum(dsm_segment_handle(seg));
        started = RegisterDynamicBackgroundWorker(&w, &handle);
    });
    if (!started) return false;
    WaitOutcome outcome = WaitOutcome::TimedOut;
    try {
        pg::run([&]() noexcept { outcome = wait_for_worker(handle, kWaitMs); });
    } catch (...) {
        // A cancelled wait: stop the worker, so that its slot is freed even
        // if it never started, then let the cancel go on.
        pg::run([&]() noexcept { TerminateBackgroundWorker(handle); });
        throw;
    }
    if (outcome == WaitOutcome::TimedOut) {
        timed_out = true;
        pg::run([&]() noexcept {
            TerminateBackgroundWorker(handle);
            // It dies within its next CHECK_FOR_INTERRUPTS; wait (bounded)
            // so that its row, if it committed after all, is not written
            // twice.
            (void)wait_for_worker(handle, 2000);
        });
    }
    return true;
}

}  // namespace

void record_run(const std::string &result_json, const std::string &class_name, long long started_at,
                Logger &log, PgLedgerStore *ledger, const char *origin) {
    const LedgerDelta *delta = nullptr;
    if (ledger != nullptr && ledger->pending() != nullptr) {
        // The worker keys the ledger by its class_name field: a name it would
        // truncate is saved here instead.
        if (ledger->pending_class() == class_name &&
            class_name.size() < sizeof(HistoryMessage::class_name))
            delta = ledger->pending();
        else
            ledger->save_now();
    }
    // Written straight into the segment: no second copy in this backend.
    const size_t delta_size = delta ? encoded_size(*delta) : 0;
    const Size size = offsetof(HistoryMessage, json) + result_json.size() + 1 + delta_size;
    dsm_segment *seg = nullptr;
    HistoryMessage *m = nullptr;
    pg::run([&]() noexcept {
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
    strlcpy(m->origin, origin, sizeof m->origin);
    memcpy(m->json, result_json.c_str(), result_json.size() + 1);
    m->json_size = result_json.size() + 1;
    m->delta_size = delta_size;
    if (delta) encode_delta_into(*delta, m->json + m->json_size);

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
    bool timed_out = false;
    const bool started = run_worker(w, seg, timed_out);
    if (!started || !m->done) {
        // No worker slot, or the worker could not write (e.g. this
        // transaction holds a lock on impayes_sync.runs): record it, and
        // save the ledger, in the caller's transaction instead.
        if (delta) ledger->save_now();
        try {
            in_subtransaction([&] { as_extension_owner([&] { insert_history(m); }); });
        } catch (const PgError &e) {
            if (is_interrupt(e)) throw;
            log.warning("impayes_sync: run history not recorded: " + e.message);
        }
        if (started)
            log.warning(std::string("impayes_sync: the history worker ") +
                        (timed_out ? "did not finish in time"
                                   : "could not write (a lock held by this transaction? see the "
                                     "server log)") +
                        "; the run was recorded in the caller's transaction, which a rollback "
                        "removes");
    }
    pg::run([&]() noexcept { dsm_detach(seg); });
}

}  // namespace impayes::pg
