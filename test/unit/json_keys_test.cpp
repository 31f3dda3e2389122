#include <gtest/gtest.h>

#include "core/json_keys.hpp"

using namespace impayes;

namespace {

std::optional<std::string> problem(const char *text) {
    JsonDoc doc;
    EXPECT_EQ(parse_json(doc, text, strlen(text)), "");
    return json_key_problem(doc);
}

}  // namespace

TEST(JsonKeys, PlainValuesPass) {
    EXPECT_EQ(problem(R"({"a":1,"b":{"c":[1,{"d":"x.y$z"}]},"_op":1,"type":"Date"})"),
              std::nullopt);
    EXPECT_EQ(problem("[]"), std::nullopt);
    EXPECT_EQ(problem(R"(["$x", "a.b"])"), std::nullopt);  // strings, not keys
}

TEST(JsonKeys, OperationAndTypeKeysAtAnyDepth) {
    auto p = problem(R"({"__op":"Delete"})");
    ASSERT_TRUE(p);
    EXPECT_EQ(*p,
              "JSON key \"__op\": Parse would apply it as an operation (__op) instead of storing "
              "it");
    p = problem(R"({"a":{"b":[0,{"__type":"Date","iso":"2024-01-01T00:00:00.000Z"}]}})");
    ASSERT_TRUE(p);
    EXPECT_EQ(*p,
              "JSON key \"a.b[1].__type\": Parse would read it as a typed value (__type) instead "
              "of storing it");
    p = problem(R"([[{"__op":"Increment","amount":1}]])");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->substr(0, 21), "JSON key \"[0][0].__op");
}

TEST(JsonKeys, DotAndDollarKeys) {
    auto p = problem(R"({"ok":1,"a.b":2})");
    ASSERT_TRUE(p);
    EXPECT_EQ(
        *p, "JSON key \"a.b\": Parse refuses keys holding '$' or '.' inside an object (error 121)");
    p = problem(R"({"x":{"$gt":2}})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->substr(0, 15), "JSON key \"x.$gt");
    p = problem(R"({"x":{"price$":2}})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->substr(0, 18), "JSON key \"x.price$");
}
