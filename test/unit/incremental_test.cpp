// The ledger's hashes and the rows the reader leaves unconverted as
// unchanged: skips, duplicates and deletes must count them.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/diff.hpp"
#include "core/ledger.hpp"
#include "sync/incremental.hpp"
#include "test_util.hpp"

using namespace impayes;
using impayes_test::parse_into;

namespace {

const std::string kKey = "numero_facture";

SourceData source(const std::string &rows_json, std::vector<UnchangedRow> unchanged = {}) {
    SourceData s;
    s.columns = {{"numero_facture", "text", ParseType::String},
                 {"montant", "numeric", ParseType::Number}};
    parse_into(s.rows, rows_json);
    for (rapidjson::SizeType i = 0; i < s.rows.Size(); ++i) {
        s.row_numbers.push_back(long(i) + 1);
        s.row_hashes.push_back(100 + i);
    }
    s.unchanged = std::move(unchanged);
    s.total = long(s.rows.Size() + s.unchanged.size());
    return s;
}

LedgerState ledger(std::initializer_list<std::pair<const std::string, LedgerEntry>> entries) {
    LedgerState l;
    l.found = true;
    l.entries = entries;
    l.key_count = long(l.entries.size());
    l.object_count = long(l.entries.size());
    return l;
}

const SipKey kHashKey{};

}  // namespace

TEST(LedgerHash, HexRoundTripAndNeverZero) {
    const std::string a = "abc";
    const uint64_t h = hash_bytes(kHashKey, a.data(), a.size());
    EXPECT_NE(h, 0u);
    EXPECT_EQ(hash_hex(h).size(), 16u);
    EXPECT_EQ(hash_from_hex(hash_hex(h).data(), 16), h);
    EXPECT_EQ(hash_from_hex("", 0), 0u);
    EXPECT_EQ(hash_from_hex("xyz0000000000000", 16), 0u);
    EXPECT_EQ(hash_bytes(kHashKey, "", 0), hash_bytes(kHashKey, "", 0));
}

TEST(LedgerHash, EveryByteCounts) {
    std::string a(40, 'x'), b = a;
    b[37] = 'y';  // in the tail after the 8-byte words
    std::string c = a;
    c[3] = 'y';  // in a word
    EXPECT_NE(hash_bytes(kHashKey, a.data(), a.size()), hash_bytes(kHashKey, b.data(), b.size()));
    EXPECT_NE(hash_bytes(kHashKey, a.data(), a.size()), hash_bytes(kHashKey, c.data(), c.size()));
    EXPECT_NE(hash_bytes(kHashKey, a.data(), 39), hash_bytes(kHashKey, a.data(), 40));
}

TEST(DiffLedger, UnchangedRowsAreSkipped) {
    auto s = source(R"([{"numero_facture":"F3","montant":3}])", {{"F1", 2}, {"F2", 3}});
    auto l = ledger({{"F1", {"o1", 7}}, {"F2", {"o2", 8}}, {"F3", {"o3", 9}}});
    DiffResult d = diff_ledger(s, kKey, l, false);
    EXPECT_EQ(d.skipped, 2);
    ASSERT_EQ(d.ops.size(), 1u);
    EXPECT_EQ(d.ops[0].kind, Op::Update);
    EXPECT_EQ(d.ops[0].object_id, "o3");
}

TEST(DiffLedger, DuplicateOfAnUnchangedRowRejectsBoth) {
    auto s = source(R"([{"numero_facture":"F1","montant":5}])", {{"F1", 4}, {"F2", 2}});
    auto l = ledger({{"F1", {"o1", 7}}, {"F2", {"o2", 8}}});
    DiffResult d = diff_ledger(s, kKey, l, false);
    EXPECT_TRUE(d.ops.empty());
    EXPECT_EQ(d.skipped, 1);  // F2 only
    ASSERT_EQ(d.rejected.size(), 2u);
    EXPECT_EQ(d.rejected[0].row, 1);  // in row order
    EXPECT_EQ(d.rejected[1].row, 4);
    EXPECT_EQ(d.rejected[0].message, "duplicate key \"F1\" (also in row 4)");
    EXPECT_EQ(d.rejected[1].message, "duplicate key \"F1\" (also in row 1)");
}

TEST(DiffLedger, UnchangedKeysAreNeverDeleted) {
    auto s = source(R"([])", {{"F1", 1}});
    auto l = ledger({{"F1", {"o1", 7}}, {"F2", {"o2", 8}}});
    DiffResult d = diff_ledger(s, kKey, l, true);
    ASSERT_EQ(d.ops.size(), 1u);
    EXPECT_EQ(d.ops[0].kind, Op::Delete);
    EXPECT_EQ(d.ops[0].key, "F2");
    EXPECT_EQ(d.skipped, 1);
}

TEST(DiffRows, ListsRowsEqualToParse) {
    auto s = source(R"([{"numero_facture":"F1","montant":1},{"numero_facture":"F2","montant":2}])");
    JsonDoc existing;
    parse_into(existing, R"([{"objectId":"o1","numero_facture":"F1","montant":1},
                             {"objectId":"o2","numero_facture":"F2","montant":3}])");
    DiffResult d = diff_rows(s, kKey, existing);
    ASSERT_EQ(d.equal.size(), 1u);
    EXPECT_EQ(d.equal[0].first, 0u);
    EXPECT_EQ(d.equal[0].second, "o1");
}

TEST(LedgerDelta, RebuildKnowsTheHashOfEqualRowsOnly) {
    auto s = source(R"([{"numero_facture":"F1","montant":1},{"numero_facture":"F2","montant":2}])");
    JsonDoc existing;
    parse_into(existing, R"([{"objectId":"o1","numero_facture":"F1","montant":1},
                             {"objectId":"o2","numero_facture":"F2","montant":3},
                             {"objectId":"o9","numero_facture":"F9"}])");
    DiffResult d = diff_rows(s, kKey, existing);
    std::vector<KnownObject> known = index_objects(existing, kKey);
    std::vector<ItemOutcome> outcomes(d.ops.size());  // not written
    LedgerDelta delta = ledger_delta(true, known, LedgerState(), {}, d, outcomes, s, kKey);
    EXPECT_TRUE(delta.replace_all);
    EXPECT_EQ(delta.object_count, 3);
    std::map<std::string, LedgerEntry> by_key(delta.upserts.begin(), delta.upserts.end());
    ASSERT_EQ(by_key.size(), 3u);
    EXPECT_EQ(by_key["F1"].hash, 100u);  // equal: its row's hash
    EXPECT_EQ(by_key["F2"].hash, 0u);    // differs and was not written: unknown
    EXPECT_EQ(by_key["F9"].hash, 0u);
    EXPECT_EQ(by_key["F9"].object_id, "o9");
}

TEST(NarrowRebuild, WritesOnlyWhatChanged) {
    LedgerDelta d;
    d.replace_all = true;
    d.upserts = {{"F1", {"o1", 5}}, {"F2", {"o2", 6}}, {"F3", {"o3", 0}}, {"F4", {"o4", 8}}};
    LedgerState old =
        ledger({{"F1", {"o1", 5}}, {"F2", {"o2", 7}}, {"F3", {"o3", 0}}, {"F5", {"o5", 9}}});
    narrow_rebuild(d, old);
    EXPECT_FALSE(d.replace_all);
    std::map<std::string, LedgerEntry> up(d.upserts.begin(), d.upserts.end());
    ASSERT_EQ(up.size(), 2u);
    EXPECT_EQ(up["F2"].hash, 6u);
    EXPECT_EQ(up["F4"].object_id, "o4");
    ASSERT_EQ(d.removed.size(), 1u);
    EXPECT_EQ(d.removed[0], "F5");
}

TEST(NarrowRebuild, NoSavedLedgerRewritesAll) {
    LedgerDelta d;
    d.replace_all = true;
    d.upserts = {{"F1", {"o1", 5}}};
    narrow_rebuild(d, LedgerState());
    EXPECT_TRUE(d.replace_all);
    EXPECT_EQ(d.upserts.size(), 1u);
}

// An insert whose outcome is unknown (its request may still reach Parse):
// the object count is unknown, so the next run is a full reconciliation.
TEST(LedgerDelta, UnknownOutcomeForcesAFullReconciliation) {
    auto s = source(R"([{"numero_facture":"F1","montant":1},{"numero_facture":"F2","montant":2}])");
    LedgerState l = ledger({});
    DiffResult d = diff_ledger(s, kKey, l, false);
    ASSERT_EQ(d.ops.size(), 2u);
    std::vector<ItemOutcome> outcomes(2);
    outcomes[0].state = ItemOutcome::Done;
    outcomes[0].object_id = "o1";
    outcomes[1].state = ItemOutcome::Unknown;
    LedgerDelta delta = ledger_delta(false, {}, l, {}, d, outcomes, s, kKey);
    EXPECT_EQ(delta.object_count, -1);
    ASSERT_EQ(delta.upserts.size(), 1u);  // only what Parse confirmed
    EXPECT_EQ(delta.upserts[0].first, "F1");
    outcomes[1].state = ItemOutcome::Failed;  // refused: the count is still known
    EXPECT_EQ(ledger_delta(false, {}, l, {}, d, outcomes, s, kKey).object_count, 1);
}

// Deleting an extra object sharing a key keeps the key, with the kept
// object, in the ledger.
TEST(LedgerDelta, ExtraObjectDeletedKeepsTheKey) {
    auto s = source(R"([{"numero_facture":"F1","montant":1}])");
    LedgerState l = ledger({{"F1", LedgerEntry{"extra", 5}}});
    l.object_count = 2;
    DiffResult d;
    d.ops.push_back({Op::Delete, 0, "extra", {}, {}, "F1", "kept"});
    std::vector<ItemOutcome> outcomes(1);
    outcomes[0].state = ItemOutcome::Done;
    LedgerDelta delta = ledger_delta(false, {}, l, {}, d, outcomes, s, kKey);
    EXPECT_EQ(delta.object_count, 1);
    EXPECT_TRUE(delta.removed.empty());
    ASSERT_EQ(delta.upserts.size(), 1u);
    EXPECT_EQ(delta.upserts[0].second.object_id, "kept");
    EXPECT_EQ(delta.key_count, 1);
}
