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
    // Runs the source query under its timeout and converts the rows.
    // With known (the ledger), a row whose key has an entry with the hash
    // of the row's values is only listed in out.unchanged.
    // on_rows hears the count of rows read so far after each fetch, for
    // the run's progress (it must not throw).
    // Throws SyncError (bad source, timeout, SQL error) or Interrupted.
    using RowsRead = std::function<void(long rows_so_far)>;
    virtual void read(const Settings &s, SourceData &out, const LedgerEntries *known,
                      const RowsRead &on_rows) = 0;
};

// Where the incremental-sync ledger lives (src/pg/ledger_store.cpp).
class LedgerStore {
public:
    virtual ~LedgerStore() = default;
    virtual void load(const std::string &class_name, LedgerState &out) = 0;
    virtual void save(const std::string &class_name, const LedgerDelta &delta) = 0;
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
