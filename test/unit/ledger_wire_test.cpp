#include "core/ledger_wire.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace impayes;

TEST(LedgerWire, RoundTripsEveryField) {
    LedgerDelta d;
    d.replace_all = true;
    d.signature = "sig";
    d.watermark = "2025-01-01T00:00:00.000Z";
    d.object_count = -1;
    d.key_count = 2;
    d.upsert(std::string("k\0ey", 4), "obj1", 0x1234567890abcdefull);
    d.remove("gone");
    d.upsert("", "obj2", 0);
    d.remove("");
    const std::string wire = encode_delta(d);
    LedgerDelta back;
    ASSERT_TRUE(decode_delta(wire.data(), wire.size(), back));
    EXPECT_TRUE(back.replace_all);
    EXPECT_EQ(back.signature, "sig");
    EXPECT_EQ(back.watermark, d.watermark);
    EXPECT_EQ(back.object_count, -1);
    EXPECT_EQ(back.key_count, 2);
    EXPECT_EQ(back.upsert_count(), 2);
    EXPECT_EQ(back.removed_count(), 2);
    std::vector<std::string> seen;
    back.for_each(
        [&](std::string_view k, std::string_view id, uint64_t h) {
            seen.push_back("U " + std::string(k) + " " + std::string(id) + " " + hash_hex(h));
        },
        [&](std::string_view k) { seen.push_back("R " + std::string(k)); });
    EXPECT_EQ(seen, (std::vector<std::string>{std::string("U k\0ey obj1 1234567890abcdef", 28),
                                              "R gone", "U  obj2 0000000000000000", "R "}));
    EXPECT_EQ(encoded_size(d), wire.size());
}

TEST(LedgerWire, RefusesTruncatedOrForeignBytes) {
    LedgerDelta d;
    d.upsert("key", "obj", 7);
    d.remove("gone");
    const std::string wire = encode_delta(d);
    LedgerDelta back;
    for (size_t n = 0; n < wire.size(); ++n)
        EXPECT_FALSE(decode_delta(wire.data(), n, back)) << "length " << n;
    EXPECT_FALSE(decode_delta("not a delta at all", 18, back));
    const std::string longer = wire + "x";
    EXPECT_FALSE(decode_delta(longer.data(), longer.size(), back));
}

TEST(LedgerWire, RefusesPackedEntriesThatDisagreeWithTheirCounts) {
    LedgerDelta d;
    d.upsert("key", "obj", 7);
    std::string wire = encode_delta(d);
    LedgerDelta back;
    ASSERT_TRUE(decode_delta(wire.data(), wire.size(), back));
    // The upsert count sits after the magic, the flag, the two strings and two counts.
    const size_t at = 8 + 8 + (8 + d.signature.size()) + (8 + d.watermark.size()) + 8 + 8;
    wire[at] = 2;
    EXPECT_FALSE(decode_delta(wire.data(), wire.size(), back));
    wire[at] = 1;
    wire[wire.size() - 8 - 3 - 4 - 3 - 4 - 1] = 'X';  // the entry's tag
    EXPECT_FALSE(decode_delta(wire.data(), wire.size(), back));
}

TEST(LedgerWire, RefusesEntriesThatRunPastTheirBytes) {
    LedgerDelta d;
    d.upsert("key", "obj", 7);
    d.remove("gone");
    const std::string wire = encode_delta(d);
    // Packed: 'U' u32(3) "key" u32(3) "obj" u64 | 'R' u32(4) "gone" -- at the end of the wire.
    const size_t removal = wire.size() - (1 + 4 + 4), upsert = removal - (1 + 4 + 3 + 4 + 3 + 8);
    LedgerDelta back;
    ASSERT_TRUE(decode_delta(wire.data(), wire.size(), back));
    for (size_t at : {upsert + 1, upsert + 1 + 4 + 3, removal + 1}) {
        std::string bad = wire;
        bad[at] = char(200);  // a length past the end, the outer length intact
        EXPECT_FALSE(decode_delta(bad.data(), bad.size(), back)) << "length at " << at;
    }
    std::string counts = wire;
    const size_t removed_count =
        8 + 8 + (8 + d.signature.size()) + (8 + d.watermark.size()) + 8 + 8 + 8;
    counts[removed_count] = 2;
    EXPECT_FALSE(decode_delta(counts.data(), counts.size(), back));
}
