#include "core/watch_scheduler.hpp"

#include <gtest/gtest.h>

using namespace impayes::watch;

namespace {

WatchTimings timings() {
    WatchTimings t;
    t.delay_ms = 100;
    t.min_interval_ms = 1000;
    t.full_interval_ms = 60000;
    t.backoff_first_ms = 1000;
    t.backoff_max_ms = 8000;
    return t;
}

// Runs what is due at `now` and finishes it with `ok`.
Decision run_at(WatchScheduler &s, uint64_t counter, long long now, bool ok = true) {
    Decision d = s.decide(now);
    EXPECT_TRUE(d.run) << "at " << now;
    s.run_started(d, counter, now);
    s.run_finished(ok, now + 10);
    return d;
}

}  // namespace

TEST(WatchScheduler, FirstRunAtStartCatchesChangesMadeWhileOff) {
    WatchScheduler s(timings(), 7, 0);
    Decision d = s.decide(0);
    ASSERT_TRUE(d.run);
    EXPECT_EQ(d.reason, RunReason::Start);
    EXPECT_EQ(d.kind, RunKind::Incremental);
}

TEST(WatchScheduler, IdleCostsNothingUntilTheSafetyNet) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    Decision d = s.decide(5000);
    EXPECT_FALSE(d.run);
    EXPECT_EQ(d.wake_at_ms, 60000);  // only the full reconciliation
    s.observe(0, 30000);             // same counter: no change
    EXPECT_FALSE(s.decide(30000).run);
    d = s.decide(60000);
    ASSERT_TRUE(d.run);
    EXPECT_EQ(d.kind, RunKind::Full);
    EXPECT_EQ(d.reason, RunReason::FullInterval);
}

TEST(WatchScheduler, ChangeRunsAfterTheDelayAndBurstsCoalesce) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    s.observe(1, 5000);
    s.observe(2, 5050);  // a second commit within the delay: same run
    Decision d = s.decide(5050);
    EXPECT_FALSE(d.run);
    EXPECT_EQ(d.wake_at_ms, 5100);  // from the first change, not the last
    d = s.decide(5100);
    ASSERT_TRUE(d.run);
    EXPECT_EQ(d.reason, RunReason::Change);
    s.run_started(d, 2, 5100);
    s.run_finished(true, 5200);
    EXPECT_FALSE(s.decide(5300).run);
    EXPECT_FALSE(s.pending());
}

TEST(WatchScheduler, AtMostOneRunPerMinInterval) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    s.observe(1, 200);
    Decision d = s.decide(300);
    EXPECT_FALSE(d.run);
    EXPECT_EQ(d.wake_at_ms, 1000);  // last start + min interval
    EXPECT_TRUE(s.decide(1000).run);
}

TEST(WatchScheduler, ChangeCountedDuringARunGivesAnotherRun) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    s.observe(1, 2000);
    Decision d = s.decide(2100);
    s.run_started(d, 1, 2100);
    s.observe(2, 2150);  // committed while the run works
    s.run_finished(true, 2400);
    d = s.decide(3100);
    ASSERT_TRUE(d.run);
    EXPECT_EQ(d.reason, RunReason::Change);
}

TEST(WatchScheduler, CounterReadAtRunStartCoversTheChangesBeforeIt) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    s.observe(1, 2000);
    Decision d = s.decide(2100);
    s.run_started(d, 3, 2100);  // two more counted just before the snapshot
    s.run_finished(true, 2200);
    EXPECT_FALSE(s.decide(9000).run);
}

TEST(WatchScheduler, BackoffDoublesIsBoundedAndLogsOncePerStateChange) {
    WatchScheduler s(timings(), 0, 0);
    Decision d = s.decide(0);
    s.run_started(d, 0, 0);
    EXPECT_EQ(s.run_finished(false, 0), HealthChange::BecameFailing);
    EXPECT_EQ(s.retry_at_ms(), 1000);
    EXPECT_FALSE(s.decide(999).run);
    long long now = 1000;
    const long long expected[] = {2000, 4000, 8000, 8000, 8000};
    for (long long gap : expected) {
        d = s.decide(now);
        ASSERT_TRUE(d.run);
        EXPECT_EQ(d.reason, RunReason::Retry);
        s.run_started(d, 0, now);
        EXPECT_EQ(s.run_finished(false, now), HealthChange::None);
        EXPECT_EQ(s.retry_at_ms() - now, gap);
        now = s.retry_at_ms();
    }
    d = s.decide(now);
    s.run_started(d, 0, now);
    EXPECT_EQ(s.run_finished(true, now), HealthChange::Recovered);
    EXPECT_EQ(s.failures(), 0);
    EXPECT_FALSE(s.decide(now + 5000).run);
}

TEST(WatchScheduler, ChangesDuringABackoffWaitForTheRetry) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    s.observe(1, 2000);
    Decision d = s.decide(2100);
    s.run_started(d, 1, 2100);
    s.run_finished(false, 2200);
    s.observe(2, 2300);
    EXPECT_FALSE(s.decide(3000).run);
    EXPECT_EQ(s.decide(3000).wake_at_ms, 3200);
    d = s.decide(3200);
    ASSERT_TRUE(d.run);
    EXPECT_EQ(d.reason, RunReason::Retry);
}

TEST(WatchScheduler, FailedFullReconciliationIsRetriedFull) {
    WatchScheduler s(timings(), 0, 0);
    run_at(s, 0, 0);
    Decision d = s.decide(60000);
    ASSERT_EQ(d.kind, RunKind::Full);
    s.run_started(d, 0, 60000);
    s.run_finished(false, 60010);
    d = s.decide(61010);
    ASSERT_TRUE(d.run);
    EXPECT_EQ(d.kind, RunKind::Full);
    s.run_started(d, 0, 61010);
    s.run_finished(true, 61020);
    // The next safety net counts from the successful one.
    EXPECT_FALSE(s.decide(120000).run);
    EXPECT_TRUE(s.decide(121010).run);
}

TEST(WatchScheduler, NoSafetyNetWhenTheFullIntervalIsZero) {
    WatchTimings t = timings();
    t.full_interval_ms = 0;
    WatchScheduler s(t, 0, 0);
    run_at(s, 0, 0);
    Decision d = s.decide(10'000'000);
    EXPECT_FALSE(d.run);
    EXPECT_EQ(d.wake_at_ms, kNever);
}

TEST(WatchScheduler, ReasonNames) {
    EXPECT_STREQ(reason_name(RunReason::Start), "start");
    EXPECT_STREQ(reason_name(RunReason::Change), "change");
    EXPECT_STREQ(reason_name(RunReason::FullInterval), "full interval");
    EXPECT_STREQ(reason_name(RunReason::Retry), "retry");
}
