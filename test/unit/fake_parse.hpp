// Fakes of the engine's three outsides, for the orchestration tests: a
// Parse Server holding one class in memory (an HttpClient answering the
// requests ParseClient and BatchWriter make), a source of rows and a
// ledger store.
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/json.hpp"
#include "sync/sync_engine.hpp"
#include "test_util.hpp"

namespace impayes_test {

using namespace impayes;

inline std::string url_decode(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out.push_back(char(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(s[i] == '+' ? ' ' : s[i]);
        }
    }
    return out;
}

// One Parse class in memory. Answers GET/POST/PUT /schemas/<class>,
// GET /classes/<class> (keyset pages, count), POST /classes/<class> with
// "_method":"GET" (look-up by key), and POST /batch.
class FakeParse : public HttpClient {
public:
    explicit FakeParse(std::string class_name)
        : HttpClient(HttpOptions(), [] { return false; }), class_(std::move(class_name)) {
        fields_.SetObject();
    }

    // A request whose method and path (without the query) match answers
    // HTTP status with a Parse error that is not transient (code 111).
    struct Fault {
        std::string method, path;
        long status = 500;
        int after = 0;  // requests of that kind answered normally first
        int times = 1000000;
    };
    std::vector<Fault> faults;
    std::vector<std::string> log;  // "METHOD path" of every request
    // Called before each answered /batch, e.g. to check the source's pace.
    std::function<void()> on_batch;

    bool exists() const { return exists_; }
    size_t size() const { return objects_.size(); }
    // The objects by objectId.
    const std::map<std::string, JsonDoc> &objects() const { return objects_; }
    // Another client writes an object (createdAt = updatedAt = now).
    std::string add(const std::string &json) {
        JsonDoc body;
        parse_into(body, json);
        return insert(body);
    }
    // Another client deletes an object.
    void remove(const std::string &id) { objects_.erase(id); }
    void create_class(const std::vector<std::string> &fields) {
        exists_ = true;
        for (const auto &f : fields) set_field(f, "String");
    }

    HttpResponse perform(const HttpRequest &req) override {
        log.push_back(req.method + " " + path_of(req.url));
        HttpResponse r;
        r.sent = true;
        if (fault(req, r)) return r;
        answer(req, r);
        return r;
    }
    void run(const std::function<bool(HttpRequest &)> &next,
             const std::function<void(size_t, HttpResponse &&)> &done, int) override {
        for (size_t i = 0;; ++i) {
            HttpRequest req;
            if (!next(req)) return;
            done(i, perform(req));
        }
    }
    void pause(long) override {}

private:
    static std::string path_of(const std::string &url) {
        const size_t start = url.find("/parse");
        const size_t q = url.find('?');
        return url.substr(start + 6, q == std::string::npos ? std::string::npos : q - start - 6);
    }
    static std::string param(const std::string &url, const std::string &name) {
        const size_t q = url.find('?');
        if (q == std::string::npos) return "";
        std::string rest = url.substr(q + 1);
        for (size_t pos = 0; pos <= rest.size();) {
            size_t amp = rest.find('&', pos);
            if (amp == std::string::npos) amp = rest.size();
            const std::string kv = rest.substr(pos, amp - pos);
            if (kv.compare(0, name.size() + 1, name + "=") == 0)
                return url_decode(kv.substr(name.size() + 1));
            pos = amp + 1;
        }
        return "";
    }
    bool fault(const HttpRequest &req, HttpResponse &r) {
        const std::string path = path_of(req.url);
        for (auto &f : faults) {
            if (f.method != req.method || f.path != path) continue;
            if (f.after > 0) {
                --f.after;
                continue;
            }
            if (f.times <= 0) continue;
            --f.times;
            r.status = f.status;
            r.body = R"({"code":111,"error":"injected fault"})";
            return true;
        }
        return false;
    }
    std::string now() {
        char buf[40];
        ++clock_;
        snprintf(buf, sizeof buf, "2026-01-01T%02ld:%02ld:%02ld.%03ldZ", clock_ / 3600000 % 24,
                 clock_ / 60000 % 60, clock_ / 1000 % 60, clock_ % 1000);
        return buf;
    }
    void set_field(const std::string &name, const char *type) {
        auto &a = fields_.GetAllocator();
        if (fields_.HasMember(name.c_str())) return;
        JsonValue t(rapidjson::kObjectType);
        t.AddMember("type", JsonValue(type, a), a);
        fields_.AddMember(JsonValue(name.c_str(), a), t, a);
    }
    std::string insert(const JsonValue &body) {
        char id[16];
        snprintf(id, sizeof id, "id%08d", ++next_id_);
        JsonDoc &o = objects_[id];
        o.SetObject();
        auto &a = o.GetAllocator();
        const std::string stamp = now();
        o.AddMember("objectId", JsonValue(id, a), a);
        o.AddMember("createdAt", JsonValue(stamp.c_str(), a), a);
        o.AddMember("updatedAt", JsonValue(stamp.c_str(), a), a);
        for (auto m = body.MemberBegin(); m != body.MemberEnd(); ++m)
            o.AddMember(JsonValue(m->name, a), JsonValue(m->value, a), a);
        return id;
    }
    // Whether obj satisfies the subset of where clauses the engine sends.
    static bool matches(const JsonValue &obj, const JsonValue &where) {
        for (auto c = where.MemberBegin(); c != where.MemberEnd(); ++c) {
            const JsonValue *v = find_member(obj, c->name.GetString());
            if (!c->value.IsObject()) {
                if (v == nullptr || !json_equal(*v, c->value)) return false;
                continue;
            }
            for (auto op = c->value.MemberBegin(); op != c->value.MemberEnd(); ++op) {
                const std::string o = op->name.GetString();
                if (o == "$exists") {
                    if ((v != nullptr) != op->value.GetBool()) return false;
                } else if (o == "$gt") {
                    const JsonValue *iso =
                        op->value.IsObject() ? find_member(op->value, "iso") : &op->value;
                    if (v == nullptr || std::string(v->GetString()) <= iso->GetString())
                        return false;
                } else if (o == "$in") {
                    bool any = false;
                    for (const auto &x : op->value.GetArray())
                        any = any || (v && json_equal(*v, x));
                    if (!any) return false;
                }
            }
        }
        return true;
    }
    void results(const JsonValue *where, size_t limit, bool count, HttpResponse &r) {
        JsonDoc out;
        out.SetObject();
        auto &a = out.GetAllocator();
        JsonValue list(rapidjson::kArrayType);
        long n = 0;
        for (const auto &o : objects_) {
            if (where && !matches(o.second, *where)) continue;
            ++n;
            if (list.Size() < limit) list.PushBack(JsonValue(o.second, a), a);
        }
        out.AddMember("results", list, a);
        if (count) out.AddMember("count", int64_t(n), a);
        r.status = 200;
        r.body = to_json(out);
    }
    void error(HttpResponse &r, long status, int code, const std::string &msg) {
        r.status = status;
        r.body = "{\"code\":" + std::to_string(code) + ",\"error\":\"" + msg + "\"}";
    }
    void answer(const HttpRequest &req, HttpResponse &r) {
        const std::string path = path_of(req.url);
        JsonDoc body;
        if (!req.body.empty()) parse_into(body, req.body);
        if (path == "/schemas/" + class_) {
            if (req.method == "GET" && !exists_)
                return error(r, 400, 103, "Class " + class_ + " does not exist.");
            if (req.method == "POST") exists_ = true;
            if (req.method != "GET")
                if (const JsonValue *f = find_member(body, "fields"))
                    for (auto m = f->MemberBegin(); m != f->MemberEnd(); ++m)
                        set_field(m->name.GetString(), m->value["type"].GetString());
            r.status = 200;
            r.body = "{\"className\":\"" + class_ + "\",\"fields\":" + to_json(fields_) + "}";
            return;
        }
        if (path == "/classes/" + class_ && req.method == "GET") {
            JsonDoc where;
            const std::string w = param(req.url, "where");
            if (!w.empty()) parse_into(where, w);
            return results(w.empty() ? nullptr : &where, size_t(std::stol(param(req.url, "limit"))),
                           param(req.url, "count") == "1", r);
        }
        if (path == "/classes/" + class_ && req.method == "POST")
            return results(&body["where"], size_t(body["limit"].GetInt64()), false, r);
        if (path == "/batch") return batch(body, r);
        error(r, 404, 0, "no route in the fake: " + req.method + " " + path);
    }
    void batch(const JsonDoc &body, HttpResponse &r) {
        if (on_batch) on_batch();
        JsonDoc out;
        out.SetArray();
        auto &a = out.GetAllocator();
        const std::string prefix = "/parse/classes/" + class_;
        for (const auto &item : body["requests"].GetArray()) {
            const std::string method = item["method"].GetString();
            const std::string path = item["path"].GetString();
            const std::string id =
                path.size() > prefix.size() ? path.substr(prefix.size() + 1) : "";
            JsonValue res(rapidjson::kObjectType), ok(rapidjson::kObjectType);
            auto found = objects_.find(id);
            if (method != "POST" && found == objects_.end()) {
                JsonValue err(rapidjson::kObjectType);
                err.AddMember("code", 101, a);
                err.AddMember("error", "Object not found.", a);
                res.AddMember("error", err, a);
                out.PushBack(res, a);
                continue;
            }
            if (method == "POST") {
                const std::string nid = insert(item["body"]);
                ok.AddMember("objectId", JsonValue(nid.c_str(), a), a);
                ok.AddMember("createdAt", JsonValue(objects_[nid]["createdAt"], a), a);
            } else if (method == "PUT") {
                JsonDoc &o = found->second;
                auto &oa = o.GetAllocator();
                for (auto m = item["body"].MemberBegin(); m != item["body"].MemberEnd(); ++m) {
                    o.RemoveMember(m->name.GetString());
                    const JsonValue *op = find_member(m->value, "__op");
                    if (op == nullptr)
                        o.AddMember(JsonValue(m->name, oa), JsonValue(m->value, oa), oa);
                }
                const std::string stamp = now();
                o["updatedAt"].SetString(stamp.c_str(), oa);
                ok.AddMember("updatedAt", JsonValue(stamp.c_str(), a), a);
            } else {
                objects_.erase(found);
            }
            res.AddMember("success", ok, a);
            out.PushBack(res, a);
        }
        r.status = 200;
        r.body = to_json(out);
    }

    std::string class_;
    bool exists_ = false;
    JsonDoc fields_;
    std::map<std::string, JsonDoc> objects_;
    int next_id_ = 0;
    long clock_ = 0;
};

// Rows given as JSON objects of strings and numbers (all columns String
// or Number); the hash of a row is of its JSON text.
class FakeSource : public SourceReader {
public:
    std::vector<std::string> columns;  // first: the key
    std::vector<std::string> rows;     // JSON objects; a missing member is NULL
    std::string fail;                  // non-empty: read() throws this SyncError
    int reads = 0;

    static uint64_t hash_of(const std::string &row) { return std::hash<std::string>()(row) | 1; }

    std::string fail_after;  // non-empty: after the first chunk, read() throws this SyncError
    std::vector<long> chunk_totals;  // chunk.total of each chunk handed over

    // s.fetch_size rows per chunk, each handed to on_chunk before the next
    // is made, as the real reader does.
    void read(const Settings &s, const LedgerEntries *known, const JsonValue &,
              const ChunkSink &on_chunk) override {
        ++reads;
        if (!fail.empty()) throw SyncError(fail).with("phase", "running the source query");
        const size_t per = size_t(std::max(1, s.fetch_size));
        long total = 0;
        size_t next = 0;
        do {
            SourceData out;
            for (const auto &c : columns) {
                const bool number = c.compare(0, 2, "n_") == 0;
                out.columns.push_back({c, number ? "integer" : "text",
                                       number ? ParseType::Number : ParseType::String});
            }
            auto &a = out.rows.GetAllocator();
            for (size_t taken = 0; next < rows.size() && taken < per; ++next, ++taken) {
                const std::string &text = rows[next];
                const long rownum = ++total;
                JsonDoc row(&a);
                parse_into(row, text);
                const uint64_t h = hash_of(text);
                const JsonValue *k = find_member(row, s.key_column.c_str());
                const LedgerEntry *e = known && k ? known->find(key_string(*k)) : nullptr;
                if (e != nullptr && e->hash == h) {
                    out.unchanged.push_back({key_string(*k), rownum});
                } else {
                    out.rows.PushBack(JsonValue(row, a), a);
                    out.row_numbers.push_back(rownum);
                    out.row_hashes.push_back(h);
                }
            }
            out.total = total;
            chunk_totals.push_back(total);
            on_chunk(out);
            if (!fail_after.empty())
                throw SyncError(fail_after).with("phase", "running the source query");
        } while (next < rows.size());
    }
};

// The ledger in memory, saved as PgLedgerStore's worker applies a delta.
class FakeLedger : public LedgerStore {
public:
    LedgerState state;
    bool fail_load = false, fail_save = false;
    int saves = 0;

    void load(const std::string &, LedgerState &out) override {
        if (fail_load) throw SyncError("ledger load failed (fake)");
        out = state;
    }
    void save(const std::string &, LedgerDelta &&d) override {
        if (fail_save) throw SyncError("ledger save failed (fake)");
        ++saves;
        if (d.replace_all) state.entries.clear();
        d.for_each(
            [&](std::string_view k, std::string_view id, uint64_t h) {
                state.entries[k] = LedgerEntry{ObjectId(id), h};
            },
            [&](std::string_view k) { state.entries.erase(k); });
        state.found = true;
        state.signature = d.signature;
        state.watermark = d.watermark;
        state.object_count = d.object_count;
        state.key_count = d.key_count;
    }
};

// Records every progress update.
class RecordingProgress : public ProgressSink {
public:
    std::vector<RunProgress> updates;
    void update(const RunProgress &p) noexcept override { updates.push_back(p); }
    bool saw(RunPhase phase) const {
        for (const auto &u : updates)
            if (u.phase == phase) return true;
        return false;
    }
};

}  // namespace impayes_test
