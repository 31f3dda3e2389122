#include "parse/parse_client.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/errors.hpp"

namespace impayes {

bool is_transient(const HttpResponse &r) {
    if (!r.error.empty()) return !r.permanent;  // no answer: refused, reset, timeout
    if (r.status == 429 || r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504)
        return true;
    ParseErrorBody e = parse_error_body(r.body);
    return r.status >= 400 && (e.code == "1" || e.code == "100");
}

ParseErrorBody parse_error_body(const std::string &body) {
    ParseErrorBody out;
    JsonDoc doc;
    if (!parse_json(doc, body.data(), body.size()).empty() || !doc.IsObject()) return out;
    if (const JsonValue *c = find_member(doc, "code"))
        out.code = c->IsString() ? c->GetString() : c->IsNumber() ? key_string(*c) : "";
    if (const JsonValue *m = find_member(doc, "error"))
        out.message = m->IsString() ? m->GetString() : to_json(*m);
    return out;
}

SyncError http_failure(const std::string &what, const std::string &method, const std::string &url,
                       const HttpResponse &r) {
    std::string line = what + ": " + method + " " + describe_url(url);
    ParseErrorBody e = parse_error_body(r.body);
    if (!r.error.empty())
        line += " failed: " + r.error;
    else
        line += " answered HTTP " + std::to_string(r.status) +
                (e.message.empty() ? "" : ": " + e.message);
    if (!r.redirect.empty())
        line += " (redirect to " + r.redirect +
                " not followed; set impayes_sync.parse_url to the final URL)";
    if (r.error.find("certificate problem") != std::string::npos)
        line += " (set impayes_sync.ca_file to the CA that signed the Parse Server certificate)";
    SyncError err(line);
    err.with("phase", what).with("request", method + " " + describe_url(url));
    if (r.status) err.with("http_status", r.status);
    if (!e.code.empty()) err.with("parse_code", e.code);
    if (!r.error.empty()) err.with("transport_error", r.error);
    if (r.too_large) err.with("setting", "impayes_sync.max_response_bytes");
    return err;
}

ParseClient::ParseClient(const Settings &s, HttpClient &http, Logger &log)
    : s_(s),
      http_(http),
      log_(log),
      base_(base_url(s.parse_url)),
      mount_(mount_path(s.parse_url)) {}

long ParseClient::backoff_ms(int attempt) const {
    long ms = 200L << (attempt < 6 ? attempt : 6);
    return ms > 10000 ? 10000 : ms;
}

HttpResponse ParseClient::request(const std::string &method, const std::string &path,
                                  const std::string &body) {
    return request_attempts(method, path, body).last;
}

Attempts ParseClient::request_attempts(const std::string &method, const std::string &path,
                                       const std::string &body) {
    HttpRequest req{method, url(path), body};
    Attempts out;
    for (int attempt = 0;; ++attempt) {
        HttpResponse r = http_.perform(req);
        if (r.ok() || !is_transient(r) || attempt >= s_.max_retries) {
            out.last = std::move(r);
            return out;
        }
        if (r.sent && (!r.error.empty() || r.status >= 500)) out.earlier_may_have_applied = true;
        log_.debug("retrying " + method + " " + describe_url(req.url) +
                   " after: " + (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error));
        http_.pause(backoff_ms(attempt));
    }
}

// with_clp: a new class, restricted to the master key.
static std::string field_json(const std::vector<std::pair<std::string, ParseType>> &fields,
                              const std::string &class_name, bool with_clp) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("className");
    w.String(class_name.c_str());
    w.Key("fields");
    w.StartObject();
    for (const auto &f : fields) {
        w.Key(f.first.c_str());
        w.StartObject();
        w.Key("type");
        w.String(parse_type_name(f.second));
        w.EndObject();
    }
    w.EndObject();
    if (with_clp) {
        // Empty permission sets: only the master key may read or write.
        w.Key("classLevelPermissions");
        w.StartObject();
        for (const char *op : {"find", "count", "get", "create", "update", "delete", "addField"}) {
            w.Key(op);
            w.StartObject();
            w.EndObject();
        }
        w.Key("protectedFields");
        w.StartObject();
        w.EndObject();
        w.EndObject();
    }
    w.EndObject();
    return buf.GetString();
}

bool ParseClient::fetch_schema(JsonDoc &fields) {
    const std::string path = "/schemas/" + s_.class_name;
    HttpResponse r = request("GET", path);
    if (r.ok()) {
        JsonDoc doc;
        std::string perr = parse_json(doc, r.body.data(), r.body.size());
        const JsonValue *f = perr.empty() ? find_member(doc, "fields") : nullptr;
        if (f == nullptr || !f->IsObject())
            throw SyncError("Parse Server answered GET " + describe_url(url(path)) +
                            " with an unexpected body");
        fields.CopyFrom(*f, fields.GetAllocator());
        return true;
    }
    ParseErrorBody e = parse_error_body(r.body);
    if (r.error.empty() && e.code == "103") return false;  // class does not exist yet
    if (r.status == 403 || r.status == 401) {
        // A wrong master key is not refused by Parse: the request runs as
        // anonymous, and /schemas needs the master key, so it shows here
        // ("Permission denied" or "master key is required"). "unauthorized"
        // is a wrong application id, or the right master key sent from an
        // address outside Parse's masterKeyIps: one request without the key
        // tells them apart.
        const Refused who =
            e.message != "unauthorized" ? Refused::MasterKey : refused_without_master_key();
        SyncError err = http_failure("checking access", "GET", url(path), r);
        const std::string answer =
            "HTTP " + std::to_string(r.status) + (e.message.empty() ? "" : " " + e.message);
        std::string line, setting;
        switch (who) {
            case Refused::MasterKey:
                line = "Parse Server refused the master key (impayes_sync.master_key): " + answer;
                setting = "impayes_sync.master_key";
                break;
            case Refused::ApplicationId:
                line = "Parse Server refused the application id (impayes_sync.application_id): " +
                       answer;
                setting = "impayes_sync.application_id";
                break;
            case Refused::MasterKeyFromThisAddress:
                line =
                    "Parse Server refused the master key from this address: add the database "
                    "server's address to Parse Server's masterKeyIps (" +
                    answer + "; the application id alone is accepted)";
                break;
            case Refused::Unknown:
                line =
                    "Parse Server refused the application id (impayes_sync.application_id) or "
                    "the master key from this address (Parse Server's masterKeyIps): " +
                    answer;
                break;
        }
        SyncError named(line);
        named.details().CopyFrom(err.details(), named.details().GetAllocator());
        if (!setting.empty()) named.with("setting", setting);
        if (who == Refused::MasterKeyFromThisAddress || who == Refused::Unknown)
            named.with("hint",
                       "Parse Server accepts the master key only from the addresses in its "
                       "masterKeyIps option (loopback only by default)");
        throw named;
    }
    throw http_failure("checking access", "GET", url(path), r);
}

// The application id alone (no master key) on a route that needs the
// master key: a right application id gets "master key is required", a
// wrong one "unauthorized". One request, no retry.
ParseClient::Refused ParseClient::refused_without_master_key() {
    HttpRequest req{"GET", url("/serverInfo"), ""};
    req.omit_headers = {"X-Parse-Master-Key"};
    HttpResponse r = http_.perform(req);
    if (!r.error.empty()) {
        log_.debug("impayes_sync: GET " + describe_url(req.url) +
                   " without the master key failed: " + r.error);
        return Refused::Unknown;
    }
    if (r.status >= 500) return Refused::Unknown;  // no word on the application id
    ParseErrorBody e = parse_error_body(r.body);
    if ((r.status == 403 || r.status == 401) && e.message == "unauthorized")
        return Refused::ApplicationId;
    return Refused::MasterKeyFromThisAddress;
}

bool retry_found_applied(const Attempts &a, const char *code, const char *message) {
    if (!a.earlier_may_have_applied || !a.last.error.empty()) return false;
    ParseErrorBody e = parse_error_body(a.last.body);
    return e.code == code && e.message.find(message) != std::string::npos;
}

// One schema request (POST creates the class, PUT adds fields). A retry
// refused with `code`/`message` after an attempt that may have been applied
// found the change made: its answer was lost.
SchemaChange ParseClient::change_schema(const char *method, const std::string &body,
                                        const char *what, const char *code, const char *message) {
    const std::string path = "/schemas/" + s_.class_name;
    Attempts a = request_attempts(method, path, body);
    if (retry_found_applied(a, code, message)) {
        log_.info(std::string("Parse class ") + s_.class_name + ": " + what +
                  " was already done when it was retried: the first request did it and its "
                  "answer was lost");
        return SchemaChange::FoundApplied;
    }
    if (!a.last.ok()) throw http_failure(what, method, url(path), a.last);
    return SchemaChange::Applied;
}

SchemaChange ParseClient::create_class(
    const std::vector<std::pair<std::string, ParseType>> &fields) {
    SchemaChange c = change_schema("POST", field_json(fields, s_.class_name, true),
                                   "creating the class", "103", "already exists");
    if (c == SchemaChange::Applied)
        log_.info("created Parse class " + s_.class_name + " with " +
                  std::to_string(fields.size()) + " fields (master key only)");
    return c;
}

// An index on the key (lookups by key) and one on updatedAt (the drift
// check of every incremental run asks for objects changed since the
// watermark: without it, a scan of the whole class). A Parse Server that
// refuses the second still gets the first.
void ParseClient::add_indexes() {
    std::vector<std::string> fields = {s_.key_column};
    if (s_.key_column != "updatedAt") fields.push_back("updatedAt");
    try {
        add_indexes_on(fields);
    } catch (const SyncError &e) {
        if (fields.size() == 1) throw;
        log_.info(std::string("no index on updatedAt: ") + e.what());
        add_indexes_on({s_.key_column});
    }
}

void ParseClient::add_indexes_on(const std::vector<std::string> &fields) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("className");
    w.String(s_.class_name.c_str());
    w.Key("indexes");
    w.StartObject();
    std::string names;
    for (const auto &f : fields) {
        // PostgreSQL index names are per schema: named after the class.
        const std::string name = s_.class_name + "_" + f + "_1";
        names += (names.empty() ? "" : ", ") + name;
        w.Key(name.c_str());
        w.StartObject();
        w.Key(f.c_str());
        w.Int(1);
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    const std::string path = "/schemas/" + s_.class_name;
    HttpResponse r = request("PUT", path, buf.GetString());
    if (!r.ok()) throw http_failure("adding indexes", "PUT", url(path), r);
    log_.info("added indexes " + names + " to Parse class " + s_.class_name);
}

SchemaChange ParseClient::add_fields(const std::vector<std::pair<std::string, ParseType>> &fields) {
    // Parse before 9 refuses any field that exists ("Field x exists, cannot
    // update.", 255); later versions only one of another type.
    return change_schema("PUT", field_json(fields, s_.class_name, false),
                         "adding fields to the class", "255", "exists, cannot update");
}

static std::string keys_param(const std::vector<std::string> &fields) {
    std::string keys = "objectId,updatedAt,createdAt";
    for (const auto &f : fields) keys += "," + f;
    return url_encode(keys);
}

// Moves the "results" of a page into out; returns how many.
static size_t take_results(const std::string &body, JsonDoc &out, const std::string &where) {
    JsonDoc page(&out.GetAllocator());
    std::string perr = parse_json(page, body.data(), body.size());
    JsonValue *res = nullptr;
    if (perr.empty() && page.IsObject()) {
        auto it = page.FindMember("results");
        if (it != page.MemberEnd() && it->value.IsArray()) res = &it->value;
    }
    if (res == nullptr)
        throw SyncError("Parse Server answered " + where + " with an unexpected body");
    size_t n = res->Size();
    for (auto &v : res->GetArray()) out.PushBack(v.Move(), out.GetAllocator());
    return n;
}

void ParseClient::read_all(const std::vector<std::string> &fields, JsonDoc &out) {
    read_paged(fields, "", out);
}

void ParseClient::read_all(const std::vector<std::string> &fields, const PageFn &on_page) {
    read_paged(fields, "", on_page);
}

void ParseClient::read_changed_since(const std::vector<std::string> &fields,
                                     const std::string &since, JsonDoc &out) {
    read_paged(fields, since, out);
}

long ParseClient::count() {
    // Without a where clause, Parse on PostgreSQL answers an estimate.
    const std::string path = "/classes/" + s_.class_name + "?limit=0&count=1&where=" +
                             url_encode("{\"objectId\":{\"$exists\":true}}");
    HttpResponse r = request("GET", path);
    if (!r.ok()) throw http_failure("counting objects", "GET", url(path), r);
    JsonDoc doc;
    const JsonValue *c =
        parse_json(doc, r.body.data(), r.body.size()).empty() ? find_member(doc, "count") : nullptr;
    if (c == nullptr || !c->IsNumber())
        throw SyncError("Parse Server answered a count without \"count\"");
    return long(c->GetDouble());
}

void ParseClient::read_paged(const std::vector<std::string> &fields, const std::string &since,
                             JsonDoc &out) {
    out.SetArray();
    read_paged(fields, since, [&out](const JsonValue &page) {
        for (const auto &v : page.GetArray())
            out.PushBack(JsonValue(v, out.GetAllocator()), out.GetAllocator());
    });
}

void ParseClient::read_paged(const std::vector<std::string> &fields, const std::string &since,
                             const PageFn &on_page) {
    const size_t page_size = 1000;
    size_t so_far = 0;
    std::string last;
    const std::string base = "/classes/" + s_.class_name + "?limit=" + std::to_string(page_size) +
                             "&order=objectId&keys=" + keys_param(fields);
    for (;;) {
        std::string path = base;
        if (!last.empty() || !since.empty()) {
            JsonDoc where;
            where.SetObject();
            auto &a = where.GetAllocator();
            if (!last.empty()) {
                JsonValue gt(rapidjson::kObjectType);
                gt.AddMember("$gt", JsonValue(last.c_str(), a), a);
                where.AddMember("objectId", gt, a);
            }
            if (!since.empty()) {
                JsonValue date(rapidjson::kObjectType), gt(rapidjson::kObjectType);
                date.AddMember("__type", "Date", a);
                date.AddMember("iso", JsonValue(since.c_str(), a), a);
                gt.AddMember("$gt", date, a);
                where.AddMember("updatedAt", gt, a);
            }
            path += "&where=" + url_encode(to_json(where));
        }
        HttpResponse r = request("GET", path);
        if (!r.ok()) throw http_failure("reading existing objects", "GET", url(path), r);
        JsonDoc page;
        page.SetArray();
        size_t n = take_results(r.body, page, "GET " + describe_url(url(path)));
        if (n == 0) break;
        const JsonValue *id = find_member(page[rapidjson::SizeType(n - 1)], "objectId");
        if (id == nullptr || !id->IsString())
            throw SyncError("Parse Server answered an object without objectId");
        last = id->GetString();
        so_far += n;
        log_.debug("read " + std::to_string(n) + " objects (" + std::to_string(so_far) +
                   " so far)");
        on_page(page);
        if (n < page_size) break;
    }
}

std::vector<size_t> chunk_ends(const std::vector<size_t> &sizes, size_t max_items,
                               size_t max_bytes) {
    std::vector<size_t> ends;
    size_t items = 0, bytes = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
        if (items > 0 && (items >= max_items || bytes + sizes[i] > max_bytes)) {
            ends.push_back(i);
            items = bytes = 0;
        }
        ++items;
        bytes += sizes[i] + 1;  // and its comma
    }
    if (items > 0) ends.push_back(sizes.size());
    return ends;
}

void ParseClient::find_by_keys(const std::string &key, const std::vector<const JsonValue *> &values,
                               JsonDoc &out, const std::vector<std::string> &fields) {
    out.SetArray();
    // A POST with "_method":"GET" is a query whose where clause is in the
    // body: long keys never make a URL over what Node (16 KiB of headers)
    // or a proxy (often 8 KiB) accepts.
    std::vector<std::string> texts;
    std::vector<size_t> sizes;
    texts.reserve(values.size());
    for (const JsonValue *v : values) {
        texts.push_back(to_json(*v));
        sizes.push_back(texts.back().size());
    }
    std::string keys = "objectId,updatedAt,createdAt";
    for (const auto &f : fields.empty() ? std::vector<std::string>{key} : fields) keys += "," + f;
    const std::string path = "/classes/" + s_.class_name;
    size_t from = 0;
    for (size_t end : chunk_ends(sizes, kLookupKeys, kLookupBytes)) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        w.StartObject();
        w.Key("_method");
        w.String("GET");
        w.Key("limit");
        w.Int64(int64_t(end - from) * 4);  // a key may be held by several objects
        w.Key("keys");
        w.String(keys.c_str(), rapidjson::SizeType(keys.size()));
        w.Key("where");
        w.StartObject();
        w.Key(key.c_str(), rapidjson::SizeType(key.size()));
        w.StartObject();
        w.Key("$in");
        w.StartArray();
        for (size_t i = from; i < end; ++i)
            w.RawValue(texts[i].data(), texts[i].size(), rapidjson::kStringType);
        w.EndArray();
        w.EndObject();
        w.EndObject();
        w.EndObject();
        from = end;
        HttpResponse r = request("POST", path, std::string(buf.GetString(), buf.GetSize()));
        if (!r.ok()) throw http_failure("looking up objects by key", "POST", url(path), r);
        take_results(r.body, out, "POST " + describe_url(url(path)) + " (look-up by key)");
    }
}

}  // namespace impayes
