#include <gtest/gtest.h>

#include <string>

#include "core/json.hpp"
#include "test_util.hpp"

using namespace impayes;
using impayes_test::parse_into;

namespace {

bool eq(const std::string &a, const std::string &b) {
    JsonDoc da, db;
    EXPECT_EQ(parse_json(da, a.data(), a.size()), "") << a;
    EXPECT_EQ(parse_json(db, b.data(), b.size()), "") << b;
    return json_equal(da, db) && json_equal(db, da);
}

}  // namespace

TEST(JsonEqual, NumbersCompareAsDoubles) {
    EXPECT_TRUE(eq("5", "5.0"));
    EXPECT_TRUE(eq("-12", "-12.0"));
    EXPECT_TRUE(eq("0", "-0.0"));
    EXPECT_TRUE(eq("1e2", "100"));
    EXPECT_FALSE(eq("5", "5.5"));
    EXPECT_FALSE(eq("5", "\"5\""));
}

TEST(JsonEqual, ScalarsOfDifferentTypes) {
    EXPECT_TRUE(eq("null", "null"));
    EXPECT_TRUE(eq("true", "true"));
    EXPECT_FALSE(eq("true", "false"));
    EXPECT_FALSE(eq("null", "false"));
    EXPECT_FALSE(eq("0", "false"));
    EXPECT_FALSE(eq("\"\"", "null"));
}

TEST(JsonEqual, ObjectKeyOrderIgnored) {
    EXPECT_TRUE(eq(R"({"a":1,"b":"x","c":null})", R"({"c":null,"b":"x","a":1.0})"));
    EXPECT_TRUE(eq(R"({"__type":"Date","iso":"2024-01-01T00:00:00.000Z"})",
                   R"({"iso":"2024-01-01T00:00:00.000Z","__type":"Date"})"));
    EXPECT_FALSE(eq(R"({"a":1,"b":2})", R"({"a":1})"));
    EXPECT_FALSE(eq(R"({"a":1,"b":2})", R"({"a":1,"c":2})"));
    EXPECT_FALSE(eq(R"({"a":1})", R"({"a":2})"));
    EXPECT_TRUE(eq("{}", "{}"));
    EXPECT_FALSE(eq("{}", "[]"));
}

TEST(JsonEqual, NestedArraysAreOrderSensitive) {
    EXPECT_TRUE(eq("[1,[2,3],{\"k\":[4]}]", "[1.0,[2,3.0],{\"k\":[4]}]"));
    EXPECT_FALSE(eq("[1,[2,3]]", "[1,[3,2]]"));
    EXPECT_FALSE(eq("[1,2]", "[2,1]"));
    EXPECT_FALSE(eq("[1,2]", "[1,2,3]"));
    EXPECT_FALSE(eq(R"({"a":[1,2]})", R"({"a":[2,1]})"));
}

TEST(JsonEqual, StringsWithNulUtf8AndEmoji) {
    // Embedded NUL: the bytes after it must count.
    EXPECT_TRUE(eq(R"("a\u0000b")", R"("a\u0000b")"));
    EXPECT_FALSE(eq(R"("a\u0000b")", R"("a\u0000c")"));
    EXPECT_FALSE(eq(R"("a\u0000b")", R"("a")"));
    // UTF-8, raw and escaped.
    EXPECT_TRUE(eq("\"échéance\"", R"("\u00e9ch\u00e9ance")"));
    EXPECT_FALSE(eq("\"échéance\"", "\"echeance\""));
    // Emoji outside the BMP, raw vs surrogate pair escape.
    EXPECT_TRUE(eq("\"facture 😀\"", R"("facture \ud83d\ude00")"));
    EXPECT_FALSE(eq("\"😀\"", "\"😁\""));
}

TEST(JsonEqual, NulInsideObjectKey) {
    EXPECT_FALSE(eq(R"({"a\u0000x":1})", R"({"a\u0000y":1})"));
    EXPECT_TRUE(eq(R"({"a\u0000x":1})", R"({"a\u0000x":1.0})"));
}

TEST(KeyString, StringsAreRaw) {
    JsonDoc d;
    parse_into(d, R"(["F-001","a\u0000b","😀"])");
    EXPECT_EQ(key_string(d[0]), "F-001");
    EXPECT_EQ(key_string(d[1]), std::string("a\0b", 3));
    EXPECT_EQ(key_string(d[2]), "😀");
}

TEST(KeyString, NumbersSameForIntAndDouble) {
    JsonDoc d;
    parse_into(d, "[12, 12.0, 1.5, -3, 1e3, 12.000001]");
    EXPECT_EQ(key_string(d[0]), key_string(d[1]));
    EXPECT_EQ(key_string(d[0]), "12");
    EXPECT_EQ(key_string(d[2]), "1.5");
    EXPECT_EQ(key_string(d[3]), "-3");
    EXPECT_EQ(key_string(d[4]), "1000");
    EXPECT_NE(key_string(d[5]), key_string(d[0]));
}

TEST(KeyString, OtherValuesAreTheirJson) {
    JsonDoc d;
    parse_into(d, R"([true, null, {"a":1}])");
    EXPECT_EQ(key_string(d[0]), "true");
    EXPECT_EQ(key_string(d[1]), "null");
    EXPECT_EQ(key_string(d[2]), R"({"a":1})");
}

TEST(ParseJson, ErrorMessageHasOffset) {
    JsonDoc d;
    const std::string bad = "{\"a\":1,}";
    std::string err = parse_json(d, bad.data(), bad.size());
    EXPECT_FALSE(err.empty());
    EXPECT_NE(err.find("at offset 7"), std::string::npos) << err;

    const std::string empty;
    err = parse_json(d, empty.data(), empty.size());
    EXPECT_NE(err.find("at offset 0"), std::string::npos) << err;
}

TEST(ParseJson, RespectsLength) {
    // Only the first len bytes are parsed.
    const char text[] = "[1,2]garbage";
    JsonDoc d;
    EXPECT_EQ(parse_json(d, text, 5), "");
    ASSERT_TRUE(d.IsArray());
    EXPECT_EQ(d.Size(), 2u);
    EXPECT_NE(parse_json(d, text, sizeof text - 1), "");
}

TEST(ToJson, CompactAndRoundTrips) {
    JsonDoc d;
    parse_into(d, "{ \"a\" : [ 1 , \"é\\u0000\" ] , \"b\" : null }");
    std::string s = to_json(d);
    EXPECT_EQ(s, std::string("{\"a\":[1,\"é\\u0000\"],\"b\":null}"));
}

TEST(FindMember, NullForMissingOrNonObject) {
    JsonDoc d;
    parse_into(d, R"({"a":1,"n":null})");
    ASSERT_NE(find_member(d, "a"), nullptr);
    EXPECT_EQ(find_member(d, "a")->GetInt(), 1);
    ASSERT_NE(find_member(d, "n"), nullptr);
    EXPECT_TRUE(find_member(d, "n")->IsNull());
    EXPECT_EQ(find_member(d, "b"), nullptr);
    EXPECT_EQ(find_member(d["a"], "a"), nullptr);
    JsonDoc arr;
    parse_into(arr, "[1]");
    EXPECT_EQ(find_member(arr, "0"), nullptr);
}

// RapidJSON's checks throw (core/rapidjson_config.hpp) instead of calling
// assert(), which would abort the backend and restart every session.
TEST(JsonContract, GetStringOnANumberThrows) {
    JsonDoc doc;
    parse_into(doc, R"({"n": 42})");
    const JsonValue &n = doc["n"];
    try {
        (void)n.GetString();
        FAIL() << "GetString() on a number did not throw";
    } catch (const JsonContractError &e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("IsString()"), std::string::npos) << what;
        EXPECT_NE(what.find("internal error"), std::string::npos) << what;
    }
}

TEST(JsonContract, MissingMemberThrows) {
    JsonDoc doc;
    parse_into(doc, R"({"a": 1})");
    EXPECT_THROW((void)doc["missing"], JsonContractError);
    const JsonDoc &cdoc = doc;
    EXPECT_THROW((void)cdoc["missing"], JsonContractError);
}

TEST(JsonContract, WrongContainerThrows) {
    JsonDoc doc;
    parse_into(doc, R"({"a": [1, 2]})");
    EXPECT_THROW((void)doc.Size(), JsonContractError);              // an object, not an array
    EXPECT_THROW((void)doc["a"].MemberCount(), JsonContractError);  // an array, not an object
    EXPECT_THROW((void)doc["a"][5], JsonContractError);             // out of range
    EXPECT_THROW((void)doc["a"][0].GetBool(), JsonContractError);
    // The values are intact afterwards.
    EXPECT_EQ(doc["a"].Size(), 2u);
    EXPECT_EQ(doc["a"][1].GetInt(), 2);
}

// A JsonContractError is a std::exception: the entry guard reports it as
// an ERROR with its message.
TEST(JsonContract, IsAStdException) {
    JsonValue v(rapidjson::kArrayType);
    try {
        (void)v.GetString();
        FAIL() << "did not throw";
    } catch (const std::exception &e) {
        EXPECT_NE(std::string(e.what()).find("RapidJSON check"), std::string::npos);
    }
}
