#include "pg/run_lock.hpp"

#include "pg/pg_call.hpp"

extern "C" {
#include "storage/lock.h"
}

namespace impayes::pg {

namespace {

// Advisory locks taken from SQL always carry the caller's database oid;
// ours carries InvalidOid, so it is cluster-wide and no SQL caller can
// take or fake it. Field 4 = 1 is the int8 form, as pg_locks shows it.
const uint16 kInt8Form = 1;

// FNV-1a 64: stable across backends, builds and installs (unlike
// std::hash or a keyed hash), so that every database computes one key.
uint64 fnv1a(const std::string &bytes) {
    uint64 h = 14695981039346656037ull;
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

}  // namespace

bool try_lock_target(const Settings &s) {
    std::string target = base_url(s.parse_url);
    target += '\0';
    target += s.application_id;
    target += '\0';
    target += s.class_name;
    const uint64 key = fnv1a(target);
    LockAcquireResult got = LOCKACQUIRE_NOT_AVAIL;
    pg::run([&]() noexcept {
        LOCKTAG tag;
        SET_LOCKTAG_ADVISORY(tag, InvalidOid, uint32(key >> 32), uint32(key), kInt8Form);
        got = LockAcquire(&tag, ExclusiveLock, false, true);
    });
    return got != LOCKACQUIRE_NOT_AVAIL;
}

}  // namespace impayes::pg
