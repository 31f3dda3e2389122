// The ProgressSink of a run in a backend: publishes every update in the
// run's shared-memory slot (impayes_sync.progress) and writes a LOG line
// every 10 s during long phases (core/progress_log).
#pragma once

#include <string>

#include "core/progress_log.hpp"
#include "pg/pg_logger.hpp"
#include "pg/progress_shmem.hpp"

namespace impayes::pg {

class PgProgress : public ProgressSink {
public:
    // Claims the slot (none without shared_preload_libraries, or when all
    // are taken: then it says so in a LOG line). May throw PgError.
    PgProgress(const std::string &class_name, bool dry_run, PgLogger &log);
    void update(const RunProgress &p) noexcept override;
    // The last update with another phase (entry.cpp: recording the run).
    void set_phase(RunPhase phase) noexcept;

private:
    ProgressSlot slot_;
    ProgressRecord rec_;
    PhaseClock wall_;  // milliseconds of GetCurrentTimestamp(), for the view
    ProgressLog lines_;
    PgLogger &log_;
};

}  // namespace impayes::pg
