#include <gtest/gtest.h>

#include <string>

#include "parse/parse_client.hpp"

using namespace impayes;

namespace {

HttpResponse answer(long status, const std::string &body) {
    HttpResponse r;
    r.status = status;
    r.body = body;
    r.sent = true;
    return r;
}

}  // namespace

TEST(IsTransient, TransportErrorIsTransient) {
    HttpResponse r;
    r.error = "Failed to connect to 127.0.0.1 port 1: Connection refused";
    EXPECT_TRUE(is_transient(r));
    r.timed_out = true;
    r.error = "connect timeout";
    EXPECT_TRUE(is_transient(r));
}

TEST(IsTransient, ServerErrorsAndThrottling) {
    for (long status : {500L, 502L, 503L, 504L, 429L})
        EXPECT_TRUE(is_transient(answer(status, ""))) << status;
    EXPECT_TRUE(is_transient(answer(503, "<html>Service Unavailable</html>")));
}

TEST(IsTransient, ParseCodes) {
    EXPECT_FALSE(is_transient(answer(400, R"({"code":111,"error":"schema mismatch"})")));
    EXPECT_TRUE(is_transient(answer(400, R"({"code":1,"error":"Internal server error."})")));
    EXPECT_TRUE(is_transient(answer(400, R"({"code":100,"error":"connection failed"})")));
    EXPECT_FALSE(is_transient(answer(400, R"({"code":137,"error":"duplicate value"})")));
}

TEST(IsTransient, ClientErrorsAreNot) {
    EXPECT_FALSE(is_transient(answer(404, R"({"code":101,"error":"Object not found."})")));
    EXPECT_FALSE(is_transient(answer(404, "")));
    EXPECT_FALSE(is_transient(answer(403, R"({"error":"unauthorized"})")));
    EXPECT_FALSE(is_transient(answer(400, "not json")));
    EXPECT_FALSE(is_transient(answer(401, "")));
}

TEST(ParseErrorBody, NumericCode) {
    ParseErrorBody e = parse_error_body(R"({"code":111,"error":"invalid type for key montant"})");
    EXPECT_EQ(e.code, "111");
    EXPECT_EQ(e.message, "invalid type for key montant");
}

TEST(ParseErrorBody, StringCode) {
    ParseErrorBody e = parse_error_body(R"({"code":"23505","error":"duplicate key"})");
    EXPECT_EQ(e.code, "23505");
    EXPECT_EQ(e.message, "duplicate key");
}

TEST(ParseErrorBody, NonStringErrorIsSerialised) {
    ParseErrorBody e = parse_error_body(R"({"code":1.0,"error":{"detail":"x"}})");
    EXPECT_EQ(e.code, "1");
    EXPECT_EQ(e.message, R"({"detail":"x"})");
}

TEST(ParseErrorBody, NothingUsable) {
    for (const char *body : {"", "not json", "[1,2]", "{}", R"({"code":null,"error":null})"}) {
        ParseErrorBody e = parse_error_body(body);
        EXPECT_EQ(e.code, "") << body;
        if (std::string(body).find("null") == std::string::npos) {
            EXPECT_EQ(e.message, "") << body;
        }
    }
}

TEST(HttpFailure, MessageAndDetails) {
    SyncError err = http_failure("read", "GET", "http://h:1/parse/classes/C?where=%7B%7D&limit=10",
                                 answer(400, R"({"code":102,"error":"bad query"})"));
    std::string what = err.what();
    EXPECT_EQ(what, "read: GET http://h:1/parse/classes/C answered HTTP 400: bad query");
    const JsonDoc &d = err.details();
    ASSERT_TRUE(d.IsObject());
    EXPECT_EQ(d["http_status"].GetInt64(), 400);
    EXPECT_STREQ(d["parse_code"].GetString(), "102");
    EXPECT_STREQ(d["request"].GetString(), "GET http://h:1/parse/classes/C");
    EXPECT_FALSE(d.HasMember("transport_error"));
}

TEST(HttpFailure, TransportError) {
    HttpResponse r;
    r.error = "Connection refused";
    SyncError err = http_failure("schema", "GET", "http://h:1/parse/schemas/C", r);
    EXPECT_EQ(std::string(err.what()),
              "schema: GET http://h:1/parse/schemas/C failed: Connection refused");
    EXPECT_FALSE(err.details().HasMember("http_status"));
    EXPECT_STREQ(err.details()["transport_error"].GetString(), "Connection refused");
}

// Issue 8, item 16: a schema change whose answer was lost, then refused as
// already done by the retry, counts as made; the same refusal without a
// lost attempt does not (another client made it).
TEST(RetryFoundApplied, AlreadyDoneAfterALostAnswer) {
    Attempts a;
    a.earlier_may_have_applied = true;
    a.last.status = 400;
    a.last.body = R"({"code":103,"error":"Class Impayes already exists."})";
    EXPECT_TRUE(retry_found_applied(a, "103", "already exists"));
    a.last.body = R"({"code":255,"error":"Field montant exists, cannot update."})";
    EXPECT_TRUE(retry_found_applied(a, "255", "exists, cannot update"));
}

TEST(RetryFoundApplied, NotWithoutALostAttemptOrOnOtherErrors) {
    Attempts a;
    a.last.status = 400;
    a.last.body = R"({"code":103,"error":"Class Impayes already exists."})";
    EXPECT_FALSE(retry_found_applied(a, "103", "already exists"));  // first attempt answered
    a.earlier_may_have_applied = true;
    a.last.body = R"({"code":103,"error":"Invalid classname: 1x"})";
    EXPECT_FALSE(retry_found_applied(a, "103", "already exists"));
    a.last.body = R"({"code":255,"error":"Field x does not exist, cannot delete."})";
    EXPECT_FALSE(retry_found_applied(a, "255", "exists, cannot update"));
    a.last.status = 0;
    a.last.body.clear();
    a.last.error = "connection closed before an answer";
    EXPECT_FALSE(retry_found_applied(a, "103", "already exists"));
}

// Look-ups by key are split by count and by bytes, so that long keys never
// make one huge request; a key over the byte budget goes alone.
TEST(ChunkEnds, SplitsByCountAndBytes) {
    EXPECT_TRUE(chunk_ends({}, 200, 1000).empty());
    EXPECT_EQ(chunk_ends(std::vector<size_t>(5, 10), 2, 1000), (std::vector<size_t>{2, 4, 5}));
    // 3 KB keys, 8 KiB budget: two per chunk (each counts its comma).
    EXPECT_EQ(chunk_ends(std::vector<size_t>(5, 3000), 200, 8192), (std::vector<size_t>{2, 4, 5}));
    // A key larger than the budget is a chunk of its own.
    EXPECT_EQ(chunk_ends({10, 20000, 10, 10}, 200, 8192), (std::vector<size_t>{1, 2, 4}));
    std::vector<size_t> many(450, 8);
    EXPECT_EQ(chunk_ends(many, 200, 1 << 20), (std::vector<size_t>{200, 400, 450}));
}
