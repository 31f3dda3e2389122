// The impayes_sync.watch* settings: PGC_SIGHUP, so that pg_reload_conf()
// turns watching on and off (postgresql.conf or ALTER SYSTEM only; an
// ALTER DATABASE cannot move the worker).
#include "pg/postgres_headers.hpp"
#include "pg/watch.hpp"

namespace impayes::pg {

namespace {

constexpr watch::WatchTimings kDef = watch::kDefaultTimings;

bool watch_on = false;
char *watch_database = nullptr;
char *watch_role = nullptr;
bool watch_allow_superuser = false;
int watch_delay_ms = int(kDef.delay_ms);
int watch_min_interval_ms = int(kDef.min_interval_ms);
int watch_full_interval_s = int(kDef.full_interval_ms / 1000);

std::string str(const char *s) { return s ? s : ""; }

}  // namespace

void define_watch_gucs() {
    DefineCustomBoolVariable("impayes_sync.watch",
                             "Keep the class in step by itself: a background worker syncs after "
                             "each committed change to the tables the source reads.",
                             nullptr, &watch_on, false, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomStringVariable("impayes_sync.watch_database",
                               "Database whose impayes_sync settings and source the watch "
                               "worker uses.",
                               nullptr, &watch_database, "", PGC_SIGHUP, 0, nullptr, nullptr,
                               nullptr);
    DefineCustomStringVariable("impayes_sync.watch_role",
                               "Role the watch worker runs the source as (required).", nullptr,
                               &watch_role, "", PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("impayes_sync.watch_allow_superuser",
                             "Let impayes_sync.watch_role be a superuser (refused otherwise).",
                             nullptr, &watch_allow_superuser, false, PGC_SIGHUP, 0, nullptr,
                             nullptr, nullptr);
    DefineCustomIntVariable("impayes_sync.watch_delay",
                            "Wait after the first committed change before syncing (coalesces "
                            "bursts).",
                            nullptr, &watch_delay_ms, int(kDef.delay_ms), 0, 3600 * 1000,
                            PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("impayes_sync.watch_min_interval",
                            "Least time between the starts of two watch runs.", nullptr,
                            &watch_min_interval_ms, int(kDef.min_interval_ms), 0, 3600 * 1000,
                            PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("impayes_sync.watch_full_interval",
                            "Time between the watch worker's full reconciliations (0 = none).",
                            nullptr, &watch_full_interval_s, int(kDef.full_interval_ms / 1000), 0,
                            INT_MAX / 1000, PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);
}

WatchConfig watch_config() {
    WatchConfig c;
    c.on = watch_on;
    c.database = str(watch_database);
    c.role = str(watch_role);
    c.allow_superuser = watch_allow_superuser;
    c.timings.delay_ms = watch_delay_ms;
    c.timings.min_interval_ms = watch_min_interval_ms;
    c.timings.full_interval_ms = (long long)watch_full_interval_s * 1000;
    return c;
}

}  // namespace impayes::pg
