#include "core/ledger_wire.hpp"

#include <gtest/gtest.h>

using namespace impayes;

TEST(LedgerWire, RoundTripsEveryField) {
    LedgerDelta d;
    d.replace_all = true;
    d.signature = "sig";
    d.watermark = "2025-01-01T00:00:00.000Z";
    d.object_count = -1;
    d.key_count = 2;
    d.upserts.push_back({std::string("k\0ey", 4), LedgerEntry{"obj1", 0x1234567890abcdefull}});
    d.upserts.push_back({"", LedgerEntry{"obj2", 0}});
    d.removed = {"gone", ""};
    const std::string wire = encode_delta(d);
    LedgerDelta back;
    ASSERT_TRUE(decode_delta(wire.data(), wire.size(), back));
    EXPECT_TRUE(back.replace_all);
    EXPECT_EQ(back.signature, "sig");
    EXPECT_EQ(back.watermark, d.watermark);
    EXPECT_EQ(back.object_count, -1);
    EXPECT_EQ(back.key_count, 2);
    ASSERT_EQ(back.upserts.size(), 2u);
    EXPECT_EQ(back.upserts[0].first, std::string("k\0ey", 4));
    EXPECT_EQ(back.upserts[0].second.object_id, "obj1");
    EXPECT_EQ(back.upserts[0].second.hash, 0x1234567890abcdefull);
    EXPECT_EQ(back.upserts[1].second.hash, 0u);
    EXPECT_EQ(back.removed, d.removed);
}

TEST(LedgerWire, RefusesTruncatedOrForeignBytes) {
    LedgerDelta d;
    d.upserts.push_back({"key", LedgerEntry{"obj", 7}});
    const std::string wire = encode_delta(d);
    LedgerDelta back;
    for (size_t n = 0; n < wire.size(); ++n)
        EXPECT_FALSE(decode_delta(wire.data(), n, back)) << "length " << n;
    EXPECT_FALSE(decode_delta("not a delta at all", 18, back));
    const std::string longer = wire + "x";
    EXPECT_FALSE(decode_delta(longer.data(), longer.size(), back));
}
