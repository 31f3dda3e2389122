// Why a run reconciles fully instead of trusting the ledger, as a value.
#pragma once

#include <string>

namespace impayes {

enum class FullReason {
    None,              // incremental
    NoLedgerStore,     // the engine runs without a ledger (tests, tools)
    FullRequested,     // impayes_sync(full => true)
    ModeFull,          // impayes_sync.mode = full
    NoClass,           // the Parse class does not exist yet
    NoLedgerYet,       // no state row for the class
    LedgerStale,       // a stored ledger was not trusted (e.g. written by another database)
    SignatureChanged,  // another Parse URL or key column
    KeyCountMismatch,  // entries lost since the last save
    Drift,             // refresh_ledger() found changes it cannot merge
    ColumnsChanged,    // the source's columns or their Parse types changed
};

// The reason and, where it has one, the measured detail (the stale
// ledger's, the counts, the drift found) that the log line shows.
struct FullDecision {
    FullReason reason = FullReason::None;
    std::string detail;  // "" for reasons whose text says everything

    bool full() const { return reason != FullReason::None; }
};

// The text of the "full reconciliation: ..." log line: detail when set,
// else the reason's own text.
std::string full_reason_text(const FullDecision &d);

}  // namespace impayes
