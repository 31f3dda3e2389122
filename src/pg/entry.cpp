// The SQL entry points. This is the only place where the C++ world meets
// PostgreSQL's error handling: run_guarded() catches every C++ exception
// and reports through a plain struct; the extern "C" function, which owns
// no C++ object, then returns the jsonb or raises the ERROR.
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>

#include "core/errors.hpp"
#include "core/masking.hpp"
#include "core/result.hpp"
#include "pg/gucs.hpp"
#include "pg/history.hpp"
#include "pg/ledger_store.hpp"
#include "pg/pg_call.hpp"
#include "pg/pg_logger.hpp"
#include "pg/pg_progress.hpp"
#include "pg/progress_shmem.hpp"
#include "pg/run_lock.hpp"
#include "pg/source_reader.hpp"
#include "pg/sql_objects.hpp"
#include "pg/text_encoding.hpp"
#include "pg/watch.hpp"
#include "sync/sync_engine.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
PG_FUNCTION_INFO_V1(impayes_sync);
Datum impayes_sync(PG_FUNCTION_ARGS);
}

namespace impayes::pg {
namespace {

// What a guarded run produced: plain C data only (malloc'd strings).
struct Outcome {
    enum Kind { Json, Interrupt, PgErrorKind, OutOfMemory, Internal } kind = Internal;
    char *json = nullptr;
    bool failed_run = false;  // success:false, for impayes_sync.raise_on_error
    int sqlerrcode = 0;
    char *message = nullptr;
    char *detail = nullptr;
    char *hint = nullptr;
};

char *dup(const std::string &s) { return s.empty() ? nullptr : strdup(s.c_str()); }

// What goes back to PostgreSQL (jsonb_in, history, ERROR text) is in the
// database encoding; everything before this boundary is UTF-8.
char *dup_server(const std::string &utf8) { return dup(server_from_utf8(utf8)); }

bool interrupt_pending() { return InterruptPending && (QueryCancelPending || ProcDiePending); }

struct RunOutput {
    std::string json;
    bool success = false;
    std::string error;
};

SyncResult failed_before_start(const SyncError &e, bool dry_run) {
    SyncResult r;
    r.dry_run = dry_run;
    r.error = e.what();
    r.details.CopyFrom(e.details(), r.details.GetAllocator());
    return r;
}

RunOutput run_once(bool dry_run, bool full, const char *origin) {
    const long long started = now_timestamp();
    std::string secret, class_name;
    SyncResult result;
    PgLogger log("");
    PgLedgerStore ledger(log);
    std::optional<PgProgress> progress;  // the run's row in impayes_sync.progress
    prepare_text_encoding();
    // Refused before anything else: no HTTP, no worker, no history row
    // (none could be written), dry runs too.
    if (const char *why = refusal_reason()) {
        SyncResult refused =
            failed_before_start(SyncError(why).with("phase", "checking the server"), dry_run);
        return RunOutput{server_from_utf8(result_to_json(refused)), false, refused.error};
    }
    try {
        Settings s = read_settings(dry_run, full);
        secret = s.master_key;
        class_name = s.class_name;
        log = PgLogger(secret);
        progress.emplace(s.class_name, dry_run, log);
        for (const auto &w : master_key_warnings()) log.warning(w);
        if (const char *w = sql_objects_warning()) log.warning(w);
        if (!dry_run && !try_lock_target(s))
            throw SyncError("another impayes_sync run is already syncing class " + s.class_name +
                            " of this Parse Server and application id, in this or another "
                            "database of the cluster (advisory lock); try again when it has "
                            "finished")
                .with("phase", "locking");
        HttpOptions http_opts;
        http_opts.connect_timeout_ms = s.connect_timeout_ms;
        http_opts.request_timeout_ms = s.request_timeout_ms;
        http_opts.ca_file = s.ca_file;
        http_opts.max_response_bytes = size_t(s.max_response_bytes);
        http_opts.headers = {"X-Parse-Application-Id: " + s.application_id,
                             "X-Parse-Master-Key: " + s.master_key};
        HttpClient http(std::move(http_opts), interrupt_pending);
        PgSourceReader reader;
        result = run_sync(s, reader, http, log, &ledger, *progress);
    } catch (const SyncError &e) {  // before the run could start
        result = failed_before_start(e, dry_run);
    }
    RunOutput out;
    mask_result(result, secret);  // its strings, never the JSON text
    out.json = server_from_utf8(result_to_json(result));
    out.success = result.success;
    out.error = result.error;
    // The history worker writes the run's row and, when there is one, the
    // ledger the run kept: the longest part of the end of a large run.
    if (progress)
        progress->set_phase(ledger.pending() ? RunPhase::SavingLedger : RunPhase::Summarising);
    record_run(out.json, class_name, started, log, &ledger, origin);
    return out;
}

void run_guarded(bool dry_run, bool full, Outcome *out) noexcept {
    try {
        RunOutput run = run_once(dry_run, full, "call");
        out->json = dup(run.json);
        out->kind = out->json ? Outcome::Json : Outcome::OutOfMemory;
        out->failed_run = !run.success;
        if (!run.success)
            out->message = dup_server(std::string(kFailureMessage) + ": " + run.error);
    } catch (const Interrupted &) {
        out->kind = Outcome::Interrupt;
    } catch (const PgError &e) {
        out->kind = Outcome::PgErrorKind;
        out->sqlerrcode = e.sqlerrcode;
        out->message = dup_server(e.message);
        out->detail = dup_server(e.detail);
        out->hint = dup_server(e.hint);
    } catch (const std::bad_alloc &) {
        out->kind = Outcome::OutOfMemory;
    } catch (const std::exception &e) {
        out->kind = Outcome::Internal;
        out->message = dup_server(e.what());
    } catch (...) {
        out->kind = Outcome::Internal;
    }
}

// Copies a malloc'd string into palloc'd memory and frees it.
char *take(char *s) {
    if (s == nullptr) return nullptr;
    char *p = pstrdup(s);
    free(s);
    return p;
}

}  // namespace

RunReport run_and_record(bool full, const char *origin) {
    RunReport r;
    try {
        RunOutput run = run_once(false, full, origin);
        r.kind = RunReport::Done;
        r.success = run.success;
        r.error = run.error;
    } catch (const Interrupted &) {
        r.kind = RunReport::Interrupt;
    } catch (const PgError &e) {
        r.kind = is_interrupt(e) ? RunReport::Interrupt : RunReport::Error;
        r.error = e.message;
    } catch (const std::exception &e) {
        r.kind = RunReport::Error;
        r.error = e.what();
    }
    return r;
}

}  // namespace impayes::pg

void _PG_init(void) {
    impayes::pg::watch_init();  // first: define_gucs() reserves the prefix
    impayes::pg::define_gucs();
    // Shared memory for impayes_sync.progress can only be reserved at
    // server start.
    if (process_shared_preload_libraries_in_progress) impayes::pg::install_progress_shmem_hooks();
}

Datum impayes_sync(PG_FUNCTION_ARGS) {
    using impayes::pg::Outcome;
    const bool dry_run = PG_ARGISNULL(0) ? false : PG_GETARG_BOOL(0);
    const bool full = PG_NARGS() > 1 && !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
    Outcome out;
    impayes::pg::run_guarded(dry_run, full, &out);
    char *json = impayes::pg::take(out.json);
    char *message = impayes::pg::take(out.message);
    char *detail = impayes::pg::take(out.detail);
    char *hint = impayes::pg::take(out.hint);
    switch (out.kind) {
        case Outcome::Json:
            if (out.failed_run && impayes::pg::raise_on_error_enabled())
                ereport(ERROR, (errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
                                errmsg("%s", message ? message : "impayes_sync failed"),
                                errdetail("%s", json)));
            PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(json)));
        case Outcome::Interrupt:
            CHECK_FOR_INTERRUPTS();  // raises the cancel, timeout or termination
            ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                            errmsg("canceling statement due to user request")));
            break;
        case Outcome::PgErrorKind:
            ereport(ERROR, (errcode(out.sqlerrcode), errmsg("%s", message ? message : "error"),
                            detail ? errdetail("%s", detail) : 0, hint ? errhint("%s", hint) : 0));
            break;
        case Outcome::OutOfMemory:
            ereport(ERROR,
                    (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory in impayes_sync")));
            break;
        case Outcome::Internal:
            ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg("impayes_sync: %s", message ? message : "unexpected error")));
            break;
    }
    PG_RETURN_NULL();
}
