// impayes_sync.runs: one row per call, written by a short-lived background
// worker in a transaction of its own, so the row survives an ERROR raised
// afterwards (impayes_sync.raise_on_error) or a rollback by the caller.
// Without a free worker slot it is written in the caller's transaction.
#pragma once

#include <string>

#include "core/logger.hpp"

namespace impayes::pg {

// Microseconds since the PostgreSQL epoch (TimestampTz), for started_at.
long long now_timestamp();

// Why no run may start here (a hot standby, a read-only transaction: the
// run could not be recorded, nor its ledger saved), or nullptr. Checked
// before any HTTP and before any worker is started.
const char *refusal_reason();

// Waits for the worker at most a few seconds (it gives up on locks after
// lock_timeout); a cancel stops it and frees its slot.
void record_run(const std::string &result_json, const std::string &class_name, long long started_at,
                Logger &log);

}  // namespace impayes::pg
