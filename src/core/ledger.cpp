#include "core/ledger.hpp"

#include <cstring>

namespace impayes {

uint64_t hash_bytes(const char *p, size_t n) {
    const uint64_t P1 = 11400714785074694791ull, P2 = 14029467366897019727ull,
                   P3 = 1609587929392839161ull, P4 = 9650029242287828579ull,
                   P5 = 2870177450012600261ull;
    auto rotl = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
    uint64_t h = P5 + uint64_t(n);
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = rotl(h ^ (rotl(w * P2, 31) * P1), 27) * P1 + P4;
    }
    for (; n > 0; ++p, --n) h = rotl(h ^ (uint64_t(static_cast<unsigned char>(*p)) * P5), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
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

}  // namespace impayes
