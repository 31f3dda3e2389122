#include "sync/sync_engine.hpp"

#include "sync/sync_run.hpp"

namespace impayes {

ProgressSink &no_progress() {
    static NoProgress none;  // stateless
    return none;
}

SyncResult run_sync(const Settings &s, SourceReader &source, HttpClient &http, Logger &log,
                    LedgerStore *ledger, ProgressSink &progress) {
    return SyncRun(s, source, http, log, ledger, progress).run();
}

}  // namespace impayes
