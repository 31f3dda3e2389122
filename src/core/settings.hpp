// The configuration of one run, read from the GUCs by src/pg/gucs.cpp.
#pragma once

#include <climits>
#include <optional>
#include <string>

namespace impayes {

// impayes_sync.mode: incremental when the ledger can be trusted, or every
// run a full reconciliation.
enum class SyncMode { Incremental, Full };
// impayes_sync.on_missing: what happens to Parse objects whose key left the
// source.
enum class OnMissing { Keep, Delete };

// The values' names, spelled here only: the enum GUCs accept these.
template <typename E>
struct EnumName {
    const char *name;
    E value;
};
inline constexpr EnumName<SyncMode> kSyncModeNames[] = {{"incremental", SyncMode::Incremental},
                                                        {"full", SyncMode::Full}};
inline constexpr EnumName<OnMissing> kOnMissingNames[] = {{"keep", OnMissing::Keep},
                                                          {"delete", OnMissing::Delete}};
const char *name_of(SyncMode m);
const char *name_of(OnMissing m);

// The unit an integer GUC's value is in (SET accepts '10s', '8MB', '30d').
enum class Unit { None, Milliseconds, Bytes, Minutes };

// An integer setting's default and bounds.
struct IntDefault {
    int value, min, max;
    Unit unit;
};

// Every setting's default, written once: Settings starts from them and
// src/pg/gucs.cpp declares the GUCs with them (their boot values, bounds
// and units). Settings not listed (parse_url, application_id, master_key,
// master_key_file, ca_file) default to empty: not set.
namespace defaults {
inline constexpr char class_name[] = "Impayes";
inline constexpr char source[] = "impayes";
inline constexpr char source_search_path[] = "public";
inline constexpr char key_column[] = "numero_facture";
inline constexpr IntDefault query_timeout_ms{10000, 0, INT_MAX, Unit::Milliseconds};  // 0 = none
inline constexpr IntDefault connect_timeout_ms{5000, 1, 3600 * 1000, Unit::Milliseconds};
inline constexpr IntDefault request_timeout_ms{30000, 1, 24 * 3600 * 1000, Unit::Milliseconds};
inline constexpr IntDefault batch_size{500, 1, 10000, Unit::None};
// Source rows fetched, converted and pushed at a time: what a run holds.
inline constexpr IntDefault fetch_size{5000, 1, 1000000, Unit::None};
inline constexpr IntDefault max_request_bytes{8 * 1024 * 1024, 1024, INT_MAX, Unit::Bytes};
// A keyset page holds 1000 objects and a /batch answer batch_size items:
// 64 MB leaves room for objects of about 64 kB each.
inline constexpr IntDefault max_response_bytes{64 * 1024 * 1024, 1024, INT_MAX, Unit::Bytes};
inline constexpr IntDefault parallel_requests{2, 1, 64, Unit::None};
inline constexpr IntDefault max_retries{3, 0, 20, Unit::None};
inline constexpr SyncMode mode = SyncMode::Incremental;
inline constexpr OnMissing on_missing = OnMissing::Keep;
// Not part of Settings (read by src/pg when the run is recorded).
inline constexpr IntDefault history_retention_min{30 * 24 * 60, 0, INT_MAX,
                                                  Unit::Minutes};  // 0 = forever
inline constexpr bool raise_on_error = false;
}  // namespace defaults

struct Settings {
    std::string parse_url;       // with mount path, e.g. http://127.0.0.1:1337/parse
    std::string application_id;  // X-Parse-Application-Id
    std::string master_key;      // X-Parse-Master-Key: never logged nor returned
    std::string class_name = defaults::class_name;
    std::string source = defaults::source;
    // Schemas the source resolves and runs under (impayes_sync.source_search_path),
    // whatever the caller's search_path says.
    std::string source_search_path = defaults::source_search_path;
    std::string key_column = defaults::key_column;
    std::string ca_file;  // extra CA bundle for https; empty = system store
    int query_timeout_ms = defaults::query_timeout_ms.value;
    int connect_timeout_ms = defaults::connect_timeout_ms.value;
    int request_timeout_ms = defaults::request_timeout_ms.value;
    int batch_size = defaults::batch_size.value;
    int fetch_size = defaults::fetch_size.value;
    int max_request_bytes = defaults::max_request_bytes.value;
    int max_response_bytes = defaults::max_response_bytes.value;  // largest answer body from Parse
    int parallel_requests = defaults::parallel_requests.value;
    int max_retries = defaults::max_retries.value;
    OnMissing on_missing = defaults::on_missing;
    SyncMode mode = defaults::mode;
    bool full = false;  // this call forces a full reconciliation
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
