// Continuous sync (issue 10): a launcher started with the postmaster starts
// and stops one "impayes_sync watch" worker as impayes_sync.watch changes;
// the worker installs statement triggers on the tables the source reads,
// whose commits wake it, and runs the same sync as SELECT impayes_sync().
#pragma once

#include <string>

#include "core/watch_scheduler.hpp"

namespace impayes::pg {

// From _PG_init: the watch GUCs; with shared_preload_libraries, also the
// shared memory and the launcher.
void watch_init();

// The watch settings (PGC_SIGHUP), as this process last read them.
struct WatchConfig {
    bool on = false;
    std::string database;
    std::string role;
    bool allow_superuser = false;
    watch::WatchTimings timings;
};
WatchConfig watch_config();

// One run as SELECT impayes_sync() does it (same lock, history row, ledger),
// for the watch worker; `origin` goes to impayes_sync.runs.origin. Defined
// in entry.cpp. The caller owns the transaction.
struct RunReport {
    enum Kind { Done, Interrupt, Error } kind = Error;
    bool success = false;
    std::string error;
};
RunReport run_and_record(bool full, const char *origin);

}  // namespace impayes::pg
