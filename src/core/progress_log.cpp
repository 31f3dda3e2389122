#include "core/progress_log.hpp"

#include <cmath>

namespace impayes {

bool is_long_phase(RunPhase p) {
    return p == RunPhase::ReadingClass || p == RunPhase::ReadingSource || p == RunPhase::Pushing ||
           p == RunPhase::SavingLedger;
}

PhaseWork phase_work(const RunProgress &p) {
    PhaseWork w;
    switch (p.phase) {
        case RunPhase::ReadingClass:
            w.unit = "objects";
            w.done = p.objects_read;
            break;
        case RunPhase::ReadingSource:
            w.unit = "rows";
            w.done = p.rows_read;
            break;
        case RunPhase::Pushing:
            w.unit = "objects";
            w.done = p.objects_written + p.objects_failed;
            w.total = p.objects_to_write;
            break;
        default:
            break;
    }
    return w;
}

Pace phase_pace(const PhaseWork &w, long elapsed_ms) {
    Pace pace;
    if (w.unit == nullptr || elapsed_ms <= 0) return pace;
    pace.per_second = double(w.done) * 1000.0 / double(elapsed_ms);
    if (w.total < 0) return pace;
    const long left = w.total > w.done ? w.total - w.done : 0;
    if (left == 0)
        pace.eta_seconds = 0;
    else if (pace.per_second > 0)
        pace.eta_seconds = long(std::ceil(double(left) / pace.per_second));
    return pace;
}

std::string duration_text(long seconds) {
    if (seconds < 60) return std::to_string(seconds < 0 ? 0 : seconds) + " s";
    const long minutes = (seconds + 30) / 60;  // nearest minute
    if (minutes < 60) return std::to_string(minutes) + " min";
    const long m = minutes % 60;
    return std::to_string(minutes / 60) + " h " + (m < 10 ? "0" : "") + std::to_string(m) + " min";
}

std::string progress_line(const RunProgress &p, long elapsed_ms) {
    std::string line = phase_name(p.phase);
    const PhaseWork w = phase_work(p);
    if (w.unit == nullptr) return line + ": for " + duration_text(elapsed_ms / 1000);
    line += ": " + std::to_string(w.done);
    if (w.total >= 0) line += " of " + std::to_string(w.total);
    line += std::string(" ") + w.unit;
    const Pace pace = phase_pace(w, elapsed_ms);
    if (pace.per_second >= 10) {
        line += ", " + std::to_string(std::lround(pace.per_second)) + "/s";
    } else if (pace.per_second >= 0) {  // a slow push: one decimal, not "0/s"
        const long tenths = std::lround(pace.per_second * 10);
        line += ", " + std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "/s";
    }
    if (pace.eta_seconds >= 0) line += ", ETA " + duration_text(pace.eta_seconds);
    return line;
}

long PhaseClock::enter(RunPhase p, long now_ms) {
    long &first = first_[int(p)];
    if (first < 0) first = now_ms;
    return first;
}

std::string ProgressLog::due(const RunProgress &p, long now_ms) {
    const long entered = clock_.enter(p.phase, now_ms);
    if (!is_long_phase(p.phase)) return "";
    const long since = last_line_ms_ > entered ? last_line_ms_ : entered;
    if (now_ms - since < interval_ms_) return "";
    last_line_ms_ = now_ms;
    return "impayes_sync: " + progress_line(p, now_ms - entered);
}

}  // namespace impayes
