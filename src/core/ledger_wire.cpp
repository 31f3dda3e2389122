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

static std::string delta_header(const LedgerDelta &d) {
    std::string out;
    put_u64(out, kMagic);
    put_u64(out, d.replace_all ? 1 : 0);
    put_str(out, d.signature);
    put_str(out, d.watermark);
    put_u64(out, uint64_t(int64_t(d.object_count)));
    put_u64(out, uint64_t(int64_t(d.key_count)));
    put_u64(out, uint64_t(d.upsert_count()));
    put_u64(out, uint64_t(d.removed_count()));
    put_u64(out, d.packed().size());
    return out;
}

size_t encoded_size(const LedgerDelta &d) { return delta_header(d).size() + d.packed().size(); }

void encode_delta_into(const LedgerDelta &d, char *out) {
    const std::string h = delta_header(d);
    memcpy(out, h.data(), h.size());
    if (!d.packed().empty()) memcpy(out + h.size(), d.packed().data(), d.packed().size());
}

std::string encode_delta(const LedgerDelta &d) {
    std::string out(encoded_size(d), '\0');
    encode_delta_into(d, out.data());
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
    const uint64_t upserts = r.u64(), removed = r.u64();
    std::string packed = r.str();
    if (!r.ok || r.n != 0) return false;
    uint64_t u = 0, k = 0;  // whole entries, as many as announced
    if (!LedgerDelta::walk(
            packed, [&](std::string_view, std::string_view, uint64_t) { ++u; },
            [&](std::string_view) { ++k; }) ||
        u != upserts || k != removed)
        return false;
    d.adopt_packed(std::move(packed), long(upserts), long(removed));
    return true;
}

}  // namespace impayes
