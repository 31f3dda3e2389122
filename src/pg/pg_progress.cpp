#include "pg/pg_progress.hpp"

#include <chrono>
#include <cstring>

#include "pg/pg_call.hpp"

namespace impayes::pg {
namespace {

long steady_ms() {
    return long(std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count());
}

}  // namespace

PgProgress::PgProgress(const std::string &class_name, bool dry_run, PgLogger &log) : log_(log) {
    if (progress_shmem_ready() && !slot_.claimed())
        log.info("impayes_sync: all " + std::to_string(progress_slot_count()) +
                 " progress slots are in use: this run is not shown in impayes_sync.progress");
    // Valid class names are ASCII; another byte shows as '?' (the run
    // refuses such a name anyway), so no reader's encoding can misread it.
    size_t n = 0;
    for (; n < class_name.size() && n + 1 < sizeof rec_.class_name; ++n) {
        const unsigned char c = static_cast<unsigned char>(class_name[n]);
        rec_.class_name[n] = c >= 0x20 && c < 0x7f ? char(c) : '?';
    }
    rec_.class_name[n] = '\0';
    rec_.database = MyDatabaseId;
    rec_.started_at = GetCurrentTimestamp();
    RunProgress p;
    p.dry_run = dry_run;
    update(p);
}

void PgProgress::update(const RunProgress &p) noexcept {
    const TimestampTz now = GetCurrentTimestamp();  // no ERROR: gettimeofday
    rec_.progress = p;
    rec_.updated_at = now;
    rec_.phase_since = wall_.enter(p.phase, long(now / 1000)) * 1000LL;
    slot_.publish(rec_);
    try {
        const std::string line = lines_.due(p, steady_ms());
        if (!line.empty()) log_.info_noexcept(line);
    } catch (...) {
        // Out of memory formatting the line: only the line is lost.
    }
}

void PgProgress::set_phase(RunPhase phase) noexcept {
    RunProgress p = rec_.progress;
    p.phase = phase;
    update(p);
}

}  // namespace impayes::pg
