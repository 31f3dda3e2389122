#include "pg/progress_shmem.hpp"

#include <cstring>

#include "pg/pg_call.hpp"

namespace impayes::pg {
namespace {

struct Slot {
    pg_atomic_uint32 owner;       // pid of the claiming backend, 0: free
    volatile uint32 changecount;  // odd while rec is written
    ProgressRecord rec;
};

struct Shared {
    int nslots;
    // Slot slots[nslots] follows.
};

Shared *shared = nullptr;
shmem_request_hook_type prev_request = nullptr;
shmem_startup_hook_type prev_startup = nullptr;
bool exit_callback_registered = false;

Slot *slots() { return reinterpret_cast<Slot *>(shared + 1); }

// One slot per process that can run a sync (backends and background
// workers): a run can only miss a slot when a backend nests runs.
Size shared_size(int n) { return add_size(sizeof(Shared), mul_size(Size(n), sizeof(Slot))); }

void request_shmem() {
    if (prev_request) prev_request();
    RequestAddinShmemSpace(shared_size(MaxBackends));
}

void startup_shmem() {
    if (prev_startup) prev_startup();
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    shared = static_cast<Shared *>(
        ShmemInitStruct("impayes_sync progress", shared_size(MaxBackends), &found));
    if (!found) {
        shared->nslots = MaxBackends;
        for (int i = 0; i < shared->nslots; ++i) {
            Slot &s = slots()[i];
            pg_atomic_init_u32(&s.owner, 0);
            s.changecount = 0;
            memset(static_cast<void *>(&s.rec), 0, sizeof s.rec);
        }
    }
    LWLockRelease(AddinShmemInitLock);
}

void write_record(Slot &s, const ProgressRecord &r) {
    s.changecount = s.changecount + 1;  // odd: readers retry
    pg_write_barrier();
    memcpy(static_cast<void *>(&s.rec), &r, sizeof r);
    pg_write_barrier();
    s.changecount = s.changecount + 1;
}

void release(int i) {
    Slot &s = slots()[i];
    write_record(s, ProgressRecord());
    pg_atomic_write_u32(&s.owner, 0);
}

// The backend is exiting without unwinding the C++ owner of its slot
// (a termination or FATAL during a PostgreSQL call).
void release_mine(int, Datum) {
    if (shared == nullptr) return;
    const uint32 me = uint32(MyProcPid);
    for (int i = 0; i < shared->nslots; ++i)
        if (pg_atomic_read_u32(&slots()[i].owner) == me) release(i);
}

bool try_claim(int i, uint32 expected) {
    return pg_atomic_compare_exchange_u32(&slots()[i].owner, &expected, uint32(MyProcPid));
}

}  // namespace

void install_progress_shmem_hooks() {
    prev_request = shmem_request_hook;
    shmem_request_hook = request_shmem;
    prev_startup = shmem_startup_hook;
    shmem_startup_hook = startup_shmem;
}

bool progress_shmem_ready() { return shared != nullptr; }

int progress_slot_count() noexcept { return shared ? shared->nslots : 0; }

ProgressSlot::ProgressSlot() {
    if (shared == nullptr || MyProc == nullptr) return;
    if (!exit_callback_registered) {
        pg::run([]() noexcept { before_shmem_exit(release_mine, 0); });
        exit_callback_registered = true;
    }
    for (int i = 0; i < shared->nslots && index_ < 0; ++i)
        if (try_claim(i, 0)) index_ = i;
    // None free: take over the slot of a backend that died without
    // releasing it.
    for (int i = 0; i < shared->nslots && index_ < 0; ++i) {
        const uint32 owner = pg_atomic_read_u32(&slots()[i].owner);
        if (owner == 0) continue;
        bool alive = true;
        pg::run([&]() noexcept { alive = BackendPidGetProc(int(owner)) != nullptr; });
        if (!alive && try_claim(i, owner)) index_ = i;
    }
}

ProgressSlot::~ProgressSlot() {
    if (index_ >= 0) release(index_);
}

void ProgressSlot::publish(ProgressRecord r) noexcept {
    if (index_ < 0) return;
    r.pid = MyProcPid;
    r.procno = MyProc ? MyProc->pgprocno : -1;
    write_record(slots()[index_], r);
}

bool read_progress_slot(int i, ProgressRecord &out) noexcept {
    if (shared == nullptr || i < 0 || i >= shared->nslots) return false;
    Slot &s = slots()[i];
    if (pg_atomic_read_u32(&s.owner) == 0) return false;
    // The writer holds the counter odd for one memcpy: a few tries do.
    for (int tries = 0; tries < 1000; ++tries) {
        const uint32 before = s.changecount;
        pg_read_barrier();
        memcpy(static_cast<void *>(&out), const_cast<const ProgressRecord *>(&s.rec), sizeof out);
        pg_read_barrier();
        if (before == s.changecount && (before & 1) == 0) return out.pid != 0;
    }
    return false;
}

bool progress_backend_alive(const ProgressRecord &r) {
    PGPROC *proc = BackendPidGetProc(r.pid);
    return proc != nullptr && proc->pgprocno == r.procno;
}

}  // namespace impayes::pg
