#include <gtest/gtest.h>

#include <string>

#include "parse/batch_writer.hpp"
#include "test_util.hpp"

using namespace impayes;
using impayes_test::parse_into;

namespace {

SourceData two_rows() {
    SourceData s;
    s.columns = {{"numero_facture", "text", ParseType::String},
                 {"montant", "numeric", ParseType::Number},
                 {"note", "text", ParseType::String}};
    parse_into(s.rows, R"([{"numero_facture":"F1","montant":10.5,"note":"é😀"},
                           {"numero_facture":"F2","montant":3}])");
    return s;
}

void expect_json(const std::string &actual, const std::string &expected) {
    JsonDoc a, e;
    ASSERT_EQ(parse_json(a, actual.data(), actual.size()), "") << actual;
    parse_into(e, expected);
    EXPECT_TRUE(json_equal(a, e)) << "actual:   " << actual << "\nexpected: " << expected;
}

// Built by field name: Op gains members as the diff grows.
Op make_op(Op::Kind kind, size_t row, std::string object_id = {},
           std::vector<std::string> changed = {}, std::vector<std::string> removed = {}) {
    Op op{};
    op.kind = kind;
    op.row = row;
    op.object_id = std::move(object_id);
    op.changed = std::move(changed);
    op.removed = std::move(removed);
    return op;
}

}  // namespace

TEST(BatchItemJson, InsertPostsTheWholeRow) {
    SourceData s = two_rows();
    Op op = make_op(Op::Insert, 0, {}, {}, {});
    std::string item = batch_item_json(op, s, "/parse", "Impayes");
    expect_json(item, R"({"method":"POST","path":"/parse/classes/Impayes",
                          "body":{"numero_facture":"F1","montant":10.5,"note":"é😀"}})");
    op.row = 1;
    expect_json(batch_item_json(op, s, "/parse", "C"),
                R"({"method":"POST","path":"/parse/classes/C",
                    "body":{"numero_facture":"F2","montant":3}})");
}

TEST(BatchItemJson, EmptyMount) {
    SourceData s = two_rows();
    Op op = make_op(Op::Insert, 1, {}, {}, {});
    expect_json(
        batch_item_json(op, s, "", "C"),
        R"({"method":"POST","path":"/classes/C","body":{"numero_facture":"F2","montant":3}})");
}

TEST(BatchItemJson, UpdatePutsOnlyChangedFields) {
    SourceData s = two_rows();
    Op op = make_op(Op::Update, 0, "abc123", {"montant"}, {});
    expect_json(batch_item_json(op, s, "/parse", "C"),
                R"({"method":"PUT","path":"/parse/classes/C/abc123","body":{"montant":10.5}})");
}

TEST(BatchItemJson, UpdateDeletesRemovedFields) {
    SourceData s = two_rows();
    Op op = make_op(Op::Update, 1, "xyz", {"montant"}, {"note"});
    expect_json(batch_item_json(op, s, "/api/parse", "C"),
                R"({"method":"PUT","path":"/api/parse/classes/C/xyz",
                    "body":{"montant":3,"note":{"__op":"Delete"}}})");

    Op only_removed = make_op(Op::Update, 1, "xyz", {}, {"note", "montant"});
    expect_json(batch_item_json(only_removed, s, "/parse", "C"),
                R"({"method":"PUT","path":"/parse/classes/C/xyz",
                    "body":{"note":{"__op":"Delete"},"montant":{"__op":"Delete"}}})");
}

TEST(BatchItemJson, IsCompactSingleLine) {
    SourceData s = two_rows();
    Op op = make_op(Op::Insert, 0, {}, {}, {});
    std::string item = batch_item_json(op, s, "/parse", "C");
    EXPECT_EQ(item.find('\n'), std::string::npos);
    EXPECT_EQ(item.rfind("{\"method\":\"POST\",\"path\":\"/parse/classes/C\",\"body\":{", 0), 0u)
        << item;
}

TEST(BatchItemJson, DeleteHasNoBody) {
    SourceData s = two_rows();
    Op op = make_op(Op::Delete, 0, "gone1");
    expect_json(batch_item_json(op, s, "/parse", "C"),
                R"({"method":"DELETE","path":"/parse/classes/C/gone1"})");
}

// Whether a failed POST /batch may still be applied decides whether its
// inserts may be sent again in the same run.
TEST(ClassifyBatchFailure, NoAnswerAfterSendingMayStillArrive) {
    HttpResponse r;
    r.error = "request timeout: no complete answer after 1000 ms (impayes_sync.request_timeout)";
    r.timed_out = true;
    r.sent = true;
    EXPECT_EQ(classify_batch_failure(r), BatchFailure::MayStillArrive);
    r.timed_out = false;
    r.error = "connection closed before an answer (the request may have been applied)";
    EXPECT_EQ(classify_batch_failure(r), BatchFailure::MayStillArrive);
    HttpResponse gateway;
    gateway.status = 504;  // a proxy gave up waiting for Parse
    gateway.sent = true;
    EXPECT_EQ(classify_batch_failure(gateway), BatchFailure::MayStillArrive);
}

TEST(ClassifyBatchFailure, NeverSentOrAnsweredIsResent) {
    HttpResponse refused;
    refused.error = "Failed to connect to 127.0.0.1 port 1: Connection refused";
    EXPECT_EQ(classify_batch_failure(refused), BatchFailure::Resend);
    HttpResponse busy;
    busy.status = 429;
    busy.sent = true;
    EXPECT_EQ(classify_batch_failure(busy), BatchFailure::Resend);
    for (long status : {500L, 502L, 503L}) {
        HttpResponse r;
        r.status = status;
        r.sent = true;
        EXPECT_EQ(classify_batch_failure(r), BatchFailure::LookUpThenResend) << status;
    }
}

TEST(ClassifyBatchFailure, PermanentIsFinal) {
    HttpResponse r;
    r.status = 413;
    r.sent = true;
    EXPECT_EQ(classify_batch_failure(r), BatchFailure::Final);
    HttpResponse tls;
    tls.error = "SSL certificate problem";
    tls.permanent = true;
    tls.sent = true;
    EXPECT_EQ(classify_batch_failure(tls), BatchFailure::Final);
}
