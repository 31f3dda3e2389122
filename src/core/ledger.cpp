#include "core/ledger.hpp"

#include <functional>

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

uint64_t saved_fingerprint(const std::string &object_id, uint64_t hash) {
    const uint64_t h = std::hash<std::string>()(object_id) * 0x9E3779B97F4A7C15ull ^ hash;
    return h ? h : 1;
}

}  // namespace impayes
