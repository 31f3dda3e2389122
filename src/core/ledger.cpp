#include "core/ledger.hpp"

#include <functional>
#include <stdexcept>

namespace impayes {

uint64_t hash_bytes(const SipKey &key, const char *p, size_t n) {
    const uint64_t h = siphash24(key, p, n);
    return h == 0 ? 1 : h;
}

std::string hash_hex(uint64_t h) {
    static const char hex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[size_t(i)] = hex[h & 15];
    return out;
}

uint64_t hash_from_hex(const char *p, size_t n) {
    if (n != 16) return 0;
    uint64_t h = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = p[i];
        const int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return 0;
        h = (h << 4) | uint64_t(v);
    }
    return h;
}

const std::string &later_iso(const std::string &a, const std::string &b) {
    // Same fixed-width format: string order is time order.
    return a < b ? b : a;
}

uint64_t saved_fingerprint(std::string_view object_id, uint64_t hash) {
    const uint64_t h = std::hash<std::string_view>()(object_id) * 0x9E3779B97F4A7C15ull ^ hash;
    return h ? h : 1;
}

namespace {

void put_u32(std::string &out, size_t n) {
    if (n > UINT32_MAX) throw std::length_error("ledger key or objectId over 4 GB");
    const uint32_t v = uint32_t(n);
    out.append(reinterpret_cast<const char *>(&v), 4);
}

}  // namespace

// Appends one entry whole or not at all: for_each() trusts the bytes.
template <typename F>
static void append_whole(std::string &packed, F &&write) {
    const size_t before = packed.size();
    try {
        write();
    } catch (...) {
        packed.resize(before);
        throw;
    }
}

void LedgerDelta::upsert(std::string_view key, std::string_view object_id, uint64_t hash) {
    append_whole(packed_, [&] { upsert_bytes(key, object_id, hash); });
    ++upserts_;
}

void LedgerDelta::remove(std::string_view key) {
    append_whole(packed_, [&] {
        packed_.push_back('R');
        put_u32(packed_, key.size());
        packed_.append(key);
    });
    ++removed_;
}

void LedgerDelta::upsert_bytes(std::string_view key, std::string_view object_id, uint64_t hash) {
    packed_.push_back('U');
    put_u32(packed_, key.size());
    packed_.append(key);
    put_u32(packed_, object_id.size());
    packed_.append(object_id);
    packed_.append(reinterpret_cast<const char *>(&hash), 8);
}

void LedgerDelta::adopt_packed(std::string bytes, long upserts, long removed) {
    packed_ = std::move(bytes);
    upserts_ = upserts;
    removed_ = removed;
}

}  // namespace impayes
