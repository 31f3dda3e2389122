#include "parse/batch_writer.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unordered_map>

namespace impayes {

std::string batch_item_json(const Op &op, const SourceData &src, const std::string &mount,
                            const std::string &class_name) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("method");
    w.String(op.kind == Op::Insert ? "POST" : op.kind == Op::Update ? "PUT" : "DELETE");
    w.Key("path");
    std::string path = mount + "/classes/" + class_name;
    if (op.kind != Op::Insert) path += "/" + op.object_id;
    w.String(path.c_str(), rapidjson::SizeType(path.size()));
    if (op.kind == Op::Delete) {
        w.EndObject();
        return std::string(buf.GetString(), buf.GetSize());
    }
    const JsonValue &row = src.rows[rapidjson::SizeType(op.row)];
    w.Key("body");
    if (op.kind == Op::Insert) {
        row.Accept(w);
    } else {
        w.StartObject();
        for (const auto &f : op.changed) {
            w.Key(f.c_str(), rapidjson::SizeType(f.size()));
            row[f.c_str()].Accept(w);
        }
        for (const auto &f : op.removed) {
            w.Key(f.c_str(), rapidjson::SizeType(f.size()));
            w.StartObject();
            w.Key("__op");
            w.String("Delete");
            w.EndObject();
        }
        w.EndObject();
    }
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

static ItemOutcome outcome(ItemOutcome::State st, long status, std::string code,
                           std::string error) {
    ItemOutcome o;
    o.state = st;
    o.http_status = status;
    o.code = std::move(code);
    o.error = std::move(error);
    return o;
}

static const size_t kEnvelope = 32;  // {"requests":[ ... ]}

bool BatchWriter::next_batch(const std::vector<size_t> &todo, size_t &pos, const SourceData &src,
                             Batch &b, std::vector<ItemOutcome> &out) {
    const size_t max_items = size_t(s_.batch_size > 0 ? s_.batch_size : 1);
    const size_t max_bytes = size_t(s_.max_request_bytes);
    b = Batch();
    while (pos < todo.size()) {
        const size_t i = todo[pos];
        if (!b.ops.empty() && b.ops.size() >= max_items) break;
        std::string item = batch_item_json(ops_[i], src, parse_.mount(), s_.class_name);
        if (item.size() + kEnvelope > max_bytes) {
            out[i] = outcome(ItemOutcome::TooLarge, 0, "",
                             "object is " + std::to_string(item.size()) +
                                 " bytes, over impayes_sync.max_request_bytes (" +
                                 std::to_string(s_.max_request_bytes) + ")");
            ++pos;
            continue;
        }
        if (!b.ops.empty() && b.body.size() + item.size() + kEnvelope > max_bytes)
            break;  // next batch
        b.body += b.ops.empty() ? "{\"requests\":[" : ",";
        b.body += item;
        b.ops.push_back(i);
        ++pos;
    }
    if (b.ops.empty()) return false;
    b.body += "]}";
    return true;
}

void BatchWriter::send_round(const std::vector<size_t> &todo, const SourceData &src,
                             std::vector<ItemOutcome> &out, Round &round) {
    std::vector<Batch> batches;  // their ops; bodies are moved into the requests
    size_t pos = 0;
    const long first = batches_sent_;
    const std::string url = parse_.url("/batch");
    http_.run(
        [&](HttpRequest &req) {
            Batch b;
            if (!next_batch(todo, pos, src, b, out)) return false;
            req.method = "POST";
            req.url = url;
            req.body = std::move(b.body);
            batches.push_back(std::move(b));
            ++batches_sent_;
            return true;
        },
        [&](size_t idx, HttpResponse &&r) {
            const Batch &b = batches[idx];
            const Tally before = tally(out, b.ops);
            take_answer(b, std::move(r), first + long(idx) + 1, out, round);
            count(before, tally(out, b.ops));
        },
        s_.parallel_requests);
}

BatchWriter::Tally BatchWriter::tally(const std::vector<ItemOutcome> &out,
                                      const std::vector<size_t> &ops) {
    Tally t;
    for (size_t i : ops) {
        const ItemOutcome &o = out[i];
        if (o.state == ItemOutcome::Done)
            ++t.written;
        else if (o.state == ItemOutcome::Failed || o.state == ItemOutcome::Unknown ||
                 (o.state == ItemOutcome::TooLarge && o.http_status != 0))
            ++t.failed;  // an object over max_request_bytes is a rejected row
    }
    return t;
}

void BatchWriter::count(const Tally &before, const Tally &after) {
    counted_.written += after.written - before.written;
    counted_.failed += after.failed - before.failed;
    if (progress_) progress_(counted_.written, counted_.failed);
}

void BatchWriter::take_answer(const Batch &b, HttpResponse &&r, long number,
                              std::vector<ItemOutcome> &out, Round &round) {
    log_.debug("batch " + std::to_string(number) + ": " + std::to_string(b.ops.size()) +
               " objects, " + (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error));
    JsonDoc doc;
    if (r.ok() && parse_json(doc, r.body.data(), r.body.size()).empty() && doc.IsArray() &&
        doc.Size() == b.ops.size()) {
        for (rapidjson::SizeType i = 0; i < doc.Size(); ++i) {
            ItemOutcome &o = out[b.ops[i]];
            const JsonValue *err = find_member(doc[i], "error");
            if (err == nullptr) {
                o = outcome(ItemOutcome::Done, r.status, "", "");
                const JsonValue *ok = find_member(doc[i], "success");
                const JsonValue *id = ok ? find_member(*ok, "objectId") : nullptr;
                const JsonValue *at = ok ? find_member(*ok, "updatedAt") : nullptr;
                if (at == nullptr && ok) at = find_member(*ok, "createdAt");
                if (id && id->IsString()) o.object_id = id->GetString();
                if (at && at->IsString()) o.stamp = at->GetString();
                continue;
            }
            HttpResponse item;
            item.status = 400;
            item.body = to_json(*err);
            ParseErrorBody e = parse_error_body(item.body);
            if (e.code == "101" && ops_[b.ops[i]].kind == Op::Delete) {
                o = outcome(ItemOutcome::Done, r.status, "", "");  // already gone
                continue;
            }
            o = outcome(ItemOutcome::Failed, r.status, e.code, e.message);
            if (is_transient(item)) round.resend.push_back(b.ops[i]);
        }
        return;
    }
    // The whole request failed (or answered something unexpected).
    ParseErrorBody e = parse_error_body(r.body);
    std::string msg = !r.error.empty() ? r.error
                                       : "HTTP " + std::to_string(r.status) +
                                             (e.message.empty() ? "" : ": " + e.message);
    if (r.status == 413)
        msg +=
            " (Parse Server's maxUploadSize is smaller than the request: lower "
            "impayes_sync.max_request_bytes or impayes_sync.batch_size)";
    const BatchFailure how = classify_batch_failure(r);
    for (size_t op : b.ops) {
        out[op] = outcome(r.status == 413 ? ItemOutcome::TooLarge : ItemOutcome::Failed, r.status,
                          e.code, "POST /batch: " + msg);
        if (how == BatchFailure::Final) continue;
        // Updates and deletes are idempotent: sent again whatever
        // happened to the first request.
        if (how == BatchFailure::Resend || ops_[op].kind != Op::Insert) {
            round.resend.push_back(op);
            continue;
        }
        round.look_up.push_back(op);
        if (how == BatchFailure::MayStillArrive) round.may_arrive[op] = true;
    }
}

BatchFailure classify_batch_failure(const HttpResponse &r) {
    if (r.ok() || !is_transient(r)) return BatchFailure::Final;
    // A gateway timeout: the proxy gave up waiting, Parse may still apply it.
    if (r.status == 504) return BatchFailure::MayStillArrive;
    if (!r.error.empty()) return r.sent ? BatchFailure::MayStillArrive : BatchFailure::Resend;
    return r.status >= 500 ? BatchFailure::LookUpThenResend : BatchFailure::Resend;
}

void BatchWriter::settle_inserts(const std::vector<Op> &ops, const SourceData &src, Round &round,
                                 std::vector<ItemOutcome> &out) {
    auto key_of = [&](size_t i) -> const JsonValue & {
        return src.rows[rapidjson::SizeType(ops[i].row)][s_.key_column.c_str()];
    };
    std::vector<const JsonValue *> keys;
    for (size_t i : round.look_up) keys.push_back(&key_of(i));
    const Tally before = tally(out, round.look_up);
    std::unordered_map<std::string, std::string> present;  // key -> objectId
    std::string lookup_error;
    try {
        JsonDoc found;
        parse_.find_by_keys(s_.key_column, keys, found);
        for (const auto &obj : found.GetArray()) {
            const JsonValue *k = find_member(obj, s_.key_column.c_str());
            const JsonValue *id = find_member(obj, "objectId");
            if (k && id && id->IsString()) present[key_string(*k)] = id->GetString();
        }
    } catch (const SyncError &e) {
        // Without the answer, sending again could create them twice.
        lookup_error = e.what();
    }
    long applied = 0, unknown = 0;
    for (size_t i : round.look_up) {
        ItemOutcome &o = out[i];
        if (lookup_error.empty()) {
            auto p = present.find(key_string(key_of(i)));
            if (p != present.end()) {
                o = outcome(ItemOutcome::Done, 0, "", "");  // applied before the failure
                o.object_id = p->second;
                ++applied;
                continue;
            }
            if (!round.may_arrive[i]) {
                round.resend.push_back(i);
                continue;
            }
        }
        if (round.may_arrive[i]) {
            o.state = ItemOutcome::Unknown;
            o.error +=
                lookup_error.empty()
                    ? "; not found by key afterwards, but the request may still reach Parse: "
                      "not sent again (outcome unknown; the next run checks)"
                    : "; outcome unknown (not sent again; the next run checks): looking it "
                      "up failed: " +
                          lookup_error;
            ++unknown;
        } else {
            o.error += "; not sent again: could not check whether it was applied: " + lookup_error;
        }
    }
    count(before, tally(out, round.look_up));
    if (applied)
        log_.info(std::to_string(applied) +
                  " inserts were applied by Parse before their request failed; not sent again");
    if (unknown)
        log_.info(std::to_string(unknown) +
                  " inserts have an unknown outcome: their request got no answer and may still "
                  "reach Parse, so they are not sent again in this run");
}

std::vector<ItemOutcome> BatchWriter::push(const std::vector<Op> &ops, const SourceData &src) {
    ops_ = ops.data();
    counted_ = Tally();
    std::vector<ItemOutcome> out(ops.size());
    std::vector<size_t> todo(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) todo[i] = i;
    for (int attempt = 0; !todo.empty(); ++attempt) {
        Round round;
        round.may_arrive.assign(ops.size(), false);
        send_round(todo, src, out, round);
        if (round.resend.empty() && round.look_up.empty()) break;
        const bool retries_left = attempt < s_.max_retries;
        if (retries_left) {
            log_.info("retrying " + std::to_string(round.resend.size() + round.look_up.size()) +
                      " objects after a transient failure (attempt " + std::to_string(attempt + 1) +
                      " of " + std::to_string(s_.max_retries) + ")");
            http_.pause(parse_.backoff_ms(attempt));
        }
        // Even without a retry left: an insert found is Done, and one whose
        // request may still arrive is Unknown rather than Failed.
        if (!round.look_up.empty()) settle_inserts(ops, src, round, out);
        if (!retries_left) break;
        todo.swap(round.resend);
    }
    return out;
}

}  // namespace impayes
