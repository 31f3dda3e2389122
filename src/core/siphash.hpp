// SipHash-2-4 (Aumasson & Bernstein): a keyed 64-bit hash. Without the
// 16-byte key, nobody can compute or predict a hash, nor forge a byte
// string that keeps one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace impayes {

struct SipKey {
    uint8_t bytes[16] = {};
};

uint64_t siphash24(const SipKey &key, const void *data, size_t n);

}  // namespace impayes
