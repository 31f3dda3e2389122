#include "core/progress_log.hpp"

#include <gtest/gtest.h>

namespace impayes {
namespace {

RunProgress pushing(long to_write, long written, long failed = 0) {
    RunProgress p;
    p.phase = RunPhase::Pushing;
    p.objects_to_write = to_write;
    p.objects_written = written;
    p.objects_failed = failed;
    return p;
}

TEST(ProgressLog, PushingLineHasCountsRateAndEta) {
    // 120000 of 600000 in 49 s: 2449/s, 480000 left: 196 s, "3 min".
    EXPECT_EQ(progress_line(pushing(600000, 120000), 49000),
              "pushing: 120000 of 600000 objects, 2449/s, ETA 3 min");
}

TEST(ProgressLog, FailedObjectsCountAsDone) {
    EXPECT_EQ(progress_line(pushing(10, 4, 1), 5000), "pushing: 5 of 10 objects, 1.0/s, ETA 5 s");
}

TEST(ProgressLog, ReadingPhasesHaveNoTotal) {
    RunProgress p;
    p.phase = RunPhase::ReadingSource;
    p.rows_read = 30000;
    EXPECT_EQ(progress_line(p, 10000), "reading source: 30000 rows, 3000/s");
    p.phase = RunPhase::ReadingClass;
    p.objects_read = 5000;
    EXPECT_EQ(progress_line(p, 20000), "reading class: 5000 objects, 250/s");
}

TEST(ProgressLog, PhaseWithoutCounterSaysHowLong) {
    RunProgress p;
    p.phase = RunPhase::SavingLedger;
    EXPECT_EQ(progress_line(p, 75000), "saving ledger: for 1 min");
    EXPECT_EQ(phase_work(p).unit, nullptr);
    EXPECT_LT(phase_pace(phase_work(p), 75000).per_second, 0);
}

TEST(ProgressLog, PaceUnknownWithoutTimeOrProgress) {
    const PhaseWork w = phase_work(pushing(100, 0));
    EXPECT_LT(phase_pace(w, 0).per_second, 0);  // no time elapsed: unknown
    const Pace stalled = phase_pace(w, 5000);
    EXPECT_EQ(stalled.per_second, 0);
    EXPECT_EQ(stalled.eta_seconds, -1);  // nothing written yet: no ETA
    EXPECT_EQ(progress_line(pushing(100, 0), 5000), "pushing: 0 of 100 objects, 0.0/s");
    EXPECT_EQ(phase_pace(phase_work(pushing(100, 100)), 5000).eta_seconds, 0);
    EXPECT_EQ(progress_line(pushing(10, 8), 11500), "pushing: 8 of 10 objects, 0.7/s, ETA 3 s");
}

TEST(ProgressLog, DurationText) {
    EXPECT_EQ(duration_text(0), "0 s");
    EXPECT_EQ(duration_text(59), "59 s");
    EXPECT_EQ(duration_text(89), "1 min");
    EXPECT_EQ(duration_text(90), "2 min");
    EXPECT_EQ(duration_text(3599), "1 h 00 min");
    EXPECT_EQ(duration_text(7500), "2 h 05 min");
}

TEST(ProgressLog, LongPhases) {
    EXPECT_TRUE(is_long_phase(RunPhase::ReadingClass));
    EXPECT_TRUE(is_long_phase(RunPhase::ReadingSource));
    EXPECT_TRUE(is_long_phase(RunPhase::Pushing));
    EXPECT_TRUE(is_long_phase(RunPhase::SavingLedger));
    EXPECT_FALSE(is_long_phase(RunPhase::Diffing));
    EXPECT_FALSE(is_long_phase(RunPhase::Previewing));
}

TEST(ProgressLog, OneLineEveryIntervalOfALongPhase) {
    ProgressLog log(10000);
    RunProgress p;
    p.phase = RunPhase::ReadingSchema;
    EXPECT_EQ(log.due(p, 0), "");
    EXPECT_EQ(log.due(p, 20000), "");  // not a long phase
    RunProgress push = pushing(1000, 0);
    EXPECT_EQ(log.due(push, 21000), "");  // entered now
    push.objects_written = 500;
    EXPECT_EQ(log.due(push, 30999), "");
    EXPECT_EQ(log.due(push, 31000), "impayes_sync: pushing: 500 of 1000 objects, 50/s, ETA 10 s");
    push.objects_written = 600;
    EXPECT_EQ(log.due(push, 40000), "");  // 9 s after the last line
    EXPECT_EQ(log.due(push, 41000), "impayes_sync: pushing: 600 of 1000 objects, 30/s, ETA 14 s");
}

TEST(ProgressLog, AlternatingPhasesKeepTheirFirstEntry) {
    // A streaming run switches between reading and pushing every few
    // seconds: lines still come every interval, rates count from the
    // phase's first entry.
    ProgressLog log(10000);
    RunProgress p;
    std::string lines;
    for (long t = 0; t <= 24000; t += 2000) {
        p.phase = (t / 2000) % 2 ? RunPhase::Pushing : RunPhase::ReadingSource;
        p.rows_read = t;
        p.objects_to_write = t;
        p.objects_written = t / 2;
        const std::string l = log.due(p, t);
        if (!l.empty()) lines += l + "\n";
    }
    EXPECT_EQ(lines,
              "impayes_sync: reading source: 12000 rows, 1000/s\n"
              "impayes_sync: pushing: 11000 of 22000 objects, 550/s, ETA 20 s\n");
}

TEST(ProgressLog, PhaseClockKeepsFirstEntry) {
    PhaseClock c;
    EXPECT_EQ(c.first_entered(RunPhase::Pushing), -1);
    EXPECT_EQ(c.enter(RunPhase::Pushing, 5), 5);
    EXPECT_EQ(c.enter(RunPhase::Pushing, 9), 5);
    EXPECT_EQ(c.enter(RunPhase::Summarising, 12), 12);
}

}  // namespace
}  // namespace impayes
