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

void record_run(const std::string &result_json, const std::string &class_name, long long started_at,
                Logger &log);

}  // namespace impayes::pg
