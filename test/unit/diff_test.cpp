#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/diff.hpp"
#include "test_util.hpp"

using namespace impayes;
using impayes_test::parse_into;

namespace {

const std::string kKey = "numero_facture";

// Columns numero_facture (String), montant (Number), echeance (Date), note (String).
SourceData source(const std::string &rows_json) {
    SourceData s;
    s.columns = {{"numero_facture", "text", ParseType::String},
                 {"montant", "numeric", ParseType::Number},
                 {"echeance", "timestamp with time zone", ParseType::Date},
                 {"note", "text", ParseType::String}};
    parse_into(s.rows, rows_json);
    s.total = s.rows.IsArray() ? long(s.rows.Size()) : 0;
    return s;
}

DiffResult diff(const SourceData &s, const std::string &existing_json) {
    JsonDoc existing;
    parse_into(existing, existing_json);
    return diff_rows(s, kKey, existing);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

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

TEST(DiffRows, InsertsForNewKeys) {
    auto s =
        source(R"([{"numero_facture":"F1","montant":10},{"numero_facture":"F2","montant":20}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":10}])");
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.ops[0].kind, Op::Insert);
    EXPECT_EQ(r.ops[0].row, 1u);
    EXPECT_EQ(r.skipped, 1);
    EXPECT_TRUE(r.rejected.empty());
    EXPECT_TRUE(r.duplicated.empty());
}

TEST(DiffRows, EverythingInsertedIntoEmptyClass) {
    auto s = source(R"([{"numero_facture":"F1"},{"numero_facture":"F2"},{"numero_facture":"F3"}])");
    auto r = diff(s, "[]");
    ASSERT_EQ(r.ops.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(r.ops[i].kind, Op::Insert);
        EXPECT_EQ(r.ops[i].row, i);
    }
    EXPECT_EQ(r.skipped, 0);
}

TEST(DiffRows, IdenticalRowsSkipped) {
    auto s = source(R"([{"numero_facture":"F1","montant":10,"note":"n"}])");
    auto r = diff(s, R"([{"objectId":"o1","note":"n","montant":10,"numero_facture":"F1"}])");
    EXPECT_TRUE(r.ops.empty());
    EXPECT_EQ(r.skipped, 1);
}

TEST(DiffRows, UpdateListsExactlyTheChangedFields) {
    auto s = source(R"([{"numero_facture":"F1","montant":11,"note":"same"}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":10,"note":"same"}])");
    ASSERT_EQ(r.ops.size(), 1u);
    const Op &op = r.ops[0];
    EXPECT_EQ(op.kind, Op::Update);
    EXPECT_EQ(op.row, 0u);
    EXPECT_EQ(op.object_id, "o1");
    EXPECT_EQ(op.changed, std::vector<std::string>{"montant"});
    EXPECT_TRUE(op.removed.empty());
    EXPECT_EQ(r.skipped, 0);
}

TEST(DiffRows, FieldMissingInParseIsChanged) {
    auto s = source(R"([{"numero_facture":"F1","montant":11,"note":"new"}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":11}])");
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.ops[0].changed, std::vector<std::string>{"note"});
}

TEST(DiffRows, OnlySyncedColumnsCompared) {
    // Parse fields that are not source columns (createdAt, other) are ignored.
    auto s = source(R"([{"numero_facture":"F1","montant":1}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":1,
                          "createdAt":"2024-01-01T00:00:00.000Z","other":"x"}])");
    EXPECT_TRUE(r.ops.empty());
    EXPECT_EQ(r.skipped, 1);
}

TEST(DiffRows, NullInSourceEqualsAbsentOrNullInParse) {
    // The converter leaves NULL columns out; an explicit null is accepted too.
    auto s = source(R"([{"numero_facture":"F1","montant":1},
                        {"numero_facture":"F2","montant":2,"note":null}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":1,"note":null},
                         {"objectId":"o2","numero_facture":"F2","montant":2}])");
    EXPECT_TRUE(r.ops.empty());
    EXPECT_EQ(r.skipped, 2);
}

TEST(DiffRows, NullInSourceValueInParseIsRemoved) {
    auto s = source(R"([{"numero_facture":"F1","montant":1}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":1,"note":"old"}])");
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.ops[0].kind, Op::Update);
    EXPECT_TRUE(r.ops[0].changed.empty());
    EXPECT_EQ(r.ops[0].removed, std::vector<std::string>{"note"});
}

TEST(DiffRows, NumbersIntVsDoubleEqual) {
    auto s = source(R"([{"numero_facture":"F1","montant":12}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":12.0}])");
    EXPECT_TRUE(r.ops.empty());
    EXPECT_EQ(r.skipped, 1);
}

TEST(DiffRows, DatesEqualRegardlessOfMemberOrder) {
    auto s = source(R"([{"numero_facture":"F1",
                         "echeance":{"__type":"Date","iso":"2024-02-29T00:00:00.000Z"}}])");
    auto same = diff(s, R"([{"objectId":"o1","numero_facture":"F1",
                            "echeance":{"iso":"2024-02-29T00:00:00.000Z","__type":"Date"}}])");
    EXPECT_TRUE(same.ops.empty());
    EXPECT_EQ(same.skipped, 1);

    auto other = diff(s, R"([{"objectId":"o1","numero_facture":"F1",
                             "echeance":{"iso":"2024-03-01T00:00:00.000Z","__type":"Date"}}])");
    ASSERT_EQ(other.ops.size(), 1u);
    EXPECT_EQ(other.ops[0].changed, std::vector<std::string>{"echeance"});
}

TEST(DiffRows, NullKeyRejectedNamingKeyColumn) {
    auto s =
        source(R"([{"montant":1},{"numero_facture":null,"montant":2},{"numero_facture":"F3"}])");
    s.row_numbers = {4, 7, 9};
    auto r = diff(s, "[]");
    ASSERT_EQ(r.rejected.size(), 2u);
    EXPECT_EQ(r.rejected[0].row, 4);
    EXPECT_EQ(r.rejected[1].row, 7);
    for (const auto &p : r.rejected) {
        EXPECT_EQ(p.column, kKey);
        EXPECT_EQ(p.key, "");
        EXPECT_NE(p.message.find(kKey), std::string::npos) << p.message;
    }
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.ops[0].row, 2u);
}

TEST(DiffRows, DuplicateKeysRejectAllRowsWithRowNumbers) {
    auto s = source(R"([{"numero_facture":"D","montant":1},
                        {"numero_facture":"OK","montant":2},
                        {"numero_facture":"D","montant":3},
                        {"numero_facture":"D","montant":4}])");
    // Existing object with the duplicated key must be left alone (no update).
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"D","montant":99}])");
    ASSERT_EQ(r.rejected.size(), 3u);
    const long expected_rows[] = {1, 3, 4};
    for (size_t i = 0; i < 3; ++i) {
        const RowProblem &p = r.rejected[i];
        EXPECT_EQ(p.row, expected_rows[i]);
        EXPECT_EQ(p.key, "D");
        EXPECT_EQ(p.column, kKey);
        // The message names the other rows holding the same key.
        for (long other : expected_rows) {
            if (other == p.row) continue;
            EXPECT_NE(p.message.find(std::to_string(other)), std::string::npos)
                << "row " << p.row << ": " << p.message;
        }
    }
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.ops[0].kind, Op::Insert);
    EXPECT_EQ(r.ops[0].row, 1u);
}

TEST(DiffRows, DuplicateRowNumbersComeFromRowNumbers) {
    auto s = source(R"([{"numero_facture":"D"},{"numero_facture":"D"}])");
    s.row_numbers = {10, 25};
    auto r = diff(s, "[]");
    ASSERT_EQ(r.rejected.size(), 2u);
    EXPECT_EQ(r.rejected[0].row, 10);
    EXPECT_EQ(r.rejected[1].row, 25);
    EXPECT_NE(r.rejected[0].message.find("25"), std::string::npos) << r.rejected[0].message;
    EXPECT_NE(r.rejected[1].message.find("10"), std::string::npos) << r.rejected[1].message;
    EXPECT_TRUE(r.ops.empty());
}

TEST(DiffRows, KeyHeldByTwoParseObjectsReported) {
    auto s = source(R"([{"numero_facture":"F1","montant":5}])");
    auto r = diff(s, R"([{"objectId":"a1","numero_facture":"F1","montant":1},
                         {"objectId":"b2","numero_facture":"F1","montant":5},
                         {"objectId":"c3","numero_facture":"F2"}])");
    EXPECT_EQ(r.duplicated, std::vector<std::string>{"F1"});
    // The first object (smallest objectId, read order) is the one updated.
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(r.ops[0].kind, Op::Update);
    EXPECT_EQ(r.ops[0].object_id, "a1");
    EXPECT_EQ(r.ops[0].changed, std::vector<std::string>{"montant"});
}

TEST(DiffRows, ParseObjectsWithoutKeyIgnored) {
    auto s = source(R"([{"numero_facture":"F1"}])");
    auto r = diff(s, R"([{"objectId":"a1"},{"objectId":"a2","numero_facture":null},
                         {"objectId":"a3","numero_facture":"F1"}])");
    EXPECT_TRUE(r.duplicated.empty());
    EXPECT_TRUE(r.ops.empty());
    EXPECT_EQ(r.skipped, 1);
}

TEST(DiffRows, NumericKeysMatchedAcrossIntAndDouble) {
    SourceData s;
    s.columns = {{"id", "bigint", ParseType::Number}, {"montant", "numeric", ParseType::Number}};
    parse_into(s.rows, R"([{"id":12,"montant":1},{"id":13.0,"montant":2},{"id":14,"montant":3}])");
    JsonDoc existing;
    parse_into(existing, R"([{"objectId":"o12","id":12.0,"montant":1},
                             {"objectId":"o13","id":13,"montant":20}])");
    auto r = diff_rows(s, "id", existing);
    EXPECT_EQ(r.skipped, 1);
    ASSERT_EQ(r.ops.size(), 2u);
    EXPECT_EQ(r.ops[0].kind, Op::Update);
    EXPECT_EQ(r.ops[0].object_id, "o13");
    EXPECT_EQ(r.ops[0].changed, std::vector<std::string>{"montant"});
    EXPECT_EQ(r.ops[1].kind, Op::Insert);
    EXPECT_EQ(r.ops[1].row, 2u);
}

TEST(DiffRows, NumericDuplicateKeysAcrossIntAndDouble) {
    SourceData s;
    s.columns = {{"id", "numeric", ParseType::Number}};
    parse_into(s.rows, R"([{"id":7},{"id":7.0}])");
    JsonDoc existing;
    parse_into(existing, "[]");
    auto r = diff_rows(s, "id", existing);
    EXPECT_EQ(r.rejected.size(), 2u);
    EXPECT_TRUE(r.ops.empty());
}

TEST(DiffRows, SeveralChangesAndRemovalsInColumnOrder) {
    auto s = source(R"([{"numero_facture":"F1","montant":2,
                         "echeance":{"__type":"Date","iso":"2024-01-02T00:00:00.000Z"}}])");
    auto r = diff(s, R"([{"objectId":"o1","numero_facture":"F1","montant":1,"note":"x",
                         "echeance":{"__type":"Date","iso":"2024-01-01T00:00:00.000Z"}}])");
    ASSERT_EQ(r.ops.size(), 1u);
    EXPECT_EQ(sorted(r.ops[0].changed), (std::vector<std::string>{"echeance", "montant"}));
    EXPECT_EQ(r.ops[0].removed, std::vector<std::string>{"note"});
}

TEST(DiffRows, DeleteMissingOffByDefault) {
    auto s = source(R"([{"numero_facture":"F1"}])");
    auto r = diff(
        s,
        R"([{"objectId":"o1","numero_facture":"F1"},{"objectId":"o2","numero_facture":"PAID"}])");
    EXPECT_TRUE(r.ops.empty());
}

TEST(DiffRows, DeleteMissingDeletesAbsentKeysAndExtras) {
    auto s = source(R"([{"numero_facture":"F1"},{"numero_facture":"D"},{"numero_facture":"D"}])");
    // A key rejected while converting is still "in the source".
    s.rejected.push_back({4, "BAD", "montant", "column \"montant\": out of range"});
    JsonDoc existing;
    parse_into(existing, R"([{"objectId":"a","numero_facture":"F1"},
                             {"objectId":"b","numero_facture":"F1"},
                             {"objectId":"c","numero_facture":"PAID"},
                             {"objectId":"d","numero_facture":"D"},
                             {"objectId":"e","numero_facture":"BAD"}])");
    auto r = diff_rows(s, kKey, existing, true);
    EXPECT_EQ(r.duplicated, std::vector<std::string>{"F1"});
    EXPECT_EQ(r.duplicated_values, std::vector<std::string>{"\"F1\""});
    // The extra object of F1 is settle_duplicates()' decision (read again
    // by key: here the two objects of F1, a being the oldest).
    JsonDoc again;
    parse_into(again,
               R"([{"objectId":"b","numero_facture":"F1","createdAt":"2026-01-02T00:00:00.000Z"},
                          {"objectId":"a","numero_facture":"F1","createdAt":"2026-01-01T00:00:00.000Z"}])");
    auto lines = settle_duplicates(s, kKey, again, {}, true, r);
    EXPECT_EQ(lines,
              std::vector<std::string>{
                  "key F1 is held by 2 objects: keeping a (the oldest), deleting the others"});
    std::vector<std::string> deleted;
    for (const Op &op : r.ops) {
        ASSERT_EQ(op.kind, Op::Delete) << op.object_id;
        deleted.push_back(op.object_id + "=" + op.key + (op.keeper.empty() ? "" : ">" + op.keeper));
    }
    EXPECT_EQ(sorted(deleted), (std::vector<std::string>{"b=F1>a", "c=PAID"}));
    EXPECT_EQ(r.skipped, 1);
}

// Keys held by several objects (a late batch, another client): one object
// kept per key, whatever on_missing says.
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

TEST(SettleDuplicates, KeepModeSyncsTheKeptObjectAndDeletesTheOthers) {
    auto s = source(R"([{"numero_facture":"F1","montant":5},{"numero_facture":"F2","montant":2}])");
    JsonDoc existing;
    // Read order: a (stale) first, then b (equal to the row).
    parse_into(existing, R"([{"objectId":"a","numero_facture":"F1","montant":1},
                             {"objectId":"b","numero_facture":"F1","montant":5},
                             {"objectId":"c","numero_facture":"F2","montant":2},
                             {"objectId":"p","numero_facture":"PAID"},
                             {"objectId":"q","numero_facture":"PAID"}])");
    auto r = diff_rows(s, kKey, existing, false);
    EXPECT_EQ(r.duplicated, (std::vector<std::string>{"F1", "PAID"}));
    ASSERT_EQ(r.ops.size(), 1u);  // for now: a updated
    JsonDoc again;
    parse_into(
        again,
        R"([{"objectId":"a","numero_facture":"F1","montant":1,"createdAt":"2026-01-03T00:00:00.000Z"},
                          {"objectId":"b","numero_facture":"F1","montant":5,"createdAt":"2026-01-03T00:00:00.000Z"},
                          {"objectId":"p","numero_facture":"PAID","createdAt":"2026-01-05T00:00:00.000Z"},
                          {"objectId":"q","numero_facture":"PAID","createdAt":"2026-01-04T00:00:00.000Z"}])");
    LedgerEntries ledger;
    ledger["F1"] = LedgerEntry{"b", 7};  // the sync wrote b
    auto lines = settle_duplicates(s, kKey, again, ledger, false, r);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0],
              "key F1 is held by 2 objects: keeping b (the one the ledger knows), deleting the "
              "others");
    EXPECT_EQ(lines[1],
              "key PAID is held by 2 objects: keeping q (the oldest), deleting the others");
    // b equals row 0 (a skip); a and p are deleted as extras; q stays.
    ASSERT_EQ(r.ops.size(), 2u);
    EXPECT_EQ(r.ops[0].kind, Op::Delete);
    EXPECT_EQ(r.ops[0].object_id, "a");
    EXPECT_EQ(r.ops[0].keeper, "b");
    EXPECT_EQ(r.ops[1].object_id, "p");
    EXPECT_EQ(r.ops[1].keeper, "q");
    EXPECT_EQ(r.skipped, 2);
    EXPECT_EQ(r.equal, (std::vector<std::pair<size_t, std::string>>{{0, "b"}, {1, "c"}}));
    EXPECT_EQ(r.duplicated, (std::vector<std::string>{"F1", "PAID"}));
}

TEST(SettleDuplicates, KeptObjectThatDiffersIsUpdated) {
    auto s = source(R"([{"numero_facture":"F1","montant":5}])");
    JsonDoc existing;
    parse_into(existing, R"([{"objectId":"a","numero_facture":"F1","montant":5},
                             {"objectId":"b","numero_facture":"F1","montant":1}])");
    auto r = diff_rows(s, kKey, existing, true);
    EXPECT_EQ(r.skipped, 1);  // a, for now
    JsonDoc again;
    parse_into(
        again,
        R"([{"objectId":"a","numero_facture":"F1","montant":5,"createdAt":"2026-02-01T00:00:00.000Z"},
                          {"objectId":"b","numero_facture":"F1","montant":1,"createdAt":"2026-01-01T00:00:00.000Z"}])");
    settle_duplicates(s, kKey, again, {}, true, r);
    ASSERT_EQ(r.ops.size(), 2u);
    EXPECT_EQ(r.ops[0].kind, Op::Update);
    EXPECT_EQ(r.ops[0].object_id, "b");
    EXPECT_EQ(r.ops[0].changed, std::vector<std::string>{"montant"});
    EXPECT_EQ(r.ops[1].kind, Op::Delete);
    EXPECT_EQ(r.ops[1].object_id, "a");
    EXPECT_EQ(r.ops[1].keeper, "b");
    EXPECT_EQ(r.skipped, 0);
    EXPECT_TRUE(r.equal.empty());
}

TEST(SettleDuplicates, DeleteModeKeyThatLeftTheSourceDeletesThemAll) {
    auto s = source(R"([{"numero_facture":"F1"}])");
    JsonDoc existing;
    parse_into(existing, R"([{"objectId":"a","numero_facture":"F1"},
                             {"objectId":"p","numero_facture":"PAID"},
                             {"objectId":"q","numero_facture":"PAID"}])");
    auto r = diff_rows(s, kKey, existing, true);
    JsonDoc again;
    parse_into(
        again,
        R"([{"objectId":"p","numero_facture":"PAID"},{"objectId":"q","numero_facture":"PAID"}])");
    auto lines = settle_duplicates(s, kKey, again, {}, true, r);
    EXPECT_EQ(lines,
              std::vector<std::string>{
                  "key PAID is held by 2 objects: its key left the source, deleting them all"});
    ASSERT_EQ(r.ops.size(), 2u);
    for (const Op &op : r.ops) {
        EXPECT_EQ(op.kind, Op::Delete);
        EXPECT_EQ(op.key, "PAID");
        EXPECT_EQ(op.keeper, "");  // the key is gone, not an extra
    }
    EXPECT_EQ(r.skipped, 1);
}
