// Loads and saves the incremental-sync ledger (impayes_sync.ledger and
// impayes_sync.sync_state) as the extension owner, in a subtransaction.
#pragma once

#include "sync/sync_engine.hpp"

namespace impayes::pg {

// A ledger that cannot be read or written only costs a full
// reconciliation on the next run: errors become warnings (a cancel still
// propagates). A ledger written by another database (a copy) is ignored.
class PgLedgerStore : public LedgerStore {
public:
    explicit PgLedgerStore(Logger &log) : log_(log) {}
    void load(const std::string &class_name, LedgerState &out) override;
    void save(const std::string &class_name, const LedgerDelta &delta) override;

private:
    void load_rows(const std::string &class_name, LedgerState &out);
    void save_rows(const std::string &class_name, const LedgerDelta &delta);
    Logger &log_;
    bool warned_stale_ = false;
};

}  // namespace impayes::pg
