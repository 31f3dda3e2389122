#include "core/watch_scheduler.hpp"

#include <algorithm>

namespace impayes::watch {

const char *reason_name(RunReason r) {
    switch (r) {
        case RunReason::Start:
            return "start";
        case RunReason::Change:
            return "change";
        case RunReason::FullInterval:
            return "full interval";
        case RunReason::Retry:
            return "retry";
    }
    return "change";
}

WatchScheduler::WatchScheduler(const WatchTimings &t, uint64_t counter, long long now_ms)
    : t_(t), seen_(counter), pending_since_(now_ms), last_full_(now_ms) {}

void WatchScheduler::observe(uint64_t counter, long long now_ms) {
    if (counter == seen_) return;
    seen_ = counter;
    if (!pending_) {
        pending_ = true;
        pending_reason_ = RunReason::Change;
        pending_since_ = now_ms;
    }
}

long long WatchScheduler::backoff_ms() const {
    long long b = t_.backoff_first_ms;
    for (int i = 1; i < failures_ && b < t_.backoff_max_ms; ++i) b *= 2;
    return std::min(b, t_.backoff_max_ms);
}

Decision WatchScheduler::decide(long long now_ms) const {
    Decision d;
    const bool full_set = t_.full_interval_ms > 0;
    const long long full_due = full_set ? last_full_ + t_.full_interval_ms : kNever;
    if (failures_ > 0) {
        // Whatever failed is still to do: retry it, nothing sooner.
        if (now_ms >= retry_at_) {
            d.run = true;
            d.reason = RunReason::Retry;
            d.kind = (running_full_ || now_ms >= full_due) ? RunKind::Full : RunKind::Incremental;
        } else {
            d.wake_at_ms = retry_at_;
        }
        return d;
    }
    if (now_ms >= full_due) {
        d.run = true;
        d.kind = RunKind::Full;
        d.reason = RunReason::FullInterval;
        return d;
    }
    long long due = kNever;
    if (pending_) {
        due = pending_reason_ == RunReason::Start ? pending_since_ : pending_since_ + t_.delay_ms;
        if (ran_) due = std::max(due, last_start_ + t_.min_interval_ms);
    }
    if (now_ms >= due) {
        d.run = true;
        d.reason = pending_reason_;
        return d;
    }
    d.wake_at_ms = std::min(due, full_due);
    return d;
}

void WatchScheduler::run_started(const Decision &d, uint64_t counter, long long now_ms) {
    observe(counter, now_ms);
    ran_ = true;
    last_start_ = now_ms;
    running_full_ = d.kind == RunKind::Full;
    // Kept to restore if the run fails; cleared now: a change counted
    // after this point sets it again.
    running_pending_ = pending_ || failures_ > 0;
    running_pending_since_ = pending_since_;
    running_pending_reason_ = pending_reason_;
    pending_ = false;
}

HealthChange WatchScheduler::run_finished(bool succeeded, long long now_ms) {
    if (succeeded) {
        if (running_full_) last_full_ = last_start_;
        running_full_ = false;
        const bool was_failing = failures_ > 0;
        failures_ = 0;
        return was_failing ? HealthChange::Recovered : HealthChange::None;
    }
    // The changes it was to sync are still unsynced.
    if (running_pending_ && !pending_) {
        pending_ = true;
        pending_since_ = running_pending_since_;
        pending_reason_ = running_pending_reason_;
    }
    ++failures_;
    retry_at_ = now_ms + backoff_ms();
    return failures_ == 1 ? HealthChange::BecameFailing : HealthChange::None;
}

}  // namespace impayes::watch
