// refine_with_parse(): a chunk's inserts and updates looked up in Parse
// (FakeParse) by key, so that an update carries exactly the fields that
// differ, rows Parse already holds become skips, and a key held by several
// objects keeps one of them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake_parse.hpp"
#include "sync/incremental.hpp"

using namespace impayes;
using namespace impayes_test;

namespace {

class NoLog : public Logger {
public:
    void info(const std::string &) override {}
    void debug(const std::string &) override {}
    void warning(const std::string &) override {}
};

struct Refine : public ::testing::Test {
    Settings s;
    FakeParse fake{"Impayes"};
    NoLog log;
    SourceData src;
    LedgerState ledger;
    std::vector<std::string> confirmed, lines;

    Refine() {
        s.parse_url = "http://127.0.0.1:1/parse";
        s.application_id = "app";
        s.master_key = "key";
        fake.create_class({});
    }
    // Columns numero_facture, montant, echeance, note (or those given).
    void rows(const std::string &json,
              std::vector<SourceColumn> columns = {
                  {"numero_facture", "text", ParseType::String},
                  {"montant", "numeric", ParseType::Number},
                  {"echeance", "timestamp with time zone", ParseType::Date},
                  {"note", "text", ParseType::String}}) {
        src.columns = std::move(columns);
        parse_into(src.rows, json);
        for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
            src.row_numbers.push_back(long(i) + 1);
            src.row_hashes.push_back(100 + i);
        }
    }
    // Each row as the chunk's diff leaves it: kind, every field.
    DiffResult ops(Op::Kind kind) {
        DiffResult d;
        for (size_t i = 0; i < src.rows.Size(); ++i) {
            Op op{kind, i, kind == Op::Update ? "stale" : "", {}, {}, {}, {}};
            for (const auto &c : src.columns) op.changed.push_back(c.name);
            d.ops.push_back(std::move(op));
        }
        return d;
    }
    void refine(DiffResult &d) {
        ParseClient parse(s, fake, log);
        std::vector<std::string> fields;
        for (const auto &c : src.columns) fields.push_back(c.name);
        refine_with_parse(parse, src, s.key_column, fields, d, ledger, confirmed, lines);
    }
};

using Fields = std::vector<std::string>;

}  // namespace

TEST(FieldEqual, NullAndAbsent) {
    JsonDoc d;
    parse_into(d, R"([null, 1, 1.0, "x"])");
    EXPECT_TRUE(field_equal(nullptr, nullptr));
    EXPECT_TRUE(field_equal(nullptr, &d[0]));
    EXPECT_TRUE(field_equal(&d[0], nullptr));
    EXPECT_FALSE(field_equal(nullptr, &d[1]));
    EXPECT_FALSE(field_equal(&d[1], nullptr));
    EXPECT_TRUE(field_equal(&d[1], &d[2]));
    EXPECT_FALSE(field_equal(&d[1], &d[3]));
}

// Keys held by several objects (a late batch, another client): one object
// kept per key.
TEST(ChooseKeeper, LedgerKnownElseOldest) {
    JsonDoc objs;
    parse_into(objs, R"([{"objectId":"z","createdAt":"2026-01-02T00:00:00.000Z"},
                         {"objectId":"y","createdAt":"2026-01-01T00:00:00.000Z"},
                         {"objectId":"x","createdAt":"2026-01-01T00:00:00.000Z"}])");
    std::vector<const JsonValue *> list;
    for (const auto &o : objs.GetArray()) list.push_back(&o);
    Keeper k = choose_keeper(list, "");
    EXPECT_EQ(k.index, 2u);  // oldest; objectId breaks the tie
    EXPECT_EQ(k.why, Keeper::Oldest);
    k = choose_keeper(list, "z");
    EXPECT_EQ(k.index, 0u);
    EXPECT_EQ(k.why, Keeper::InLedger);
    k = choose_keeper(list, "gone");  // the ledger's object is not among them
    EXPECT_EQ(k.index, 2u);
    EXPECT_EQ(k.why, Keeper::Oldest);
}

TEST_F(Refine, UpdatesCarryExactlyTheFieldsThatDiffer) {
    rows(R"([{"numero_facture":"F1","montant":11,"note":"same"},
             {"numero_facture":"F2","montant":2},
             {"numero_facture":"F3","montant":3,"note":null},
             {"numero_facture":"F4","echeance":{"__type":"Date","iso":"2024-02-29T00:00:00.000Z"}},
             {"numero_facture":"F5","montant":5,
              "echeance":{"__type":"Date","iso":"2024-01-02T00:00:00.000Z"},"note":"n"}])");
    const std::string f1 = fake.add(R"({"numero_facture":"F1","montant":10,"note":"same"})");
    const std::string f2 = fake.add(R"({"numero_facture":"F2","montant":2,"note":"old"})");
    // 3 and 3.0, NULL and absent, Date members in another order: equal.
    const std::string f3 = fake.add(R"({"numero_facture":"F3","montant":3.0})");
    fake.add(R"({"numero_facture":"F4",
                 "echeance":{"iso":"2024-02-29T00:00:00.000Z","__type":"Date"}})");
    // A field Parse lacks is changed; fields not synced are not compared.
    const std::string f5 = fake.add(
        R"({"numero_facture":"F5","echeance":{"__type":"Date","iso":"2024-01-01T00:00:00.000Z"},
            "note":"n","other":"x"})");
    DiffResult d = ops(Op::Update);
    refine(d);
    ASSERT_EQ(d.ops.size(), 3u);
    EXPECT_EQ(d.ops[0].kind, Op::Update);
    EXPECT_EQ(d.ops[0].object_id, f1);
    EXPECT_EQ(d.ops[0].changed, Fields{"montant"});
    EXPECT_TRUE(d.ops[0].removed.empty());
    EXPECT_EQ(d.ops[1].object_id, f2);
    EXPECT_TRUE(d.ops[1].changed.empty());
    EXPECT_EQ(d.ops[1].removed, Fields{"note"});  // NULL in the source, set in Parse
    EXPECT_EQ(d.ops[2].object_id, f5);
    EXPECT_EQ(d.ops[2].changed, (Fields{"montant", "echeance"}));  // column order
    EXPECT_TRUE(d.ops[2].removed.empty());
    // Rows Parse holds as they are: skips, their ledger entries refreshed.
    EXPECT_EQ(d.skipped, 2);
    EXPECT_EQ(confirmed, (Fields{"F3", "F4"}));
    EXPECT_EQ(ledger.entries.at("F3").object_id, f3);
    EXPECT_EQ(ledger.entries.at("F3").hash, 102u);
    EXPECT_TRUE(d.duplicated.empty());
    EXPECT_TRUE(lines.empty());
}

TEST_F(Refine, NumericKeysMatchAcrossIntAndDouble) {
    s.key_column = "id";
    rows(R"([{"id":12,"montant":1},{"id":13.0,"montant":2},{"id":14,"montant":3}])",
         {{"id", "bigint", ParseType::Number}, {"montant", "numeric", ParseType::Number}});
    fake.add(R"({"id":12.0,"montant":1})");
    const std::string o13 = fake.add(R"({"id":13,"montant":20})");
    DiffResult d = ops(Op::Insert);  // the ledger knew none of them
    refine(d);
    EXPECT_EQ(d.skipped, 1);
    ASSERT_EQ(d.ops.size(), 2u);
    EXPECT_EQ(d.ops[0].kind, Op::Update);
    EXPECT_EQ(d.ops[0].object_id, o13);
    EXPECT_EQ(d.ops[0].changed, Fields{"montant"});
    EXPECT_EQ(d.ops[1].kind, Op::Insert);
    EXPECT_EQ(d.ops[1].row, 2u);
}

TEST_F(Refine, UpdateOfAnObjectDeletedMeanwhileBecomesAnInsert) {
    rows(R"([{"numero_facture":"F1","montant":1}])");
    DiffResult d = ops(Op::Update);
    refine(d);
    ASSERT_EQ(d.ops.size(), 1u);
    EXPECT_EQ(d.ops[0].kind, Op::Insert);
}

TEST_F(Refine, KeyHeldBySeveralKeepsTheLedgersObject) {
    rows(R"([{"numero_facture":"F1","montant":5}])");
    const std::string a = fake.add(R"({"numero_facture":"F1","montant":1})");  // the oldest
    const std::string b = fake.add(R"({"numero_facture":"F1","montant":5})");
    ledger.entries["F1"] = LedgerEntry{b, 7};  // the sync wrote b
    DiffResult d = ops(Op::Update);
    refine(d);
    // b equals the row (a skip); a is deleted as an extra.
    EXPECT_EQ(d.skipped, 1);
    ASSERT_EQ(d.ops.size(), 1u);
    EXPECT_EQ(d.ops[0].kind, Op::Delete);
    EXPECT_EQ(d.ops[0].object_id, a);
    EXPECT_EQ(d.ops[0].key, "F1");
    EXPECT_EQ(d.ops[0].keeper, b);
    EXPECT_EQ(d.duplicated, Fields{"F1"});
    EXPECT_EQ(lines, Fields{"key F1 is held by 2 objects: keeping " + b +
                            " (the one the ledger knows), deleting the others"});
}

TEST_F(Refine, KeyHeldBySeveralElseKeepsTheOldestAndUpdatesIt) {
    rows(R"([{"numero_facture":"F1","montant":5}])");
    const std::string a = fake.add(R"({"numero_facture":"F1","montant":1})");  // the oldest
    const std::string b = fake.add(R"({"numero_facture":"F1","montant":5})");
    DiffResult d = ops(Op::Insert);
    refine(d);
    EXPECT_EQ(d.skipped, 0);
    ASSERT_EQ(d.ops.size(), 2u);
    EXPECT_EQ(d.ops[0].kind, Op::Update);
    EXPECT_EQ(d.ops[0].object_id, a);
    EXPECT_EQ(d.ops[0].changed, Fields{"montant"});
    EXPECT_EQ(d.ops[1].kind, Op::Delete);
    EXPECT_EQ(d.ops[1].object_id, b);
    EXPECT_EQ(d.ops[1].keeper, a);
    EXPECT_EQ(lines, Fields{"key F1 is held by 2 objects: keeping " + a +
                            " (the oldest), deleting the others"});
}
