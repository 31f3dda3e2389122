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
int query_timeout = defaults::query_timeout_ms.value;
int connect_timeout = defaults::connect_timeout_ms.value;
int request_timeout = defaults::request_timeout_ms.value;
int batch_size = defaults::batch_size.value;
int fetch_size = defaults::fetch_size.value;
int max_request_bytes = defaults::max_request_bytes.value;
int parallel_requests = defaults::parallel_requests.value;
int max_retries = defaults::max_retries.value;
bool loaded_at_startup = false;
int on_missing = int(defaults::on_missing);
int sync_mode = int(defaults::mode);
bool raise_on_error = defaults::raise_on_error;
int max_response_bytes = defaults::max_response_bytes.value;
int history_retention = defaults::history_retention_min.value;

// An enum GUC's accepted values, from the names in core/settings.hpp (the
// GUC machinery keeps the pointer: one static array per enum).
template <typename E, size_t N>
const config_enum_entry *enum_options(const EnumName<E> (&names)[N]) {
    static config_enum_entry entries[N + 1];
    for (size_t i = 0; i < N; ++i) entries[i] = {names[i].name, int(names[i].value), false};
    entries[N] = {nullptr, 0, false};
    return entries;
}

int unit_flag(Unit u) {
    switch (u) {
        case Unit::None:
            return 0;
        case Unit::Milliseconds:
            return GUC_UNIT_MS;
        case Unit::Bytes:
            return GUC_UNIT_BYTE;
        case Unit::Minutes:
            return GUC_UNIT_MIN;
    }
    return 0;
}

// SHOW, current_setting() and pg_settings print this, never the key.
const char *show_masked_key() { return master_key && master_key[0] ? "********" : ""; }

void define_string(const char *name, const char *desc, char **var, const char *def, int flags = 0,
                   GucShowHook show = nullptr) {
    DefineCustomStringVariable(name, desc, nullptr, var, def, PGC_SUSET, flags, nullptr, nullptr,
                               show);
}

void define_int(const char *name, const char *desc, int *var, const IntDefault &d) {
    DefineCustomIntVariable(name, desc, nullptr, var, d.value, d.min, d.max, PGC_SUSET,
                            unit_flag(d.unit), nullptr, nullptr, nullptr);
}

template <typename E, size_t N>
void define_enum(const char *name, const char *desc, int *var, E def,
                 const EnumName<E> (&names)[N]) {
    DefineCustomEnumVariable(name, desc, nullptr, var, int(def), enum_options(names), PGC_SUSET, 0,
                             nullptr, nullptr, nullptr);
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
                  &class_name, defaults::class_name);
    define_string(
        "impayes_sync.source",
        "Relation (table, view, materialized view) or SELECT/WITH query giving the invoices.",
        &source, defaults::source);
    define_string("impayes_sync.source_search_path",
                  "Schemas the source resolves and runs under, instead of the caller's "
                  "search_path (pg_catalog first, pg_temp last; $user refused).",
                  &source_search_path, defaults::source_search_path);
    define_string("impayes_sync.key_column", "Source column that identifies an invoice.",
                  &key_column, defaults::key_column);
    define_string("impayes_sync.ca_file", "Extra CA bundle to verify an https Parse Server.",
                  &ca_file, "");
    define_int("impayes_sync.query_timeout", "Time limit of the source query (0 = none).",
               &query_timeout, defaults::query_timeout_ms);
    define_int("impayes_sync.connect_timeout",
               "Time limit to connect to Parse Server, per request.", &connect_timeout,
               defaults::connect_timeout_ms);
    define_int("impayes_sync.request_timeout", "Time limit of one HTTP request to Parse Server.",
               &request_timeout, defaults::request_timeout_ms);
    define_int("impayes_sync.batch_size", "Objects per POST /batch request.", &batch_size,
               defaults::batch_size);
    define_int("impayes_sync.fetch_size",
               "Source rows fetched, converted and pushed at a time (bounds the run's memory).",
               &fetch_size, defaults::fetch_size);
    define_int("impayes_sync.max_request_bytes",
               "Largest /batch body; keep it under Parse Server's maxUploadSize.",
               &max_request_bytes, defaults::max_request_bytes);
    define_int("impayes_sync.parallel_requests", "/batch requests in flight at once.",
               &parallel_requests, defaults::parallel_requests);
    define_int("impayes_sync.max_retries", "Retries of a request that failed transiently.",
               &max_retries, defaults::max_retries);
    define_enum("impayes_sync.on_missing",
                "What happens to Parse objects whose key left the source: keep or delete.",
                &on_missing, defaults::on_missing, kOnMissingNames);
    define_enum("impayes_sync.mode",
                "incremental: unchanged rows cost no HTTP (ledger); full: read the whole class.",
                &sync_mode, defaults::mode, kSyncModeNames);
    DefineCustomBoolVariable("impayes_sync.raise_on_error",
                             "Raise an ERROR after recording a failed run (for pg_cron).", nullptr,
                             &raise_on_error, defaults::raise_on_error, PGC_SUSET, 0, nullptr,
                             nullptr, nullptr);
    define_int("impayes_sync.history_retention",
               "How long rows stay in impayes_sync.runs (0 = forever).", &history_retention,
               defaults::history_retention_min);
    define_int("impayes_sync.max_response_bytes",
               "Largest answer body read from Parse Server; a longer one stops the run.",
               &max_response_bytes, defaults::max_response_bytes);
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
    s.fetch_size = fetch_size;
    s.max_request_bytes = max_request_bytes;
    s.max_response_bytes = max_response_bytes;
    s.parallel_requests = parallel_requests;
    s.max_retries = max_retries;
    // The GUCs hold the enums' values (enum_options()).
    s.on_missing = static_cast<OnMissing>(on_missing);
    s.mode = static_cast<SyncMode>(sync_mode);
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
