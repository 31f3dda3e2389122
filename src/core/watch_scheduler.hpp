// When the watch worker runs a sync (issue 10): the change counter the
// triggers bump at commit, the delay that coalesces a burst, the minimum
// interval between runs, the safety-net full reconciliation and a bounded
// backoff after a failed run. Pure logic on millisecond clocks, so that
// GoogleTest covers it; src/pg/watch_worker.cpp feeds it.
#pragma once

#include <cstdint>

namespace impayes::watch {

// The defaults, written once: the GUC declarations use them too.
struct WatchTimings {
    long long delay_ms = 100;              // first change -> run (coalesces a burst)
    long long min_interval_ms = 500;       // between two run starts
    long long full_interval_ms = 3600000;  // safety-net reconciliation (0 = never)
    long long backoff_first_ms = 1000;     // after a first failed run
    long long backoff_max_ms = 30000;      // the backoff doubles up to this
};
inline constexpr WatchTimings kDefaultTimings{};

enum class RunKind { Incremental, Full };

// Why a run starts: recorded with it (impayes_sync.runs.origin).
enum class RunReason {
    Start,         // the worker (re)started: catches changes made while off
    Change,        // a committed change to a watched table
    FullInterval,  // the safety-net reconciliation
    Retry,         // the previous run failed
};
const char *reason_name(RunReason r);  // "start", "change", "full interval", "retry"

struct Decision {
    bool run = false;
    RunKind kind = RunKind::Incremental;
    RunReason reason = RunReason::Change;
    long long wake_at_ms = 0;  // when !run: decide again then (kNever: only on a signal)
};
inline constexpr long long kNever = INT64_MAX;

// What a finished run changes in the worker's health, for one log line per
// change of state (not one per failed run).
enum class HealthChange { None, BecameFailing, Recovered };

class WatchScheduler {
public:
    // A first run is due at once: changes made while nothing watched.
    WatchScheduler(const WatchTimings &t, uint64_t counter, long long now_ms);
    void set_timings(const WatchTimings &t) { t_ = t; }

    // The shared change counter as read now: a new value is a change.
    void observe(uint64_t counter, long long now_ms);
    Decision decide(long long now_ms) const;
    // The run decided covers every change counted up to `counter` (read
    // before the run's snapshot, after the commits it counts were visible).
    void run_started(const Decision &d, uint64_t counter, long long now_ms);
    HealthChange run_finished(bool succeeded, long long now_ms);

    int failures() const { return failures_; }
    long long retry_at_ms() const { return retry_at_; }
    bool pending() const { return pending_; }

private:
    long long backoff_ms() const;

    WatchTimings t_;
    uint64_t seen_ = 0;
    bool pending_ = true;  // an unsynced change (or the start)
    RunReason pending_reason_ = RunReason::Start;
    long long pending_since_ = 0;
    bool ran_ = false;
    long long last_start_ = 0;
    long long last_full_ = 0;  // the last successful full run (or the start)
    bool running_full_ = false;
    bool running_pending_ = false;
    long long running_pending_since_ = 0;
    RunReason running_pending_reason_ = RunReason::Change;
    int failures_ = 0;
    long long retry_at_ = 0;
};

}  // namespace impayes::watch
