// One sync run as an object whose run() reads as the run's phases. Each
// phase is a private method; what it reads and what it leaves for the
// next phases are the members listed with it below.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/diff.hpp"
#include "core/progress.hpp"
#include "parse/batch_writer.hpp"
#include "parse/parse_client.hpp"
#include "sync/full_reason.hpp"
#include "sync/incremental.hpp"
#include "sync/sync_engine.hpp"

namespace impayes {

class SyncRun {
public:
    SyncRun(const Settings &s, SourceReader &source, HttpClient &http, Logger &log,
            LedgerStore *ledger, ProgressSink &progress);

    // Failures become success:false in the result; only Interrupted (and
    // std::bad_alloc) propagate.
    SyncResult run();

    // How the run decided (after run()), for tests and the log.
    const FullDecision &full_decision() const { return full_; }

private:
    // Phases, in run() order.
    void check_settings();     // settings -> log line
    void read_schema();        // -> exists_, fields_
    void choose_mode();        // exists_, ledger -> full_, state_, drifted_
    void read_source();        // full_, state_ -> src_, names_; full_ (columns changed)
    void prepare_class();      // src_, exists_, fields_ -> class and fields in Parse
    void diff();               // src_, state_ / the class -> diff_, known_
    void settle_duplicates();  // diff_.duplicated -> diff_ (full: keeper chosen)
    void preview();            // diff_ -> result counts and preview (dry run)
    void push();               // diff_ -> outcomes_, result counts
    void index_new_class();    // !exists_ -> key index
    void save_ledger();        // diff_, outcomes_, known_, state_ -> ledger store
    void summarise();          // everything -> result

    void enter(RunPhase phase);  // reports the phase; times the previous one
    void fail(const SyncError &e);
    SyncResult finish();
    bool incremental() const { return !full_.full(); }

    const Settings &s_;
    SourceReader &source_;
    HttpClient &http_;
    Logger &log_;
    LedgerStore *ledger_;
    ProgressSink &progress_;
    ParseClient parse_;

    RunProgress progress_state_;
    SyncResult r_;
    const std::chrono::steady_clock::time_point t0_;
    std::chrono::steady_clock::time_point lap_start_;
    const char *lap_name_ = nullptr;
    std::string laps_;  // time per phase, for the DEBUG1 line at the end

    bool exists_ = false;  // the class exists in Parse
    JsonDoc fields_;       // its fields (name -> {type})
    FullDecision full_;
    LedgerState state_;                 // incremental: the refreshed ledger
    std::vector<std::string> drifted_;  // keys refresh_ledger() changed
    std::unique_ptr<SourceData> src_;
    std::vector<std::string> names_;  // the synced fields
    DiffResult diff_;
    std::vector<KnownObject> known_;  // full: every object read, without updated_at
    std::string known_watermark_;     // full: the latest updatedAt read
    std::vector<std::string> duplicate_lines_;
    std::vector<RowProblem> rejected_;
    std::vector<ItemOutcome> outcomes_;  // one per diff_.ops after push()
};

}  // namespace impayes
