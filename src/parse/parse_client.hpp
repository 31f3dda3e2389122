// The Parse REST calls the sync needs: schema check and creation, keyset
// paged reads and look-ups by key. Requests that fail transiently (no
// connection, timeouts, 5xx, Parse codes 1/100) are retried with
// exponential backoff, up to impayes_sync.max_retries times.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/json.hpp"
#include "core/logger.hpp"
#include "core/settings.hpp"
#include "core/source_data.hpp"
#include "http/http_client.hpp"

namespace impayes {

// Whether a failed answer is worth trying again.
bool is_transient(const HttpResponse &r);

// Parse's error code and message from an answer body, if any.
struct ParseErrorBody {
    std::string code;  // numeric Parse code or a SQLSTATE string
    std::string message;
};
ParseErrorBody parse_error_body(const std::string &body);

// How a schema change (class creation, new fields) ended.
enum class SchemaChange {
    Applied,       // Parse answered that it made the change
    FoundApplied,  // a retry was refused as already done: the earlier attempt, whose
                   // answer was lost, made it; the caller re-reads the schema
};

// A request's last answer, and whether an earlier attempt may have been
// applied (it reached Parse and got no answer, or a 5xx).
struct Attempts {
    HttpResponse last;
    bool earlier_may_have_applied = false;
};

// A retry refused with Parse's "already done" error (its code, and a piece
// of its message) after an attempt that may have been applied: that
// attempt made the change and only its answer was lost.
bool retry_found_applied(const Attempts &a, const char *code, const char *message);

class ParseClient {
public:
    ParseClient(const Settings &s, HttpClient &http, Logger &log);

    // GET /schemas/<class> with the master key. Returns false when the class
    // does not exist yet; fills fields (name -> {type}) otherwise. A wrong
    // application id or master key throws a SyncError naming the setting.
    bool fetch_schema(JsonDoc &fields);

    // Creates the class with typed fields, readable and writable with the
    // master key only.
    SchemaChange create_class(const std::vector<std::pair<std::string, ParseType>> &fields);
    SchemaChange add_fields(const std::vector<std::pair<std::string, ParseType>> &fields);
    // Indexes on the key column (Parse makes none for custom fields) and on
    // updatedAt, so that neither lookups by key nor the drift check scan
    // the class.
    void add_indexes();

    // All objects of the class, with objectId and the given fields only,
    // read with keyset paging on objectId. out becomes an array.
    void read_all(const std::vector<std::string> &fields, JsonDoc &out);
    // Same, handing each page (an array of objects) to on_page instead of
    // keeping them all.
    using PageFn = std::function<void(const JsonValue &page)>;
    void read_all(const std::vector<std::string> &fields, const PageFn &on_page);

    // Objects created or updated after the ISO timestamp `since`, same
    // fields, keyset paged like read_all().
    void read_changed_since(const std::vector<std::string> &fields, const std::string &since,
                            JsonDoc &out);

    // Exact number of objects in the class.
    long count();

    // Objects whose field `key` is one of values (JSON values), queried in
    // the body of a POST (never a URL, whatever the keys' length), at most
    // kLookupKeys keys and about kLookupBytes of keys per request.
    static const size_t kLookupKeys = 200;
    static const size_t kLookupBytes = 256 * 1024;
    void find_by_keys(const std::string &key, const std::vector<const JsonValue *> &values,
                      JsonDoc &out, const std::vector<std::string> &fields = {});

    // A request with retries of transient failures.
    HttpResponse request(const std::string &method, const std::string &path_and_query,
                         const std::string &body = std::string());
    // The same, telling whether an earlier attempt may have been applied.
    Attempts request_attempts(const std::string &method, const std::string &path_and_query,
                              const std::string &body = std::string());

    std::string url(const std::string &path) const { return base_ + path; }
    const std::string &mount() const { return mount_; }
    long backoff_ms(int attempt) const;

private:
    void add_indexes_on(const std::vector<std::string> &fields);
    SchemaChange change_schema(const char *method, const std::string &body, const char *what,
                               const char *code, const char *message);
    // Which credential Parse refused when /schemas answered 403.
    enum class Refused {
        MasterKey,                 // a wrong key: the request ran as anonymous
        ApplicationId,             // "unauthorized", also without the master key
        MasterKeyFromThisAddress,  // "unauthorized" only with it: masterKeyIps
        Unknown,                   // the request without the master key failed
    };
    Refused refused_without_master_key();
    void read_paged(const std::vector<std::string> &fields, const std::string &since,
                    const PageFn &on_page);
    void read_paged(const std::vector<std::string> &fields, const std::string &since, JsonDoc &out);

    const Settings &s_;
    HttpClient &http_;
    Logger &log_;
    std::string base_;
    std::string mount_;
};

// Splits items of the given sizes in consecutive chunks of at most
// max_items items and max_bytes bytes (an item larger than max_bytes is a
// chunk of its own); returns the end index of each chunk.
std::vector<size_t> chunk_ends(const std::vector<size_t> &sizes, size_t max_items,
                               size_t max_bytes);

// A SyncError for a failed answer: one line naming the call, with the HTTP
// status, Parse code and message in details.
SyncError http_failure(const std::string &what, const std::string &method, const std::string &url,
                       const HttpResponse &r);

}  // namespace impayes
