#include <gtest/gtest.h>

#include "core/json.hpp"
#include "core/masking.hpp"

using namespace impayes;

namespace {

// The result's JSON after masking, reparsed: it must stay valid.
JsonDoc masked(SyncResult &r, const std::string &secret) {
    mask_result(r, secret);
    JsonDoc doc;
    const std::string text = result_to_json(r);
    EXPECT_EQ(parse_json(doc, text.data(), text.size()), "") << text;
    return doc;
}

}  // namespace

TEST(MaskResult, KeyLikeANumberOrLiteralKeepsTheJsonValid) {
    for (const char *key : {"1234", "true", "false", "null", "0", "\"", ":", ","}) {
        SyncResult r;
        r.total = 1234;
        r.dry_run = true;
        r.error = std::string("refused key ") + key;
        auto &a = r.details.GetAllocator();
        r.details.AddMember("http_status", 1234, a);
        r.details.AddMember("flag", true, a);
        JsonDoc doc = masked(r, key);
        ASSERT_TRUE(doc.IsObject()) << key;
        EXPECT_EQ(doc["total"].GetInt(), 1234) << key;
        EXPECT_TRUE(doc["dry_run"].GetBool()) << key;
        EXPECT_EQ(doc["details"]["http_status"].GetInt(), 1234) << key;
        EXPECT_TRUE(doc["details"]["flag"].GetBool()) << key;
        EXPECT_STREQ(doc["error"].GetString(), "refused key ********") << key;
    }
}

TEST(MaskResult, MasksEveryStringInDetails) {
    SyncResult r;
    auto &a = r.details.GetAllocator();
    r.details.AddMember("request", "GET /x?k=s3cr3t", a);
    JsonValue rows(rapidjson::kArrayType), row(rapidjson::kObjectType);
    row.AddMember("error", "bad s3cr3t value", a);
    rows.PushBack(row, a);
    rows.PushBack(JsonValue("s3cr3t", a), a);
    r.details.AddMember("rejected_rows", rows, a);
    JsonDoc doc = masked(r, "s3cr3t");
    EXPECT_STREQ(doc["details"]["request"].GetString(), "GET /x?k=********");
    EXPECT_STREQ(doc["details"]["rejected_rows"][0]["error"].GetString(), "bad ******** value");
    EXPECT_STREQ(doc["details"]["rejected_rows"][1].GetString(), "********");
    EXPECT_EQ(result_to_json(r).find("s3cr3t"), std::string::npos);
}

TEST(MaskResult, EmptySecretChangesNothing) {
    SyncResult r;
    r.error = "plain";
    r.details.AddMember("x", "plain", r.details.GetAllocator());
    const std::string before = result_to_json(r);
    mask_result(r, "");
    EXPECT_EQ(result_to_json(r), before);
}
