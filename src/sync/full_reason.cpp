#include "sync/full_reason.hpp"

namespace impayes {

std::string full_reason_text(const FullDecision &d) {
    if (!d.detail.empty()) return d.detail;
    switch (d.reason) {
        case FullReason::None:
            return "";
        case FullReason::NoLedgerStore:
            return "no ledger";
        case FullReason::FullRequested:
            return "full => true";
        case FullReason::ModeFull:
            return "impayes_sync.mode is full";
        case FullReason::NoClass:
            return "the class does not exist yet";
        case FullReason::NoLedgerYet:
            return "no ledger yet";
        case FullReason::LedgerStale:
            return "the stored ledger is not trusted";
        case FullReason::SignatureChanged:
            return "the URL or key column changed";
        case FullReason::KeyCountMismatch:
            return "the ledger lost keys since it was saved";
        case FullReason::Drift:
            return "Parse changed in a way the ledger cannot follow";
        case FullReason::ColumnsChanged:
            return "the source columns changed";
    }
    return "";
}

}  // namespace impayes
