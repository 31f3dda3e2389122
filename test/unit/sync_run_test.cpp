// The engine's orchestration against fakes of the source, the ledger
// store and Parse (fake_parse.hpp): which mode each situation picks and
// why, what each phase's failure makes of the run, and that a run
// converges.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/logger.hpp"
#include "fake_parse.hpp"
#include "sync/sync_run.hpp"

using namespace impayes;
using namespace impayes_test;

namespace {

class QuietLog : public Logger {
public:
    std::vector<std::string> lines;
    void info(const std::string &m) override { lines.push_back(m); }
    void debug(const std::string &) override {}
    void warning(const std::string &m) override { lines.push_back(m); }
};

struct Fixture : public ::testing::Test {
    Settings s;
    FakeParse parse{"Impayes"};
    FakeSource source;
    FakeLedger ledger;
    QuietLog log;
    RecordingProgress progress;
    FullDecision last;

    Fixture() {
        s.parse_url = "http://127.0.0.1:1/parse";
        s.application_id = "app";
        s.master_key = "key";
        s.batch_size = 2;
        source.columns = {"numero_facture", "client", "n_montant"};
        for (int i = 1; i <= 5; ++i)
            source.rows.push_back(R"({"numero_facture":"F)" + std::to_string(i) +
                                  R"(","client":"c)" + std::to_string(i) + R"(","n_montant":)" +
                                  std::to_string(i * 10) + "}");
    }
    SyncResult sync(LedgerStore *store) {
        SyncRun run(s, source, parse, log, store, progress);
        SyncResult r = run.run();
        last = run.full_decision();
        return r;
    }
    SyncResult sync() { return sync(&ledger); }
    // Parse holds exactly the source rows, once each.
    void expect_converged() {
        ASSERT_EQ(parse.size(), source.rows.size());
        std::map<std::string, int> seen;
        for (const auto &o : parse.objects()) {
            ++seen[o.second["numero_facture"].GetString()];
            const std::string key = o.second["numero_facture"].GetString();
            bool found = false;
            for (const auto &row : source.rows) {
                JsonDoc d;
                parse_into(d, row);
                if (d["numero_facture"].GetString() != key) continue;
                found = true;
                for (auto m = d.MemberBegin(); m != d.MemberEnd(); ++m) {
                    const JsonValue *v = find_member(o.second, m->name.GetString());
                    ASSERT_NE(v, nullptr) << key << " lacks " << m->name.GetString();
                    EXPECT_TRUE(json_equal(*v, m->value)) << key << " " << m->name.GetString();
                }
            }
            EXPECT_TRUE(found) << key;
        }
        for (const auto &k : seen) EXPECT_EQ(k.second, 1) << k.first;
    }
};

TEST_F(Fixture, FirstSyncCreatesTheClassThenRunsIncrementally) {
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::NoClass);
    EXPECT_EQ(r.mode, "full");
    EXPECT_EQ(r.inserted, 5);
    expect_converged();
    EXPECT_EQ(ledger.saves, 1);

    SyncResult again = sync();
    ASSERT_TRUE(again.success) << again.error;
    EXPECT_EQ(last.reason, FullReason::None);
    EXPECT_EQ(again.mode, "incremental");
    EXPECT_EQ(again.skipped, 5);
    EXPECT_EQ(again.inserted + again.updated + again.deleted, 0);
}

TEST_F(Fixture, IncrementalRunWritesOnlyTheChange) {
    ASSERT_TRUE(sync().success);
    source.rows[2] = R"({"numero_facture":"F3","client":"changed","n_montant":30})";
    source.rows.push_back(R"({"numero_facture":"F6","client":"c6","n_montant":60})");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.mode, "incremental");
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(r.inserted, 1);
    EXPECT_EQ(r.skipped, 4);
    expect_converged();
}

TEST_F(Fixture, NoLedgerStoreIsFull) {
    ASSERT_TRUE(sync(nullptr).success);
    EXPECT_EQ(last.reason, FullReason::NoLedgerStore);
    ASSERT_TRUE(sync(nullptr).success);
    EXPECT_EQ(last.reason, FullReason::NoLedgerStore);
    expect_converged();
}

TEST_F(Fixture, FullRequestedAndModeFull) {
    ASSERT_TRUE(sync().success);
    s.full = true;
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::FullRequested);
    EXPECT_EQ(r.skipped, 5);
    // Nothing written: the watermark is the latest updatedAt the read met.
    std::string latest;
    for (const auto &o : parse.objects())
        latest = std::max(latest, std::string(o.second["updatedAt"].GetString()));
    EXPECT_EQ(ledger.state.watermark, latest);
    ledger.state.watermark.clear();
    s.full = false;
    s.mode = SyncMode::Full;
    ASSERT_TRUE(sync().success);
    EXPECT_EQ(last.reason, FullReason::ModeFull);
    EXPECT_EQ(ledger.state.watermark, latest);
    EXPECT_EQ(full_reason_text(last), "impayes_sync.mode is full");
    expect_converged();
}

TEST_F(Fixture, NoLedgerYetWhenTheClassExists) {
    parse.create_class({"numero_facture", "client"});
    parse.add(R"({"numero_facture":"F1","client":"old","n_montant":10})");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::NoLedgerYet);
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(r.inserted, 4);
    expect_converged();
}

TEST_F(Fixture, StaleLedgerSaysWhy) {
    ASSERT_TRUE(sync().success);
    ledger.state.found = false;
    ledger.state.stale_reason = "the ledger was written by another database";
    ASSERT_TRUE(sync().success);
    EXPECT_EQ(last.reason, FullReason::LedgerStale);
    EXPECT_EQ(full_reason_text(last), "the ledger was written by another database");
}

TEST_F(Fixture, SignatureChanged) {
    ASSERT_TRUE(sync().success);
    ledger.state.signature = "h3|http://elsewhere/parse|numero_facture|";
    ASSERT_TRUE(sync().success);
    EXPECT_EQ(last.reason, FullReason::SignatureChanged);
    EXPECT_EQ(sync().mode, "incremental");  // rebuilt for this URL
}

TEST_F(Fixture, KeyCountMismatch) {
    ASSERT_TRUE(sync().success);
    ledger.state.entries.erase("F2");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::KeyCountMismatch);
    EXPECT_EQ(full_reason_text(last), "the ledger holds 4 keys where 5 were saved");
    expect_converged();
}

TEST_F(Fixture, DriftAnObjectDeletedByAnotherClient) {
    ASSERT_TRUE(sync().success);
    parse.remove(parse.objects().begin()->first);
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::Drift);
    EXPECT_EQ(full_reason_text(last), "4 objects in Parse where the ledger expects 5");
    EXPECT_EQ(r.inserted, 1);
    expect_converged();
}

TEST_F(Fixture, DriftMergedAnObjectChangedByAnotherClient) {
    ASSERT_TRUE(sync().success);
    // Another client creates an object for a key the source then has.
    parse.add(R"({"numero_facture":"F6","client":"other","n_montant":1})");
    source.rows.push_back(R"({"numero_facture":"F6","client":"c6","n_montant":60})");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::None);
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(r.inserted, 0);
    expect_converged();
}

TEST_F(Fixture, ColumnsChanged) {
    ASSERT_TRUE(sync().success);
    source.columns.push_back("note");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::ColumnsChanged);
    EXPECT_EQ(source.reads, 3);  // the incremental read, then every row converted
    EXPECT_EQ(r.skipped, 5);
}

TEST_F(Fixture, SchemaReadFailureFailsTheRun) {
    parse.faults.push_back({"GET", "/schemas/Impayes", 400});
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_NE(r.error.find("injected fault"), std::string::npos) << r.error;
    EXPECT_EQ(source.reads, 0);
    EXPECT_EQ(ledger.saves, 0);
}

TEST_F(Fixture, LedgerLoadFailureFailsTheRun) {
    ASSERT_TRUE(sync().success);
    ledger.fail_load = true;
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error, "ledger load failed (fake)");
    EXPECT_EQ(source.reads, 1);
}

TEST_F(Fixture, SourceFailureWritesNothing) {
    source.fail = "source query failed: boom";
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error, "source query failed: boom");
    EXPECT_FALSE(parse.exists());
    EXPECT_EQ(ledger.saves, 0);
}

TEST_F(Fixture, PushFailureMidwayThenTheNextRunConverges) {
    // The second of three batches is refused for good; the others go.
    parse.faults.push_back({"POST", "/batch", 400, 1, 1});
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.inserted, 3);
    EXPECT_EQ(r.failed, 2);
    EXPECT_EQ(parse.size(), 3u);
    EXPECT_EQ(ledger.saves, 1);  // what was written is remembered
    SyncResult again = sync();
    ASSERT_TRUE(again.success) << again.error;
    EXPECT_EQ(again.inserted, 2);
    EXPECT_EQ(again.skipped, 3);
    expect_converged();
}

TEST_F(Fixture, LedgerSaveFailureFailsTheRunAndTheNextConverges) {
    ledger.fail_save = true;
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.error, "ledger save failed (fake)");
    ledger.fail_save = false;
    SyncResult again = sync();
    ASSERT_TRUE(again.success) << again.error;
    EXPECT_EQ(last.reason, FullReason::NoLedgerYet);
    EXPECT_EQ(again.skipped, 5);
    expect_converged();
}

TEST_F(Fixture, DryRunWritesNothing) {
    s.dry_run = true;
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.inserted, 5);
    EXPECT_FALSE(parse.exists());
    EXPECT_EQ(ledger.saves, 0);
    EXPECT_TRUE(progress.saw(RunPhase::Previewing));
    EXPECT_FALSE(progress.saw(RunPhase::Pushing));
}

TEST_F(Fixture, ProgressFollowsThePhasesAndCounts) {
    s.fetch_size = 2;  // three chunks: each diffed and pushed before the next is read
    ASSERT_TRUE(sync().success);
    const std::vector<RunPhase> order = {
        RunPhase::ReadingSchema,  RunPhase::ChoosingMode, RunPhase::ReadingSource,
        RunPhase::PreparingClass, RunPhase::Diffing,      RunPhase::Pushing,
        RunPhase::ReadingSource,  RunPhase::Diffing,      RunPhase::Pushing,
        RunPhase::ReadingSource,  RunPhase::Diffing,      RunPhase::Pushing,
        RunPhase::ReadingSource,  RunPhase::SavingLedger, RunPhase::Summarising};
    std::vector<RunPhase> seen;
    for (const auto &u : progress.updates)
        if (seen.empty() || seen.back() != u.phase) seen.push_back(u.phase);
    EXPECT_EQ(seen, order);
    // Written counts move batch by batch (batch_size 2: 2, 4, 5).
    std::vector<long> written;
    for (const auto &u : progress.updates)
        if (u.phase == RunPhase::Pushing &&
            (written.empty() || written.back() != u.objects_written))
            written.push_back(u.objects_written);
    EXPECT_EQ(written, (std::vector<long>{0, 2, 4, 5}));
    // Rows read move fetch by fetch (two rows a fetch: 2, 4, 5).
    std::vector<long> read;
    for (const auto &u : progress.updates)
        if (u.phase == RunPhase::ReadingSource && (read.empty() || read.back() != u.rows_read))
            read.push_back(u.rows_read);
    EXPECT_EQ(read, (std::vector<long>{0, 2, 4, 5}));
    const RunProgress &end = progress.updates.back();
    EXPECT_EQ(end.rows_read, 5);
    EXPECT_EQ(end.objects_to_write, 5);
    EXPECT_EQ(end.objects_failed, 0);
    EXPECT_EQ(end.mode, RunMode::Full);
}

TEST_F(Fixture, DuplicateInParseKeepsTheOldest) {
    parse.create_class({"numero_facture", "client"});
    const std::string oldest = parse.add(R"({"numero_facture":"F1","client":"c1","n_montant":10})");
    parse.add(R"({"numero_facture":"F1","client":"x","n_montant":10})");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.deleted, 1);
    EXPECT_EQ(parse.objects().count(oldest), 1u);
    expect_converged();
}

TEST_F(Fixture, EachChunkIsPushedBeforeTheNextIsRead) {
    s.fetch_size = 2;
    std::vector<size_t> chunks_at_batch;
    parse.on_batch = [&] { chunks_at_batch.push_back(source.chunk_totals.size()); };
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(source.chunk_totals, (std::vector<long>{2, 4, 5}));
    EXPECT_EQ(chunks_at_batch, (std::vector<size_t>{1, 2, 3}));
    expect_converged();
}

TEST_F(Fixture, KeyRepeatedInALaterChunkRejectsBothRows) {
    s.fetch_size = 2;
    source.rows.push_back(R"({"numero_facture":"F1","client":"other","n_montant":1})");
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.rejected, 2);
    const std::string details = to_json(r.details);
    EXPECT_NE(details.find("F1\\\" (also in row 6)"), std::string::npos) << details;
    EXPECT_NE(details.find("F1\\\" (also in row 1)"), std::string::npos) << details;
    // Row 1 was written before row 6 was read: one object, never two.
    std::map<std::string, int> per_key;
    for (const auto &o : parse.objects()) ++per_key[o.second["numero_facture"].GetString()];
    EXPECT_EQ(per_key["F1"], 1);
    EXPECT_EQ(parse.size(), 5u);
    // The next run does not trust what was written for the key.
    SyncResult again = sync();
    EXPECT_EQ(again.rejected, 2);
    EXPECT_EQ(parse.size(), 5u);
}

TEST_F(Fixture, FullRunComparesByContentWithoutLookingRowsUp) {
    s.fetch_size = 2;
    ASSERT_TRUE(sync().success);
    s.full = true;
    parse.log.clear();
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.skipped, 5);
    for (const auto &line : parse.log) EXPECT_EQ(line.find("POST /classes"), std::string::npos);
    // Another client edits a synced field: the full run puts it back.
    const std::string f2 = [&] {
        for (const auto &o : parse.objects())
            if (std::string(o.second["numero_facture"].GetString()) == "F2") return o.first;
        return std::string();
    }();
    parse.remove(f2);
    parse.add(R"({"numero_facture":"F2","client":"edited","n_montant":20})");
    r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(r.skipped, 4);
    expect_converged();
}

TEST_F(Fixture, KeysThatLeftTheSourceAreDeletedOnceItIsRead) {
    s.fetch_size = 2;
    s.on_missing = OnMissing::Delete;
    ASSERT_TRUE(sync().success);
    source.rows.erase(source.rows.begin() + 2);  // F3 paid
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(last.reason, FullReason::None);
    EXPECT_EQ(r.deleted, 1);
    expect_converged();
    source.rows.erase(source.rows.begin());  // F1 paid, seen by a full run
    s.full = true;
    r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.deleted, 1);
    expect_converged();
}

// The fields of each update in a dry run's preview, by key.
std::map<std::string, std::vector<std::string>> preview_updates(const SyncResult &r) {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto &u : r.preview["update"].GetArray())
        for (const auto &f : u["fields"].GetArray())
            out[u["key"].GetString()].push_back(f.GetString());
    return out;
}

std::string id_of(const FakeParse &parse, const std::string &key) {
    for (const auto &o : parse.objects())
        if (key == o.second["numero_facture"].GetString()) return o.first;
    return "";
}

TEST_F(Fixture, UpdatesCarryExactlyTheFieldsThatDifferAndNullEqualsAbsent) {
    source.rows[1] = R"({"numero_facture":"F2","n_montant":20})";  // client NULL
    source.rows[2] = R"({"numero_facture":"F3","n_montant":30})";  // client NULL
    parse.create_class({"numero_facture", "client"});
    parse.add(R"({"numero_facture":"F1","client":"c1","n_montant":11})");
    parse.add(R"({"numero_facture":"F2","client":"old","n_montant":20})");
    parse.add(R"({"numero_facture":"F3","client":null,"n_montant":30.0})");
    parse.add(R"({"numero_facture":"F4","client":"c4","n_montant":40,"other":"x"})");
    s.dry_run = true;
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.updated, 2);
    EXPECT_EQ(r.inserted, 1);  // F5
    EXPECT_EQ(r.skipped, 2);   // F3 (null, 30.0) and F4 (a field not synced)
    EXPECT_EQ(preview_updates(r), (std::map<std::string, std::vector<std::string>>{
                                      {"F1", {"n_montant"}}, {"F2", {"client"}}}));
    s.dry_run = false;
    r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.updated, 2);
    expect_converged();
    EXPECT_EQ(find_member(parse.objects().at(id_of(parse, "F2")), "client"), nullptr);
}

TEST_F(Fixture, NumericKeysAndDateMemberOrderCompareByValue) {
    s.key_column = "n_id";
    source.columns = {"n_id", "echeance"};
    source.rows = {
        R"({"n_id":12,"echeance":{"__type":"Date","iso":"2024-02-29T00:00:00.000Z"}})",
        R"({"n_id":13.0,"echeance":{"__type":"Date","iso":"2024-03-01T00:00:00.000Z"}})"};
    parse.create_class({"echeance"});
    parse.add(R"({"n_id":12.0,"echeance":{"iso":"2024-02-29T00:00:00.000Z","__type":"Date"}})");
    parse.add(R"({"n_id":13,"echeance":{"iso":"2024-01-01T00:00:00.000Z","__type":"Date"}})");
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.skipped, 1);
    EXPECT_EQ(r.updated, 1);
    EXPECT_EQ(r.inserted, 0);
    EXPECT_EQ(parse.size(), 2u);
    SyncResult again = sync();
    ASSERT_TRUE(again.success) << again.error;
    EXPECT_EQ(again.mode, "incremental");
    EXPECT_EQ(again.skipped, 2);
}

TEST_F(Fixture, DuplicateInParseKeepsTheLedgersObject) {
    parse.create_class({"numero_facture", "client"});
    const std::string oldest = parse.add(R"({"numero_facture":"F1","client":"c1","n_montant":10})");
    const std::string known = parse.add(R"({"numero_facture":"F1","client":"x","n_montant":10})");
    ledger.state.found = true;
    ledger.state.entries["F1"] = LedgerEntry{known, 7};  // the sync wrote it
    ledger.state.key_count = 1;
    ledger.state.object_count = 2;
    s.full = true;
    SyncResult r = sync();
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.deleted, 1);
    EXPECT_EQ(r.updated, 1);  // the kept object differed from the row
    EXPECT_EQ(parse.objects().count(known), 1u);
    EXPECT_EQ(parse.objects().count(oldest), 0u);
    expect_converged();
    const std::string line = "impayes_sync: key F1 is held by 2 objects: keeping " + known +
                             " (the one the ledger knows), deleting the others";
    EXPECT_NE(std::find(log.lines.begin(), log.lines.end(), line), log.lines.end());
    // The key stays in the ledger with the object kept.
    EXPECT_EQ(ledger.state.entries.at("F1").object_id, known);
    s.full = false;
    SyncResult again = sync();
    ASSERT_TRUE(again.success) << again.error;
    EXPECT_EQ(again.mode, "incremental");
    EXPECT_EQ(again.skipped, 5);
}

TEST_F(Fixture, KeyHeldBySeveralThatNoRowHas) {
    ASSERT_TRUE(sync().success);
    const std::string oldest = parse.add(R"({"numero_facture":"PAID","client":"p"})");
    parse.add(R"({"numero_facture":"PAID","client":"q"})");
    s.full = true;
    SyncResult r = sync();  // on_missing = keep: the oldest stays
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.deleted, 1);
    EXPECT_EQ(parse.objects().count(oldest), 1u);
    EXPECT_EQ(parse.size(), 6u);
    parse.add(R"({"numero_facture":"PAID","client":"r"})");
    s.on_missing = OnMissing::Delete;
    r = sync();  // the key left the source: every object goes
    ASSERT_TRUE(r.success) << r.error;
    EXPECT_EQ(r.deleted, 2);
    expect_converged();
}

TEST_F(Fixture, KeysOfRejectedRowsAreNeverDeleted) {
    s.on_missing = OnMissing::Delete;
    ASSERT_TRUE(sync().success);
    source.rows.push_back(R"({"numero_facture":"F1","client":"again","n_montant":1})");
    source.rows.push_back(R"({"client":"no key","n_montant":2})");
    for (bool full : {false, true}) {
        s.full = full;
        SyncResult r = sync();
        EXPECT_FALSE(r.success);
        EXPECT_EQ(r.rejected, 3);
        EXPECT_EQ(r.deleted, 0);
        EXPECT_EQ(parse.size(), 5u);
        const std::string details = to_json(r.details);
        EXPECT_NE(details.find("key column \\\"numero_facture\\\" is NULL"), std::string::npos)
            << details;
    }
}

// An insert whose request may still reach Parse (a gateway timeout, not
// found by key afterwards): how many objects Parse holds is unknown, so
// the next run is a full reconciliation, which finds or makes them.
TEST_F(Fixture, UnknownOutcomeMakesTheNextRunFull) {
    parse.faults.push_back({"POST", "/batch", 504, 0, 1});
    SyncResult r = sync();
    EXPECT_FALSE(r.success);
    EXPECT_EQ(r.inserted, 3);
    EXPECT_EQ(ledger.state.object_count, -1);
    EXPECT_EQ(ledger.state.entries.size(), 3u);  // only what Parse confirmed
    SyncResult again = sync();
    ASSERT_TRUE(again.success) << again.error;
    EXPECT_EQ(last.reason, FullReason::Drift);
    EXPECT_EQ(again.inserted, 2);
    expect_converged();
}

}  // namespace
