// The launcher and the watch worker (issue 10). The launcher (no database)
// starts with the postmaster and, on each reload, starts or stops the one
// worker that impayes_sync.watch and watch_database ask for. The worker
// connects to watch_database as the bootstrap superuser (to install its
// triggers), runs each sync as impayes_sync.watch_role, and sleeps on its
// latch, which the triggers set at commit.
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "core/errors.hpp"
#include "core/watch_scheduler.hpp"
#include "pg/pg_call.hpp"
#include "pg/postgres_headers.hpp"
#include "pg/sql_objects.hpp"
#include "pg/subtransaction.hpp"
#include "pg/watch.hpp"
#include "pg/watch_shmem.hpp"
#include "pg/watch_tables.hpp"
#include "pg/gucs.hpp"

extern "C" {
#include "access/xlog.h"
#include "commands/extension.h"
#include "utils/acl.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void impayes_sync_watch_launcher_main(Datum arg);
PGDLLEXPORT void impayes_sync_watch_main(Datum arg);
}

namespace impayes::pg {

void define_watch_gucs();  // watch_gucs.cpp

namespace {

// How long the launcher lets a worker stop by itself (cancel its run,
// drop its triggers) before it terminates it.
const long kStopGraceMs = 5000;
// After a crash or pg_terminate_backend, the postmaster restarts it (also
// after a FATAL at connection, e.g. a watch_database that does not exist:
// not so often that the log fills).
const int kRestartSeconds = 5;

long long now_ms() { return GetCurrentTimestamp() / 1000; }

void log_at(int level, const std::string &msg) {
    pg::run([&]() noexcept { ereport(level, (errmsg("%s", msg.c_str()))); });
}

void wait_latch(long timeout_ms) {
    pg::run([&]() noexcept {
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, timeout_ms,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
        CHECK_FOR_INTERRUPTS();  // a termination exits here (FATAL)
    });
}

void register_worker(BackgroundWorker &w, const char *function, const char *name, int flags,
                     int restart) {
    memset(&w, 0, sizeof w);
    w.bgw_flags = flags;
    w.bgw_start_time = BgWorkerStart_RecoveryFinished;  // never on a standby
    w.bgw_restart_time = restart;
    strlcpy(w.bgw_library_name, "impayes_sync", BGW_MAXLEN);
    strlcpy(w.bgw_function_name, function, BGW_MAXLEN);
    strlcpy(w.bgw_name, name, BGW_MAXLEN);
    strlcpy(w.bgw_type, name, BGW_MAXLEN);
}

// ---- the launcher ----------------------------------------------------------

void launcher_loop() {
    BackgroundWorkerHandle *handle = nullptr;
    std::string started_db;
    unsigned long generation = 1, started_generation = 0;
    long long stop_deadline = 0;
    for (;;) {
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            pg::run([]() noexcept { ProcessConfigFile(PGC_SIGHUP); });
            ++generation;
        }
        const WatchConfig c = watch_config();
        const bool want = c.on && !c.database.empty();
        pid_t pid = 0;
        BgwHandleStatus st = BGWH_STOPPED;
        if (handle != nullptr)
            pg::run([&]() noexcept { st = GetBackgroundWorkerPid(handle, &pid); });
        if (handle != nullptr && st == BGWH_STOPPED) {
            pg::run([&]() noexcept { pfree(handle); });
            handle = nullptr;
        }
        // A worker the postmaster restarted (after a termination or a
        // crash) reports STOPPED to our handle while it waits to restart,
        // and runs outside it afterwards: it is known by its shared pid.
        const int live = watch_worker_pid();
        if (pid <= 0) pid = live;
        const bool running = handle != nullptr || live != 0;
        if (running && (!want || c.database != started_db)) {
            if (stop_deadline == 0) {
                // A stop request, then a cancel of the run in progress: the
                // worker drops its triggers and exits by itself.
                watch_request_stop(true);
                if (pid > 0 && watch_in_run())
                    kill(pid, SIGINT);
                else
                    watch_wake_worker();
                stop_deadline = now_ms() + kStopGraceMs;
            } else if (now_ms() > stop_deadline) {
                if (handle != nullptr)
                    pg::run([&]() noexcept { TerminateBackgroundWorker(handle); });
                else if (live != 0)
                    kill(live, SIGTERM);
            }
        } else if (!running) {
            stop_deadline = 0;
        }
        // Once per configuration: a worker that exited by itself (a refused
        // role, no extension) is started again by a reload.
        if (!running && want && started_generation != generation) {
            watch_request_stop(false);
            BackgroundWorker w;
            register_worker(w, "impayes_sync_watch_main", "impayes_sync watch",
                            BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION,
                            kRestartSeconds);
            w.bgw_notify_pid = MyProcPid;
            bool ok = false;
            pg::run([&]() noexcept { ok = RegisterDynamicBackgroundWorker(&w, &handle); });
            started_generation = generation;
            started_db = c.database;
            if (!ok) {
                handle = nullptr;
                log_at(WARNING,
                       "impayes_sync watch: no background worker slot free "
                       "(max_worker_processes); retrying at the next reload");
            }
        }
        wait_latch(stop_deadline != 0 ? 100 : 10000);
    }
}

// ---- the worker ------------------------------------------------------------

// Why the worker may not run as this role, or "".
std::string role_problem(const WatchConfig &c, Oid &role) {
    if (c.role.empty())
        return "impayes_sync.watch_role is not set: name the role the source runs as";
    bool super = false;
    pg::run([&]() noexcept {
        role = get_role_oid(c.role.c_str(), true);
        if (OidIsValid(role)) super = superuser_arg(role);
    });
    if (!OidIsValid(role)) return "impayes_sync.watch_role \"" + c.role + "\" does not exist";
    if (super && !c.allow_superuser)
        return "impayes_sync.watch_role \"" + c.role +
               "\" is a superuser: refused (name a role with only the rights the source "
               "needs, or set impayes_sync.watch_allow_superuser = on)";
    return "";
}

// Why this database cannot be watched, or "" (inside a transaction).
std::string database_problem() {
    bool ext = false;
    pg::run([&]() noexcept { ext = OidIsValid(get_extension_oid("impayes_sync", true)); });
    if (!ext) return "the extension impayes_sync is not installed in this database";
    if (installed_sql_objects() != SqlObjects::V1_1)
        return "this database's impayes_sync objects are at 1.0: run ALTER EXTENSION "
               "impayes_sync UPDATE";
    return "";
}

void begin_transaction(const char *activity) {
    pg::run([&]() noexcept {
        SetCurrentStatementStartTimestamp();
        StartTransactionCommand();
        PushActiveSnapshot(GetTransactionSnapshot());
        pgstat_report_activity(STATE_RUNNING, activity);
    });
}

void end_transaction(bool commit) {
    pg::run([&]() noexcept {
        if (commit) {
            PopActiveSnapshot();
            CommitTransactionCommand();
        } else {
            AbortCurrentTransaction();
        }
        pgstat_report_activity(STATE_IDLE, nullptr);
    });
}

// Runs body in a transaction of its own; an error rolls it back.
template <typename F>
bool in_transaction(const char *activity, F &&body) {
    begin_transaction(activity);
    bool ok = false;
    try {
        ok = body();
    } catch (...) {
        end_transaction(false);
        throw;
    }
    end_transaction(ok);
    return ok;
}

void with_role(Oid role, const std::function<void()> &body) {
    Oid saved = InvalidOid;
    int ctx = 0;
    pg::run([&]() noexcept {
        GetUserIdAndSecContext(&saved, &ctx);
        // As autovacuum and REFRESH MATERIALIZED VIEW do: the role cannot
        // SET ROLE back to the superuser session.
        SetUserIdAndSecContext(role,
                               ctx | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    });
    try {
        body();
    } catch (...) {
        pg::run([&]() noexcept { SetUserIdAndSecContext(saved, ctx); });
        throw;
    }
    pg::run([&]() noexcept { SetUserIdAndSecContext(saved, ctx); });
}

class Worker {
public:
    int main();

private:
    bool remove_triggers();
    void refresh_triggers(const Settings &s);
    enum class Ran { Ok, Failed, Stop };
    Ran run(const watch::Decision &d);

    WatchConfig config_;
    Oid role_ = InvalidOid;
    std::string watched_;          // the tables last installed, for one log per change
    std::string trigger_problem_;  // idem
    std::string last_error_;
};

bool Worker::remove_triggers() {
    // A cancel sent for the run that just ended must not stop the clean-up.
    QueryCancelPending = false;
    int n = 0;
    try {
        in_transaction("impayes_sync watch: removing its triggers", [&] {
            if (!database_problem().empty()) return true;
            n = remove_watch_triggers();
            return true;
        });
    } catch (const std::exception &e) {
        log_at(WARNING,
               std::string("impayes_sync watch: could not remove its triggers: ") + e.what());
        return false;
    }
    if (n > 0) log_at(LOG, "impayes_sync watch: removed " + std::to_string(n) + " trigger(s)");
    return true;
}

// The tables may change between runs (a view redefined, a partition
// added): resolved before each run, triggers changed only when they differ.
void Worker::refresh_triggers(const Settings &s) {
    std::string problem;
    WatchedTables t;
    try {
        with_role(role_, [&] { in_subtransaction([&] { t = source_tables(s); }); });
        const int changed = sync_watch_triggers(t.tables);
        std::string names;
        for (Oid relid : t.tables) {
            const char *n = nullptr;
            pg::run([&]() noexcept { n = get_rel_name(relid); });
            names += (names.empty() ? "" : ", ") + std::string(n ? n : "?");
        }
        for (const auto &u : t.unseen) names += ", " + u + " (not watched)";
        if (changed > 0 || names != watched_)
            log_at(LOG, "impayes_sync watch: watching " + (names.empty() ? "no table" : names));
        watched_ = names;
    } catch (const PgError &e) {
        if (is_interrupt(e)) throw;  // a stop or a cancel: no run now
        problem = e.what();
    } catch (const std::exception &e) {
        problem = e.what();
    }
    if (problem != trigger_problem_ && !problem.empty())
        log_at(WARNING,
               "impayes_sync watch: cannot install its triggers (changes are then "
               "seen at the next full reconciliation): " +
                   problem);
    trigger_problem_ = problem;
}

// Two transactions: the triggers are created and committed before the
// run's snapshot is taken. CREATE TRIGGER waits for the writers already
// holding the table, so a change that fired no trigger was committed before
// that commit, and the run, which starts after it, sees it.
Worker::Ran Worker::run(const watch::Decision &d) {
    const std::string origin = std::string("watch: ") + watch::reason_name(d.reason);
    const bool full = d.kind == watch::RunKind::Full;
    RunReport report;
    bool gone = false;
    try {
        in_transaction("impayes_sync watch: checking its triggers", [&] {
            const std::string why = database_problem();
            if (!why.empty()) {
                log_at(LOG, "impayes_sync watch: stopping: " + why);
                gone = true;
            } else {
                try {
                    refresh_triggers(read_settings(false, full));
                } catch (const SyncError &) {
                    // A bad setting: the run below fails and records it.
                }
            }
            return true;
        });
        if (!gone) {
            begin_transaction(full ? "impayes_sync watch: full reconciliation"
                                   : "impayes_sync watch: sync");
            try {
                with_role(role_, [&] { report = run_and_record(full, origin.c_str()); });
            } catch (const std::exception &e) {
                report.kind = RunReport::Error;
                report.error = e.what();
            }
            // A cancel (the launcher's stop, pg_cancel_backend) is not an
            // error; a failed run is recorded by the history worker.
            if (report.kind == RunReport::Interrupt) QueryCancelPending = false;
            end_transaction(report.kind == RunReport::Done);
        }
    } catch (const PgError &e) {
        report.kind = is_interrupt(e) ? RunReport::Interrupt : RunReport::Error;
        report.error = e.what();
        if (report.kind == RunReport::Interrupt) QueryCancelPending = false;
    }
    if (gone || watch_stop_requested()) return Ran::Stop;
    if (report.kind == RunReport::Done && report.success) return Ran::Ok;
    last_error_ = report.kind == RunReport::Interrupt ? "cancelled" : report.error;
    return Ran::Failed;
}

int Worker::main() {
    pg::run([]() noexcept {
        // The worker's own SQL resolves nothing through the database's
        // search_path (the run pins the source's).
        SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
    });
    config_ = watch_config();
    if (RecoveryInProgress()) {
        log_at(LOG, "impayes_sync watch: not on a hot standby");
        return 0;
    }
    if (!config_.on) {  // turned off while it was not running: clean up
        remove_triggers();
        return 0;
    }
    if (!watch_claim_worker()) {
        log_at(LOG, "impayes_sync watch: another watch worker is running");
        return 0;
    }
    std::string problem;
    in_transaction("impayes_sync watch: starting", [&] {
        problem = database_problem();
        if (problem.empty()) problem = role_problem(config_, role_);
        return true;
    });
    if (!problem.empty()) {
        log_at(WARNING, "impayes_sync watch: not watching database \"" + config_.database +
                            "\": " + problem);
        remove_triggers();
        return 0;
    }
    log_at(LOG, "impayes_sync watch: watching database \"" + config_.database + "\" as role \"" +
                    config_.role + "\"");
    watch::WatchScheduler sched(config_.timings, watch_change_count(), now_ms());
    for (;;) {
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            pg::run([]() noexcept { ProcessConfigFile(PGC_SIGHUP); });
            const WatchConfig c = watch_config();
            if (!c.on || c.database != config_.database) {
                remove_triggers();
                return 0;
            }
            if (c.role != config_.role || c.allow_superuser != config_.allow_superuser) {
                in_transaction("impayes_sync watch: checking the role", [&] {
                    problem = role_problem(c, role_);
                    return true;
                });
                if (!problem.empty()) {
                    log_at(WARNING, "impayes_sync watch: stopping: " + problem);
                    remove_triggers();
                    return 0;
                }
            }
            config_ = c;
            sched.set_timings(c.timings);
        }
        if (watch_stop_requested()) {
            remove_triggers();
            return 0;
        }
        sched.observe(watch_change_count(), now_ms());
        const watch::Decision d = sched.decide(now_ms());
        if (!d.run) {
            const long long wait =
                d.wake_at_ms == watch::kNever ? 3600000 : d.wake_at_ms - now_ms();
            wait_latch(long(std::max(1LL, std::min(wait, 3600000LL))));
            continue;
        }
        // Read before the run's snapshot: every commit counted so far is
        // visible to it.
        sched.run_started(d, watch_change_count(), now_ms());
        watch_set_in_run(true);
        const Ran ran = run(d);
        watch_set_in_run(false);
        if (ran == Ran::Stop) {
            if (watch_stop_requested()) remove_triggers();
            return 0;
        }
        switch (sched.run_finished(ran == Ran::Ok, now_ms())) {
            case watch::HealthChange::BecameFailing:
                log_at(WARNING,
                       "impayes_sync watch: sync failing, retrying with a backoff of up "
                       "to " +
                           std::to_string(config_.timings.backoff_max_ms / 1000) +
                           " s: " + last_error_);
                break;
            case watch::HealthChange::Recovered:
                log_at(LOG, "impayes_sync watch: sync succeeded again");
                break;
            case watch::HealthChange::None:
                break;
        }
    }
}

}  // namespace

void watch_init() {
    define_watch_gucs();
    if (!process_shared_preload_libraries_in_progress) return;
    watch_shmem_request();
    BackgroundWorker w;
    register_worker(w, "impayes_sync_watch_launcher_main", "impayes_sync watch launcher",
                    BGWORKER_SHMEM_ACCESS, 10);
    RegisterBackgroundWorker(&w);
}

}  // namespace impayes::pg

void impayes_sync_watch_launcher_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    try {
        impayes::pg::launcher_loop();
    } catch (const std::exception &e) {
        elog(LOG, "impayes_sync watch launcher: %s", e.what());
    }
    proc_exit(1);
}

void impayes_sync_watch_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    const impayes::pg::WatchConfig c = impayes::pg::watch_config();
    if (c.database.empty()) proc_exit(0);
    BackgroundWorkerInitializeConnection(c.database.c_str(), nullptr, 0);
    int code = 1;
    try {
        impayes::pg::Worker w;
        code = w.main();
    } catch (const std::exception &e) {
        elog(LOG, "impayes_sync watch: %s", e.what());  // restarted by the postmaster
    }
    proc_exit(code);
}
