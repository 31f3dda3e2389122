#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/result.hpp"
#include "test_util.hpp"

using namespace impayes;

namespace {

std::set<std::string> keys_of(const JsonValue &obj) {
    std::set<std::string> out;
    for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) out.insert(m->name.GetString());
    return out;
}

}  // namespace

TEST(ResultToJson, SuccessHasExactlyTheSeedKeys) {
    SyncResult r;
    r.success = true;
    r.inserted = 3;
    r.updated = 2;
    r.skipped = 5;
    r.total = 11;
    r.failed = 0;
    r.rejected = 1;
    r.duration_ms = 1234;
    std::string s = result_to_json(r);
    JsonDoc d;
    ASSERT_EQ(parse_json(d, s.data(), s.size()), "") << s;
    ASSERT_TRUE(d.IsObject());
    // The seed's keys plus "deleted" (impayes_sync.on_missing = delete),
    // and nothing else.
    EXPECT_EQ(keys_of(d), (std::set<std::string>{"success", "message", "inserted", "updated",
                                                 "deleted", "skipped", "total", "failed",
                                                 "rejected", "duration_ms", "dry_run"}))
        << s;
    EXPECT_TRUE(d["success"].GetBool());
    EXPECT_STREQ(d["message"].GetString(), "Synchronisation terminée avec succès");
    EXPECT_STREQ(kSuccessMessage, "Synchronisation terminée avec succès");
    EXPECT_EQ(d["inserted"].GetInt64(), 3);
    EXPECT_EQ(d["updated"].GetInt64(), 2);
    EXPECT_EQ(d["deleted"].GetInt64(), 0);
    EXPECT_EQ(d["skipped"].GetInt64(), 5);
    EXPECT_EQ(d["total"].GetInt64(), 11);
    EXPECT_EQ(d["failed"].GetInt64(), 0);
    EXPECT_EQ(d["rejected"].GetInt64(), 1);
    EXPECT_EQ(d["duration_ms"].GetInt64(), 1234);
    EXPECT_FALSE(d["dry_run"].GetBool());
}

TEST(ResultToJson, SuccessStartsWithSuccessAndMessage) {
    SyncResult r;
    r.success = true;
    std::string s = result_to_json(r);
    EXPECT_EQ(s.rfind("{\"success\":true,\"message\":\"Synchronisation terminée avec succès\",", 0),
              0u)
        << s;
}

TEST(ResultToJson, FailureHasErrorAndDetails) {
    SyncResult r;
    r.success = false;
    r.error =
        "Timeout: La requête PostgreSQL a dépassé le temps d'exécution maximum de 10 secondes.";
    auto &a = r.details.GetAllocator();
    r.details.AddMember("sqlstate", "57014", a);
    r.details.AddMember("http_status", 0, a);
    std::string s = result_to_json(r);
    JsonDoc d;
    ASSERT_EQ(parse_json(d, s.data(), s.size()), "") << s;
    EXPECT_FALSE(d["success"].GetBool());
    EXPECT_STREQ(d["message"].GetString(), "Erreur lors de la synchronisation");
    EXPECT_STREQ(kFailureMessage, "Erreur lors de la synchronisation");
    ASSERT_TRUE(d.HasMember("error"));
    EXPECT_EQ(std::string(d["error"].GetString()), r.error);
    ASSERT_TRUE(d.HasMember("details"));
    ASSERT_TRUE(d["details"].IsObject());
    EXPECT_STREQ(d["details"]["sqlstate"].GetString(), "57014");
    EXPECT_FALSE(d.HasMember("preview"));
}

TEST(ResultToJson, FailureWithEmptyDetailsStillHasDetails) {
    SyncResult r;
    r.error = "boom";
    std::string s = result_to_json(r);
    JsonDoc d;
    ASSERT_EQ(parse_json(d, s.data(), s.size()), "") << s;
    ASSERT_TRUE(d.HasMember("details"));
    EXPECT_TRUE(d["details"].IsObject());
    EXPECT_EQ(d["details"].MemberCount(), 0u);
    EXPECT_STREQ(d["error"].GetString(), "boom");
}

TEST(ResultToJson, ErrorWithQuotesAndNulIsEscaped) {
    SyncResult r;
    r.error = std::string("a \"b\"\n\0c", 8);
    std::string s = result_to_json(r);
    JsonDoc d;
    ASSERT_EQ(parse_json(d, s.data(), s.size()), "") << s;
    EXPECT_EQ(std::string(d["error"].GetString(), d["error"].GetStringLength()), r.error);
}

TEST(ResultToJson, SuccessWithDetailsKeepsThem) {
    SyncResult r;
    r.success = true;
    r.details.AddMember("duplicated_keys", 2, r.details.GetAllocator());
    std::string s = result_to_json(r);
    JsonDoc d;
    ASSERT_EQ(parse_json(d, s.data(), s.size()), "") << s;
    EXPECT_FALSE(d.HasMember("error"));
    ASSERT_TRUE(d.HasMember("details"));
    EXPECT_EQ(d["details"]["duplicated_keys"].GetInt(), 2);
}

TEST(ResultToJson, DryRunHasPreview) {
    SyncResult r;
    r.success = true;
    r.dry_run = true;
    r.preview.SetObject();
    r.preview.AddMember("insert", 4, r.preview.GetAllocator());
    std::string s = result_to_json(r);
    JsonDoc d;
    ASSERT_EQ(parse_json(d, s.data(), s.size()), "") << s;
    EXPECT_TRUE(d["dry_run"].GetBool());
    ASSERT_TRUE(d.HasMember("preview"));
    EXPECT_EQ(d["preview"]["insert"].GetInt(), 4);
}
