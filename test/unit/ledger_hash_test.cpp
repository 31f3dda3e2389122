// The ledger's row hashes and their hex form in the ledger table.
#include <gtest/gtest.h>

#include <string>

#include "core/ledger.hpp"

using namespace impayes;

namespace {

const SipKey kHashKey{};

}  // namespace

TEST(LedgerHash, HexRoundTripAndNeverZero) {
    const std::string a = "abc";
    const uint64_t h = hash_bytes(kHashKey, a.data(), a.size());
    EXPECT_NE(h, 0u);
    EXPECT_EQ(hash_hex(h).size(), 16u);
    EXPECT_EQ(hash_from_hex(hash_hex(h).data(), 16), h);
    EXPECT_EQ(hash_from_hex("", 0), 0u);
    EXPECT_EQ(hash_from_hex("xyz0000000000000", 16), 0u);
    EXPECT_EQ(hash_bytes(kHashKey, "", 0), hash_bytes(kHashKey, "", 0));
}

TEST(LedgerHash, EveryByteCounts) {
    std::string a(40, 'x'), b = a;
    b[37] = 'y';  // in the tail after the 8-byte words
    std::string c = a;
    c[3] = 'y';  // in a word
    EXPECT_NE(hash_bytes(kHashKey, a.data(), a.size()), hash_bytes(kHashKey, b.data(), b.size()));
    EXPECT_NE(hash_bytes(kHashKey, a.data(), a.size()), hash_bytes(kHashKey, c.data(), c.size()));
    EXPECT_NE(hash_bytes(kHashKey, a.data(), 39), hash_bytes(kHashKey, a.data(), 40));
}
