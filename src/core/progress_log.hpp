// What a run's progress means to a reader: which counter the current phase
// moves, its rate and ETA, and the periodic LOG line. Shared by the LOG
// line (src/pg/pg_progress) and the view impayes_sync.progress, so both say
// the same; the clock is passed in (milliseconds), so tests drive it.
#pragma once

#include <string>

#include "core/progress.hpp"

namespace impayes {

// Phases that can take minutes on a large source: they get a LOG line
// every kLogIntervalMs.
bool is_long_phase(RunPhase p);

const long kLogIntervalMs = 10000;

// The counter the phase moves: done of total (-1: not known), in unit.
// unit is nullptr for a phase without a counter.
struct PhaseWork {
    const char *unit = nullptr;
    long done = 0;
    long total = -1;
};
PhaseWork phase_work(const RunProgress &p);

// Rate per second and ETA (seconds, -1: unknown) of the phase's counter,
// elapsed_ms after the run first entered the phase (its counter was 0 then).
struct Pace {
    double per_second = -1;  // -1: unknown (no counter, or no time elapsed)
    long eta_seconds = -1;
};
Pace phase_pace(const PhaseWork &w, long elapsed_ms);

// "pushing: 120000 of 600000 objects, 2450/s, ETA 3 min"; without the
// "impayes_sync: " prefix.
std::string progress_line(const RunProgress &p, long elapsed_ms);

// "45 s", "3 min", "2 h 05 min".
std::string duration_text(long seconds);

// When the run first entered each phase; the rate of a phase counts from
// there, also when the engine alternates phases chunk by chunk.
class PhaseClock {
public:
    PhaseClock() {
        for (long &f : first_) f = -1;
    }
    // Notes the phase at now_ms; returns the time it was first entered.
    long enter(RunPhase p, long now_ms);
    long first_entered(RunPhase p) const { return first_[int(p)]; }  // -1: never

private:
    long first_[int(RunPhase::Summarising) + 1];  // the last phase of the enum
};

// Decides when a LOG line is due: during a long phase, every
// kLogIntervalMs, counted from the later of the last line and the time
// the run first entered the phase (a phase shorter than that logs nothing).
class ProgressLog {
public:
    explicit ProgressLog(long interval_ms = kLogIntervalMs) : interval_ms_(interval_ms) {}
    // The line to write now (with the prefix), or "" when none is due.
    std::string due(const RunProgress &p, long now_ms);

private:
    long interval_ms_;
    long last_line_ms_ = -1;
    PhaseClock clock_;
};

}  // namespace impayes
