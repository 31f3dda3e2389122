// impayes_sync.runs: one row per call, written by a short-lived background
// worker in a transaction of its own, so the row survives an ERROR raised
// afterwards (impayes_sync.raise_on_error) or a rollback by the caller.
// The same worker saves the run's ledger delta. Without a free worker slot
// (or when the worker fails) both are written in the caller's transaction.
#pragma once

#include <string>

#include "core/logger.hpp"
#include "pg/ledger_store.hpp"

namespace impayes::pg {

// Microseconds since the PostgreSQL epoch (TimestampTz), for started_at.
long long now_timestamp();

// Why no run may start here (a hot standby, a read-only transaction: the
// run could not be recorded, nor its ledger saved), or nullptr. Checked
// before any HTTP and before any worker is started.
const char *refusal_reason();

// Waits for the worker at most a few seconds (it gives up on locks after
// lock_timeout); a cancel stops it and frees its slot.
// The ledger delta the run kept (if any) is saved by the same worker, in
// the same transaction as the history row.
// origin: "call" for SELECT impayes_sync(), "watch: <reason>" for the
// watch worker (impayes_sync.runs.origin, 1.1).
void record_run(const std::string &result_json, const std::string &class_name, long long started_at,
                Logger &log, PgLedgerStore *ledger, const char *origin);

}  // namespace impayes::pg
