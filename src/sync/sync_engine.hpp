// One sync run, from settings to result. PostgreSQL reaches it only
// through SourceReader (src/pg/source_reader.cpp), so the whole flow can be
// driven by tests without a server.
#pragma once

#include <functional>

#include "core/ledger.hpp"
#include "core/logger.hpp"
#include "core/progress.hpp"
#include "core/result.hpp"
#include "core/settings.hpp"
#include "core/source_data.hpp"
#include "http/http_client.hpp"

namespace impayes {

class SourceReader {
public:
    virtual ~SourceReader() = default;
    // Receives each chunk of converted rows, in source order; it diffs and
    // pushes them (HTTP) before the next chunk is fetched.
    using ChunkSink = std::function<void(SourceData &chunk)>;
    // Runs the source query (its timeout counts the time spent fetching,
    // not the time on_chunk takes) and converts s.fetch_size rows at a
    // time. on_chunk hears every chunk, the first one even when empty (its
    // columns tell the run what is synced); chunk.total is the count of
    // rows read so far and row numbers are positions in the whole result.
    // With known (the ledger), a row whose key has an entry with the hash of
    // the row's values is only listed in chunk.unchanged. parse_fields (the
    // class's fields, name -> {type}) fixes the kind of json/jsonb columns
    // Parse already holds. Throws SyncError (bad source, timeout, SQL
    // error) or Interrupted, and lets what on_chunk throws through.
    virtual void read(const Settings &s, const LedgerEntries *known, const JsonValue &parse_fields,
                      const ChunkSink &on_chunk) = 0;
};

// Where the incremental-sync ledger lives (src/pg/ledger_store.cpp).
class LedgerStore {
public:
    virtual ~LedgerStore() = default;
    virtual void load(const std::string &class_name, LedgerState &out) = 0;
    // Takes the delta over: at a million keys it is the run's largest value.
    virtual void save(const std::string &class_name, LedgerDelta &&delta) = 0;
};

// A sink that ignores every update: the default for callers that do not
// publish progress.
ProgressSink &no_progress();

// Runs the sync (a SyncRun, sync/sync_run.hpp). Failures become
// success:false in the result; only Interrupted (and std::bad_alloc)
// propagate. Without a ledger store every run is a full reconciliation.
// progress hears of each phase and counter as the run goes.
SyncResult run_sync(const Settings &s, SourceReader &source, HttpClient &http, Logger &log,
                    LedgerStore *ledger = nullptr, ProgressSink &progress = no_progress());

}  // namespace impayes
