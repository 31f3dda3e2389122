// The configuration of one run, read from the GUCs by src/pg/gucs.cpp.
#pragma once

#include <optional>
#include <string>

namespace impayes {

struct Settings {
    std::string parse_url;       // with mount path, e.g. http://127.0.0.1:1337/parse
    std::string application_id;  // X-Parse-Application-Id
    std::string master_key;      // X-Parse-Master-Key: never logged nor returned
    std::string class_name = "Impayes";
    std::string source = "impayes";
    // Schemas the source resolves and runs under (impayes_sync.source_search_path),
    // whatever the caller's search_path says.
    std::string source_search_path = "public";
    std::string key_column = "numero_facture";
    std::string ca_file;  // extra CA bundle for https; empty = system store
    int query_timeout_ms = 10000;
    int connect_timeout_ms = 5000;
    int request_timeout_ms = 30000;
    int batch_size = 500;
    int max_request_bytes = 8 * 1024 * 1024;
    int max_response_bytes = 64 * 1024 * 1024;  // largest answer body read from Parse
    int parallel_requests = 2;
    int max_retries = 3;
    std::string on_missing = "keep";   // keep | delete
    std::string mode = "incremental";  // incremental | full
    bool full = false;                 // this call forces a full reconciliation
    bool dry_run = false;
};

// A setting that is missing or invalid: the name of the GUC and why.
struct SettingProblem {
    std::string setting;
    std::string message;
};

// First problem found, checked before any HTTP request is made.
std::optional<SettingProblem> validate_settings(const Settings &s);

// The search_path the source is resolved and run under, from the
// configured schema list: pg_catalog first (no schema can shadow a
// built-in function or operator), pg_temp last (no temp table or view can
// shadow the source). "$user" and pg_temp are refused: the caller decides
// what they mean.
struct PinnedSearchPath {
    bool ok = false;
    std::string value;    // for set_config('search_path', ...), when ok
    std::string problem;  // why not, when !ok
};
PinnedSearchPath pinned_search_path(const std::string &schemas);

// True when parse_url is http:// to a host that is not loopback
// (127.0.0.0/8, ::1, localhost): the master key would cross the network
// in clear.
bool key_travels_in_clear(const std::string &parse_url);

// "http://h:1/parse/" -> "/parse" (the prefix /batch item paths carry).
std::string mount_path(const std::string &parse_url);

// parse_url without a trailing slash.
std::string base_url(const std::string &parse_url);

// The seed's timeout message, with the configured number of seconds.
std::string timeout_message(int timeout_ms);

}  // namespace impayes
