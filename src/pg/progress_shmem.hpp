// The runs in progress of the whole cluster, in shared memory: one slot per
// run, for the view impayes_sync.progress. Needs the library in
// shared_preload_libraries (the memory is reserved at server start);
// without it nothing is published and the view is empty.
//
// A writer publishes without ever blocking a reader: a per-slot change
// counter (as pgstat's st_changecount), odd while the record is copied in;
// a reader copies the record and retries if the counter moved. Slots are
// claimed by compare-and-swap of the owner's pid, so no lock is taken.
#pragma once

#include "core/progress.hpp"

namespace impayes::pg {

// Installs the shmem request and startup hooks; from _PG_init, only while
// shared_preload_libraries is being processed.
void install_progress_shmem_hooks();

// True when this backend has the shared memory (the library was preloaded).
bool progress_shmem_ready();

// A slot's content, copied in and out as a whole (plain data only).
struct ProgressRecord {
    int pid = 0;      // 0: the slot is free
    int procno = -1;  // the PGPROC of pid, to tell a recycled pid
    unsigned int database = 0;
    char class_name[128] = {};  // ASCII, as every valid Parse class name
    RunProgress progress;
    long long started_at = 0;  // TimestampTz
    long long updated_at = 0;
    long long phase_since = 0;  // when the run first entered the phase
};

// The slot of one run: claimed when constructed (when there is shared
// memory and a free slot), released when destroyed, and by a
// before_shmem_exit callback when the backend exits without unwinding
// (pg_terminate_backend during a PostgreSQL call, FATAL).
class ProgressSlot {
public:
    ProgressSlot();  // may throw PgError
    ~ProgressSlot();
    ProgressSlot(const ProgressSlot &) = delete;
    ProgressSlot &operator=(const ProgressSlot &) = delete;

    bool claimed() const { return index_ >= 0; }
    // Copies r into the slot; pid and procno are set here. No PostgreSQL
    // call: safe in a noexcept update().
    void publish(ProgressRecord r) noexcept;

private:
    int index_ = -1;
};

// How many slots the cluster has (0 without shared memory).
int progress_slot_count() noexcept;

// Copies slot i into out when it holds a run; false for a free slot or
// one being written all along. No PostgreSQL call.
bool read_progress_slot(int i, ProgressRecord &out) noexcept;

// Whether the backend that wrote r still runs (same pid, same PGPROC): a
// reader ignores the slot of a backend that died without releasing it.
// Takes ProcArrayLock: call it from C code, with no C++ object alive.
bool progress_backend_alive(const ProgressRecord &r);

}  // namespace impayes::pg
