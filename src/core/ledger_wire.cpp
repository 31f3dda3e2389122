#include "core/ledger_wire.hpp"

#include <cstdint>
#include <cstring>

namespace impayes {

namespace {

const uint32_t kMagic = 0x4c444731;  // "LDG1"

void put_u64(std::string &out, uint64_t v) { out.append(reinterpret_cast<const char *>(&v), 8); }
void put_str(std::string &out, const std::string &s) {
    put_u64(out, s.size());
    out += s;
}

struct Reader {
    const char *p;
    size_t n;
    bool ok = true;
    uint64_t u64() {
        uint64_t v = 0;
        if (n < 8) return ok = false, 0;
        memcpy(&v, p, 8);
        p += 8;
        n -= 8;
        return v;
    }
    std::string str() {
        const uint64_t len = u64();
        if (!ok || len > n) return ok = false, std::string();
        std::string s(p, size_t(len));
        p += len;
        n -= size_t(len);
        return s;
    }
};

}  // namespace

std::string encode_delta(const LedgerDelta &d) {
    std::string out;
    put_u64(out, kMagic);
    put_u64(out, d.replace_all ? 1 : 0);
    put_str(out, d.signature);
    put_str(out, d.watermark);
    put_u64(out, uint64_t(int64_t(d.object_count)));
    put_u64(out, uint64_t(int64_t(d.key_count)));
    put_u64(out, d.upserts.size());
    for (const auto &u : d.upserts) {
        put_str(out, u.first);
        put_str(out, u.second.object_id);
        put_u64(out, u.second.hash);
    }
    put_u64(out, d.removed.size());
    for (const auto &k : d.removed) put_str(out, k);
    return out;
}

bool decode_delta(const char *p, size_t n, LedgerDelta &d) {
    Reader r{p, n};
    if (r.u64() != kMagic || !r.ok) return false;
    d = LedgerDelta();
    d.replace_all = r.u64() != 0;
    d.signature = r.str();
    d.watermark = r.str();
    d.object_count = long(int64_t(r.u64()));
    d.key_count = long(int64_t(r.u64()));
    const uint64_t upserts = r.u64();
    // Each upsert takes at least 24 bytes: a count beyond that is garbage.
    if (!r.ok || upserts > r.n / 24) return false;
    d.upserts.reserve(size_t(upserts));
    for (uint64_t i = 0; i < upserts && r.ok; ++i) {
        std::string key = r.str();
        LedgerEntry e;
        e.object_id = r.str();
        e.hash = r.u64();
        d.upserts.emplace_back(std::move(key), std::move(e));
    }
    const uint64_t removed = r.u64();
    if (!r.ok || removed > r.n / 8) return false;
    for (uint64_t i = 0; i < removed && r.ok; ++i) d.removed.push_back(r.str());
    return r.ok && r.n == 0;
}

}  // namespace impayes
