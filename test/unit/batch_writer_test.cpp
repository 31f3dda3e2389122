#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

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

namespace {

class QuietLogger : public Logger {
public:
    void info(const std::string &) override {}
    void debug(const std::string &) override {}
    void warning(const std::string &) override {}
};

// A loopback port nothing listens on: bind to port 0, read it, close.
int unused_loopback_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len), 0);
    close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace

TEST(BatchWriterProgress, ReportsAfterEachAnsweredBatch) {
    // Three deletes, one per batch, to a port nothing listens on: each
    // request fails (never sent), and without retries each object is
    // failed; the run's progress hears of each batch.
    Settings s;
    s.parse_url = "http://127.0.0.1:" + std::to_string(unused_loopback_port()) + "/parse";
    s.batch_size = 1;
    s.parallel_requests = 1;
    s.max_retries = 0;
    HttpOptions o;
    o.connect_timeout_ms = 5000;
    o.request_timeout_ms = 10000;
    HttpClient http(o, [] { return false; });
    QuietLogger log;
    ParseClient parse(s, http, log);
    BatchWriter writer(s, parse, http, log);
    std::vector<std::pair<long, long>> seen;
    writer.on_progress([&](long written, long failed) { seen.emplace_back(written, failed); });
    std::vector<Op> ops = {make_op(Op::Delete, 0, "a"), make_op(Op::Delete, 0, "b"),
                           make_op(Op::Delete, 0, "c")};
    SourceData src;
    std::vector<ItemOutcome> out = writer.push(ops, src);
    ASSERT_EQ(out.size(), 3u);
    for (const auto &item : out) EXPECT_EQ(item.state, ItemOutcome::Failed);
    const std::vector<std::pair<long, long>> want = {{0, 1}, {0, 2}, {0, 3}};
    EXPECT_EQ(seen, want);
}
