#include <gtest/gtest.h>

#include "core/ledger.hpp"
#include "core/siphash.hpp"

using namespace impayes;

namespace {

SipKey reference_key() {
    SipKey k;
    for (int i = 0; i < 16; ++i) k.bytes[i] = uint8_t(i);
    return k;
}

}  // namespace

// Reference vectors of the SipHash paper and implementation: key 00..0f,
// message 00 01 .. (n-1).
TEST(SipHash, ReferenceVectors) {
    const SipKey k = reference_key();
    uint8_t msg[64];
    for (int i = 0; i < 64; ++i) msg[i] = uint8_t(i);
    EXPECT_EQ(siphash24(k, msg, 0), 0x726fdb47dd0e0e31ull);
    EXPECT_EQ(siphash24(k, msg, 1), 0x74f839c593dc67fdull);
    EXPECT_EQ(siphash24(k, msg, 2), 0x0d6c8009d9a94f5aull);
    EXPECT_EQ(siphash24(k, msg, 3), 0x85676696d7fb7e2dull);
    EXPECT_EQ(siphash24(k, msg, 4), 0xcf2794e0277187b7ull);
    EXPECT_EQ(siphash24(k, msg, 8), 0x93f5f5799a932462ull);
    EXPECT_EQ(siphash24(k, msg, 15), 0xa129ca6149be45e5ull);  // the paper's appendix A
}

TEST(SipHash, OtherKeyOtherHash) {
    SipKey a = reference_key(), b = a;
    b.bytes[15] ^= 1;
    const std::string m = "numero_facture=F-1|montant=1";
    EXPECT_NE(siphash24(a, m.data(), m.size()), siphash24(b, m.data(), m.size()));
    EXPECT_NE(hash_bytes(a, m.data(), m.size()), hash_bytes(b, m.data(), m.size()));
}
