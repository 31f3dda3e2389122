// What a run in progress reports of itself: its phase and counters. The
// engine (src/sync) fills a RunProgress and hands it to a ProgressSink
// whenever it changes; src/pg publishes it in shared memory for the view
// impayes_sync.progress and writes the periodic LOG line.
#pragma once

namespace impayes {

// The engine's phases, in the order a run goes through them (reading the
// source, diffing and pushing alternate chunk by chunk).
enum class RunPhase {
    Starting,
    ReadingSchema,
    ChoosingMode,
    ReadingClass,  // full reconciliation: the Parse class, page by page
    ReadingSource,
    PreparingClass,
    Diffing,
    Pushing,
    Previewing,  // dry run
    SavingLedger,
    Summarising,
};

// The name shown in impayes_sync.progress.phase and in log lines.
const char *phase_name(RunPhase p);

enum class RunMode { Undecided, Incremental, Full };
const char *mode_name(RunMode m);  // "" when undecided

struct RunProgress {
    RunPhase phase = RunPhase::Starting;
    RunMode mode = RunMode::Undecided;
    bool dry_run = false;
    long objects_read = 0;      // Parse objects read (full reconciliation)
    long rows_read = 0;         // source rows read so far
    long objects_to_write = 0;  // inserts + updates + deletes decided so far
    long objects_written = 0;   // confirmed by Parse
    long objects_failed = 0;    // refused by Parse or outcome unknown
};

class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    // Called whenever the phase or a counter changes, at most once per
    // HTTP request or fetched chunk: cheap enough to publish every call.
    virtual void update(const RunProgress &p) noexcept = 0;
};

class NoProgress : public ProgressSink {
public:
    void update(const RunProgress &) noexcept override {}
};

}  // namespace impayes
