// One sync run as an object whose run() reads as the run's phases. Each
// phase is a private method; what it reads and what it leaves for the
// next phases are the members listed with it below.
//
// The source is streamed: the reader hands over fetch_size rows at a time
// and each chunk is diffed and pushed before the next is fetched. Across
// chunks the run keeps, per key, only a LedgerEntry (objectId, hashes,
// flags) in keys_: the loaded ledger for an incremental run, the objects of
// the class read page by page for a full one, and every key the source
// showed. Memory grows with the keys, not with the rows' contents.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/diff.hpp"
#include "core/progress.hpp"
#include "core/siphash.hpp"
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
    void check_settings();  // settings -> log line
    void read_schema();     // -> exists_, fields_
    void choose_mode();     // exists_, ledger -> full_, keys_ (ledger), drifted_
    void stream_source();   // per chunk: the phases below; -> counts, keys_
    // ... for each chunk, in order:
    void start(const SourceData &first);  // columns -> names_, class prepared, class read (full)
    void prepare_class(const SourceData &first);     // -> class and fields in Parse
    void read_class();                               // full: -> keys_ (objects of the class)
    DiffResult diff_chunk(const SourceData &chunk);  // keys_ -> ops; keys_ (seen)
    void write_chunk(const SourceData &chunk, DiffResult &diff);  // push or preview
    // ... then, once the source is read:
    void settle_missing();   // keys_ not in the source -> deletes; extra objects -> deletes
    void index_new_class();  // !exists_ -> key index
    void save_ledger();      // keys_ -> ledger store
    void summarise();        // everything -> result

    void enter(RunPhase phase);  // reports the phase; times the previous one
    void report();               // reports the counters
    void remember_saved();       // state_ as loaded -> saved fingerprints in keys_
    void reject(const RowProblem &p);
    void record(const SourceData &chunk, const std::vector<Op> &ops,
                const std::vector<ItemOutcome> &outcomes);  // outcomes -> keys_, counts
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
    RunPhase lap_phase_ = RunPhase::Starting;  // the phase being timed, once timing_
    bool timing_ = false;
    std::vector<std::pair<RunPhase, long>> laps_;  // ms per phase, in first-met order (DEBUG1)

    bool exists_ = false;  // the class exists in Parse
    JsonDoc fields_;       // its fields (name -> {type})
    FullDecision full_;
    LedgerState state_;  // the ledger as loaded; its entries are keys_
    LedgerEntries &keys_;
    bool saved_found_ = false;          // a trusted saved ledger is in keys_ (saved fingerprints)
    std::vector<std::string> drifted_;  // keys refresh_ledger() changed
    std::vector<SourceColumn> columns_;
    std::vector<std::string> names_;  // the synced fields
    bool started_ = false;            // the first chunk was seen
    long object_count_ = 0;           // objects in the class, as far as the run knows
    std::string watermark_;           // latest updatedAt/createdAt seen
    bool lost_track_ = false;         // an outcome is unknown: the next run is full
    bool saving_ = false;             // save_ledger() was entered
    bool state_known_ = false;        // keys_, object_count_ and watermark_ describe Parse
    std::map<std::string, std::vector<long>> dup_rows_;  // keys repeated in the source: rows
    std::vector<std::string> dup_in_parse_;              // full: keys held by several objects
    std::vector<std::string> dup_values_;  // their key values as JSON, to look them up
    std::vector<std::string> duplicated_;  // keys settled (details, sorted)
    std::vector<std::string> duplicate_lines_;
    std::vector<RowProblem> rejected_;  // the first kListedProblems by arrival
    long rejected_count_ = 0;
    SipKey content_key_;   // content_hash() key, random per run
    std::string scratch_;  // content_hash() buffer
};

}  // namespace impayes
