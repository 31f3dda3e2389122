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
    // Only keeps the delta: record_run() hands it to the history worker,
    // which saves it in its own transaction with the run's history row.
    void save(const std::string &class_name, LedgerDelta &&delta) override;
    const LedgerDelta *pending() const { return has_pending_ ? &pending_ : nullptr; }
    const std::string &pending_class() const { return pending_class_; }
    // Saves the kept delta in the caller's transaction (no worker, or the
    // worker failed); errors become a warning.
    void save_now();

private:
    void load_rows(const std::string &class_name, LedgerState &out);
    Logger &log_;
    bool warned_stale_ = false;
    bool has_pending_ = false;
    std::string pending_class_;
    LedgerDelta pending_;
};

// For the history worker: decodes an encode_delta() string and saves it.
// False with a message when it could not.
bool save_encoded_ledger(const char *class_name, const char *bytes, size_t n, char *error,
                         size_t error_size) noexcept;

}  // namespace impayes::pg
