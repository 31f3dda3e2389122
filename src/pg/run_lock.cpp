#include "pg/run_lock.hpp"

#include "pg/pg_call.hpp"

namespace impayes::pg {

namespace {
const int32 kLockSpace = 0x494d5059;  // "IMPY": our first advisory lock key

// FNV-1a: stable across backends and builds, unlike std::hash.
int32 class_key(const std::string &name) {
    uint32 h = 2166136261u;
    for (unsigned char c : name) h = (h ^ c) * 16777619u;
    return static_cast<int32>(h);
}
}  // namespace

bool try_lock_class(const std::string &class_name) {
    bool got = false;
    const int32 key = class_key(class_name);
    pg::run([&] {
        got = DatumGetBool(DirectFunctionCall2(pg_try_advisory_xact_lock_int4,
                                               Int32GetDatum(kLockSpace), Int32GetDatum(key)));
    });
    return got;
}

}  // namespace impayes::pg
