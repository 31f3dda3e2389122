#include "core/progress.hpp"

namespace impayes {

const char *phase_name(RunPhase p) {
    switch (p) {
        case RunPhase::Starting:
            return "starting";
        case RunPhase::ReadingSchema:
            return "reading schema";
        case RunPhase::ChoosingMode:
            return "choosing mode";
        case RunPhase::ReadingClass:
            return "reading class";
        case RunPhase::ReadingSource:
            return "reading source";
        case RunPhase::PreparingClass:
            return "preparing class";
        case RunPhase::Diffing:
            return "diffing";
        case RunPhase::Pushing:
            return "pushing";
        case RunPhase::Previewing:
            return "previewing";
        case RunPhase::SavingLedger:
            return "saving ledger";
        case RunPhase::Summarising:
            return "summarising";
    }
    return "unknown";
}

const char *mode_name(RunMode m) {
    switch (m) {
        case RunMode::Undecided:
            return "";
        case RunMode::Incremental:
            return "incremental";
        case RunMode::Full:
            return "full";
    }
    return "";
}

}  // namespace impayes
