#include "pg/gucs.hpp"

#include <fstream>

#include "core/errors.hpp"
#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/guc_tables.h"
}

namespace impayes::pg {

namespace {

char *parse_url = nullptr;
char *application_id = nullptr;
char *master_key = nullptr;
char *master_key_file = nullptr;
char *class_name = nullptr;
char *source = nullptr;
char *source_search_path = nullptr;
char *key_column = nullptr;
char *ca_file = nullptr;
int query_timeout = 10000;
int connect_timeout = 5000;
int request_timeout = 30000;
int batch_size = 500;
int max_request_bytes = 8 * 1024 * 1024;
int parallel_requests = 2;
int max_retries = 3;
bool loaded_at_startup = false;
int on_missing = 0;
int sync_mode = 0;
bool raise_on_error = false;
int max_response_bytes = 64 * 1024 * 1024;
int history_retention = 30 * 24 * 60;  // minutes

const struct config_enum_entry mode_options[] = {
    {"incremental", 0, false}, {"full", 1, false}, {nullptr, 0, false}};
const struct config_enum_entry on_missing_options[] = {
    {"keep", 0, false}, {"delete", 1, false}, {nullptr, 0, false}};

// SHOW, current_setting() and pg_settings print this, never the key.
const char *show_masked_key() { return master_key && master_key[0] ? "********" : ""; }

void define_string(const char *name, const char *desc, char **var, const char *def, int flags = 0,
                   GucShowHook show = nullptr) {
    DefineCustomStringVariable(name, desc, nullptr, var, def, PGC_SUSET, flags, nullptr, nullptr,
                               show);
}

void define_int(const char *name, const char *desc, int *var, int def, int min, int max,
                int flags = 0) {
    DefineCustomIntVariable(name, desc, nullptr, var, def, min, max, PGC_SUSET, flags, nullptr,
                            nullptr, nullptr);
}

std::string str(const char *s) { return s ? s : ""; }

std::string read_key_file(const std::string &path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        throw SyncError("impayes_sync.master_key_file: cannot read \"" + path + "\"")
            .with("setting", "impayes_sync.master_key_file");
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    return line;
}

}  // namespace

void define_gucs() {
    loaded_at_startup = process_shared_preload_libraries_in_progress;
    define_string("impayes_sync.parse_url",
                  "Parse Server URL with its mount path, e.g. http://127.0.0.1:1337/parse.",
                  &parse_url, "");
    define_string("impayes_sync.application_id", "Parse application id (X-Parse-Application-Id).",
                  &application_id, "");
    define_string("impayes_sync.master_key",
                  "Parse master key (X-Parse-Master-Key). Shown masked; never logged.", &master_key,
                  "", GUC_SUPERUSER_ONLY | GUC_NO_SHOW_ALL, show_masked_key);
    define_string("impayes_sync.master_key_file",
                  "File holding the Parse master key, read by the server when master_key is empty.",
                  &master_key_file, "", GUC_SUPERUSER_ONLY);
    define_string("impayes_sync.class_name", "Parse class the invoices are synced into.",
                  &class_name, "Impayes");
    define_string(
        "impayes_sync.source",
        "Relation (table, view, materialized view) or SELECT/WITH query giving the invoices.",
        &source, "impayes");
    define_string("impayes_sync.source_search_path",
                  "Schemas the source resolves and runs under, instead of the caller's "
                  "search_path (pg_catalog first, pg_temp last; $user refused).",
                  &source_search_path, "public");
    define_string("impayes_sync.key_column", "Source column that identifies an invoice.",
                  &key_column, "numero_facture");
    define_string("impayes_sync.ca_file", "Extra CA bundle to verify an https Parse Server.",
                  &ca_file, "");
    define_int("impayes_sync.query_timeout", "Time limit of the source query (0 = none).",
               &query_timeout, 10000, 0, INT_MAX, GUC_UNIT_MS);
    define_int("impayes_sync.connect_timeout",
               "Time limit to connect to Parse Server, per request.", &connect_timeout, 5000, 1,
               3600 * 1000, GUC_UNIT_MS);
    define_int("impayes_sync.request_timeout", "Time limit of one HTTP request to Parse Server.",
               &request_timeout, 30000, 1, 24 * 3600 * 1000, GUC_UNIT_MS);
    define_int("impayes_sync.batch_size", "Objects per POST /batch request.", &batch_size, 500, 1,
               10000);
    define_int("impayes_sync.max_request_bytes",
               "Largest /batch body; keep it under Parse Server's maxUploadSize.",
               &max_request_bytes, 8 * 1024 * 1024, 1024, INT_MAX, GUC_UNIT_BYTE);
    define_int("impayes_sync.parallel_requests", "/batch requests in flight at once.",
               &parallel_requests, 2, 1, 64);
    define_int("impayes_sync.max_retries", "Retries of a request that failed transiently.",
               &max_retries, 3, 0, 20);
    DefineCustomEnumVariable(
        "impayes_sync.on_missing",
        "What happens to Parse objects whose key left the source: keep or delete.", nullptr,
        &on_missing, 0, on_missing_options, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "impayes_sync.mode",
        "incremental: unchanged rows cost no HTTP (ledger); full: read the whole class.", nullptr,
        &sync_mode, 0, mode_options, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable("impayes_sync.raise_on_error",
                             "Raise an ERROR after recording a failed run (for pg_cron).", nullptr,
                             &raise_on_error, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    define_int("impayes_sync.history_retention",
               "How long rows stay in impayes_sync.runs (0 = forever).", &history_retention,
               30 * 24 * 60, 0, INT_MAX, GUC_UNIT_MIN);
    // A keyset page holds 1000 objects and a /batch answer batch_size
    // items: 64 MB leaves room for objects of about 64 kB each.
    define_int("impayes_sync.max_response_bytes",
               "Largest answer body read from Parse Server; a longer one stops the run.",
               &max_response_bytes, 64 * 1024 * 1024, 1024, INT_MAX, GUC_UNIT_BYTE);
    MarkGUCPrefixReserved("impayes_sync");
}

Settings read_settings(bool dry_run, bool full) {
    Settings s;
    s.parse_url = str(parse_url);
    s.application_id = str(application_id);
    s.master_key = str(master_key);
    if (s.master_key.empty() && master_key_file && master_key_file[0])
        s.master_key = read_key_file(master_key_file);
    s.class_name = str(class_name);
    s.source = str(source);
    s.source_search_path = str(source_search_path);
    s.key_column = str(key_column);
    s.ca_file = str(ca_file);
    s.query_timeout_ms = query_timeout;
    s.connect_timeout_ms = connect_timeout;
    s.request_timeout_ms = request_timeout;
    s.batch_size = batch_size;
    s.max_request_bytes = max_request_bytes;
    s.max_response_bytes = max_response_bytes;
    s.parallel_requests = parallel_requests;
    s.max_retries = max_retries;
    s.on_missing = on_missing == 1 ? "delete" : "keep";
    s.mode = sync_mode == 1 ? "full" : "incremental";
    s.full = full;
    s.dry_run = dry_run;
    return s;
}

bool raise_on_error_enabled() { return raise_on_error; }

std::vector<std::string> master_key_warnings() {
    std::vector<std::string> out;
    if (master_key == nullptr || master_key[0] == '\0') return out;
    struct config_generic **vars = get_guc_variables();
    for (int i = 0; i < GetNumConfigOptions(); ++i) {
        if (strcmp(vars[i]->name, "impayes_sync.master_key") != 0) continue;
        GucSource src = vars[i]->source;
        // PGC_S_GLOBAL: ALTER ROLE ALL SET, in pg_db_role_setting too.
        if (src == PGC_S_DATABASE || src == PGC_S_USER || src == PGC_S_DATABASE_USER ||
            src == PGC_S_GLOBAL)
            out.push_back(
                "impayes_sync.master_key comes from ALTER DATABASE/ROLE ... SET, stored in "
                "pg_db_role_setting, which every role can read: use impayes_sync.master_key_file "
                "or ALTER SYSTEM instead");
    }
    if (!loaded_at_startup)
        out.push_back(
            "impayes_sync is not in shared_preload_libraries: until it is loaded in a session, "
            "impayes_sync.master_key is a plain placeholder that any role can SHOW or SET; "
            "preload the library or use impayes_sync.master_key_file");
    if (key_travels_in_clear(str(parse_url)))
        out.push_back(
            "impayes_sync.parse_url is http:// to a host that is not loopback: the master key "
            "crosses the network in clear; use https://");
    return out;
}
int history_retention_minutes() { return history_retention; }

}  // namespace impayes::pg
