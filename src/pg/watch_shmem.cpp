#include "pg/watch_shmem.hpp"

#include <csignal>

#include "pg/postgres_headers.hpp"

extern "C" {
#include "port/atomics.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
}

namespace impayes::pg {

namespace {

struct WatchShared {
    pg_atomic_uint64 changes;
    pg_atomic_uint32 stop;
    pg_atomic_uint32 in_run;
    slock_t mutex;   // guards the two below
    int worker_pid;  // 0: no worker
    Latch *worker_latch;
};

WatchShared *shared = nullptr;
shmem_request_hook_type prev_request = nullptr;
shmem_startup_hook_type prev_startup = nullptr;

void request() {
    if (prev_request) prev_request();
    RequestAddinShmemSpace(MAXALIGN(sizeof(WatchShared)));
}

void startup() {
    if (prev_startup) prev_startup();
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    shared = static_cast<WatchShared *>(
        ShmemInitStruct("impayes_sync watch", sizeof(WatchShared), &found));
    if (!found) {
        pg_atomic_init_u64(&shared->changes, 0);
        pg_atomic_init_u32(&shared->stop, 0);
        pg_atomic_init_u32(&shared->in_run, 0);
        SpinLockInit(&shared->mutex);
        shared->worker_pid = 0;
        shared->worker_latch = nullptr;
    }
    LWLockRelease(AddinShmemInitLock);
}

void release_worker(int, Datum) {
    SpinLockAcquire(&shared->mutex);
    if (shared->worker_pid == MyProcPid) {
        shared->worker_pid = 0;
        shared->worker_latch = nullptr;
    }
    SpinLockRelease(&shared->mutex);
}

}  // namespace

void watch_shmem_request() {
    prev_request = shmem_request_hook;
    shmem_request_hook = request;
    prev_startup = shmem_startup_hook;
    shmem_startup_hook = startup;
}

bool watch_shmem_ready() { return shared != nullptr; }

uint64_t watch_change_count() { return shared ? pg_atomic_read_u64(&shared->changes) : 0; }

void watch_count_commit() {
    if (shared == nullptr) return;
    pg_atomic_fetch_add_u64(&shared->changes, 1);
    watch_wake_worker();
}

void watch_wake_worker() {
    if (shared == nullptr) return;
    Latch *latch = nullptr;
    SpinLockAcquire(&shared->mutex);
    latch = shared->worker_latch;
    SpinLockRelease(&shared->mutex);
    // A latch of PGPROC, in shared memory: valid while set here.
    if (latch != nullptr) SetLatch(latch);
}

bool watch_claim_worker() {
    if (shared == nullptr) return false;
    bool mine = false;
    SpinLockAcquire(&shared->mutex);
    // A pid left by a worker that died without its exit callback (a crash
    // restarts the whole cluster, so this is only a safeguard).
    if (shared->worker_pid == 0 || kill(shared->worker_pid, 0) != 0) {
        shared->worker_pid = MyProcPid;
        shared->worker_latch = MyLatch;
        mine = true;
    }
    SpinLockRelease(&shared->mutex);
    if (mine) on_shmem_exit(release_worker, 0);
    return mine;
}

int watch_worker_pid() {
    if (shared == nullptr) return 0;
    SpinLockAcquire(&shared->mutex);
    int pid = shared->worker_pid;
    SpinLockRelease(&shared->mutex);
    return pid;
}

void watch_set_in_run(bool in_run) {
    if (shared) pg_atomic_write_u32(&shared->in_run, in_run ? 1 : 0);
}

bool watch_in_run() { return shared && pg_atomic_read_u32(&shared->in_run) != 0; }

void watch_request_stop(bool stop) {
    if (shared) pg_atomic_write_u32(&shared->stop, stop ? 1 : 0);
}

bool watch_stop_requested() { return shared && pg_atomic_read_u32(&shared->stop) != 0; }

}  // namespace impayes::pg
