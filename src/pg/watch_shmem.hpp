// The watch state shared by every backend (needs shared_preload_libraries):
// a counter of committed changes to watched tables, the worker's latch, its
// pid (one worker at a time) and the launcher's stop request.
#pragma once

#include <cstdint>

namespace impayes::pg {

void watch_shmem_request();  // hooks chained from watch_init()
bool watch_shmem_ready();    // false without shared_preload_libraries

uint64_t watch_change_count();
// At the commit of a transaction that wrote a watched table: count it and
// wake the worker. Never raises.
void watch_count_commit();

// Claims the single worker slot for this process (false: another worker
// runs); released when the process exits.
bool watch_claim_worker();
int watch_worker_pid();  // 0: none

// Whether the worker is inside a sync: the launcher cancels only that, so
// that the worker's own clean-up (dropping its triggers) is never cancelled.
void watch_set_in_run(bool in_run);
bool watch_in_run();
void watch_wake_worker();

// The launcher asks the running worker to stop (cancelling a run).
void watch_request_stop(bool stop);
bool watch_stop_requested();

}  // namespace impayes::pg
