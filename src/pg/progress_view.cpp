// impayes_sync.progress_rows(), the set behind the view
// impayes_sync.progress: one row per run in progress in the cluster, read
// from the shared-memory slots without blocking their writers. Plain C
// style: the only C++ objects alive are plain data (no destructor), so an
// ERROR raised by a PostgreSQL call here crosses nothing.
#include "core/progress_log.hpp"
#include "pg/postgres_headers.hpp"
#include "pg/progress_shmem.hpp"

extern "C" {
#include "commands/dbcommands.h"
PG_FUNCTION_INFO_V1(impayes_sync_progress_rows);
Datum impayes_sync_progress_rows(PG_FUNCTION_ARGS);
}

namespace {

enum Column {
    kPid,
    kDatabase,
    kClassName,
    kPhase,
    kMode,
    kDryRun,
    kStartedAt,
    kPhaseStartedAt,
    kObjectsRead,
    kRowsRead,
    kObjectsToWrite,
    kObjectsWritten,
    kObjectsFailed,
    kRate,
    kEta,
    kUpdatedAt,
    kColumns
};

Datum interval_seconds(long seconds) {
    auto *iv = static_cast<Interval *>(palloc0(sizeof(Interval)));
    iv->time = TimeOffset(seconds) * USECS_PER_SEC;
    return IntervalPGetDatum(iv);
}

}  // namespace

Datum impayes_sync_progress_rows(PG_FUNCTION_ARGS) {
    using namespace impayes;
    auto *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    InitMaterializedSRF(fcinfo, 0);
    if (!pg::progress_shmem_ready()) {
        ereport(NOTICE, (errmsg("impayes_sync.progress is empty: impayes_sync is not in "
                                "shared_preload_libraries")));
        return Datum(0);
    }
    const TimestampTz now = GetCurrentTimestamp();
    const int n = pg::progress_slot_count();
    for (int i = 0; i < n; ++i) {
        pg::ProgressRecord rec;
        if (!pg::read_progress_slot(i, rec)) continue;
        if (!pg::progress_backend_alive(rec)) {
            // Its backend ended without releasing it (only a crash can).
            ereport(DEBUG1, (errmsg_internal("impayes_sync: progress slot %d of ended backend %d "
                                             "ignored",
                                             i, rec.pid)));
            continue;
        }
        const RunProgress &p = rec.progress;
        Datum values[kColumns];
        bool nulls[kColumns] = {};
        values[kPid] = Int32GetDatum(rec.pid);
        const char *db = get_database_name(Oid(rec.database));
        nulls[kDatabase] = db == nullptr;
        if (db) values[kDatabase] = DirectFunctionCall1(namein, CStringGetDatum(db));
        rec.class_name[sizeof rec.class_name - 1] = '\0';
        values[kClassName] = CStringGetTextDatum(rec.class_name);
        values[kPhase] = CStringGetTextDatum(phase_name(p.phase));
        nulls[kMode] = p.mode == RunMode::Undecided;
        if (!nulls[kMode]) values[kMode] = CStringGetTextDatum(mode_name(p.mode));
        values[kDryRun] = BoolGetDatum(p.dry_run);
        values[kStartedAt] = TimestampTzGetDatum(rec.started_at);
        values[kPhaseStartedAt] = TimestampTzGetDatum(rec.phase_since);
        values[kObjectsRead] = Int64GetDatum(int64(p.objects_read));
        values[kRowsRead] = Int64GetDatum(int64(p.rows_read));
        values[kObjectsToWrite] = Int64GetDatum(int64(p.objects_to_write));
        values[kObjectsWritten] = Int64GetDatum(int64(p.objects_written));
        values[kObjectsFailed] = Int64GetDatum(int64(p.objects_failed));
        // Counted up to now, not to the last update: a stalled phase slows.
        const long elapsed_ms = long((now - rec.phase_since) / 1000);
        const Pace pace = phase_pace(phase_work(p), elapsed_ms);
        nulls[kRate] = pace.per_second < 0;
        values[kRate] = Float8GetDatum(pace.per_second);
        nulls[kEta] = pace.eta_seconds < 0;
        if (!nulls[kEta]) values[kEta] = interval_seconds(pace.eta_seconds);
        values[kUpdatedAt] = TimestampTzGetDatum(rec.updated_at);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return Datum(0);
}
