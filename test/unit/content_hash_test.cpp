// The hash a full reconciliation compares a converted row with: equal
// exactly when field_equal() says the synced fields are equal.
#include <gtest/gtest.h>

#include "core/content_hash.hpp"
#include "test_util.hpp"

using namespace impayes;

namespace {

uint64_t hash_of(const std::string &json, const SipKey &key = SipKey()) {
    JsonDoc d;
    d.Parse(json.c_str());
    std::string scratch;
    return content_hash(d, {"k", "n", "d", "o"}, key, scratch);
}

TEST(ContentHash, EqualWhereFieldEqualIs) {
    EXPECT_EQ(hash_of(R"({"k":"F1","n":12})"), hash_of(R"({"k":"F1","n":12.0})"));
    EXPECT_EQ(hash_of(R"({"k":"F1","n":null})"), hash_of(R"({"k":"F1"})"));
    EXPECT_EQ(hash_of(R"({"k":"F1","d":{"__type":"Date","iso":"2025-01-01T00:00:00.000Z"}})"),
              hash_of(R"({"k":"F1","d":{"iso":"2025-01-01T00:00:00.000Z","__type":"Date"}})"));
    EXPECT_EQ(hash_of(R"({"k":"F1","o":{"a":1,"b":[1,2]}})"),
              hash_of(R"({"k":"F1","o":{"b":[1,2],"a":1}})"));
    // Fields that are not synced do not count.
    EXPECT_EQ(hash_of(R"({"k":"F1","x":1})"), hash_of(R"({"k":"F1","x":2})"));
}

TEST(ContentHash, DiffersWhenAFieldDiffers) {
    EXPECT_NE(hash_of(R"({"k":"F1","n":12})"), hash_of(R"({"k":"F1","n":13})"));
    EXPECT_NE(hash_of(R"({"k":"F1","n":12})"), hash_of(R"({"k":"F1","n":"12"})"));
    EXPECT_NE(hash_of(R"({"k":"F1","o":{"a":1}})"), hash_of(R"({"k":"F1","o":[{"a":1}]})"));
    EXPECT_NE(hash_of(R"({"k":"F1","n":0})"), hash_of(R"({"k":"F1"})"));
    // A value cannot slide into the next field.
    EXPECT_NE(hash_of(R"({"k":"F1V","n":1})"), hash_of(R"({"k":"F1","n":1})"));
}

TEST(ContentHash, KeyedPerRun) {
    SipKey other;
    other.bytes[0] = 1;
    EXPECT_NE(hash_of(R"({"k":"F1","n":12})"), hash_of(R"({"k":"F1","n":12})", other));
}

}  // namespace
