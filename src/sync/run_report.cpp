#include "sync/run_report.hpp"

namespace impayes {

namespace {

const size_t kPreviewItems = 10;

void add_string(JsonValue &obj, const char *k, const std::string &v, JsonAlloc &a) {
    obj.AddMember(JsonValue(k, a), JsonValue(v.c_str(), rapidjson::SizeType(v.size()), a), a);
}

}  // namespace

std::string key_text(const SourceData &src, const Op &op, const std::string &key_column) {
    if (op.kind == Op::Delete) return op.key;
    const JsonValue *k = find_member(src.rows[rapidjson::SizeType(op.row)], key_column.c_str());
    return k ? key_string(*k) : "";
}

void list_rejected(const std::vector<RowProblem> &rows, JsonDoc &details) {
    auto &a = details.GetAllocator();
    JsonValue list(rapidjson::kArrayType);
    for (size_t i = 0; i < rows.size() && i < kListedProblems; ++i) {
        JsonValue r(rapidjson::kObjectType);
        r.AddMember("row", int64_t(rows[i].row), a);
        if (!rows[i].key.empty()) add_string(r, "key", rows[i].key, a);
        if (!rows[i].column.empty()) add_string(r, "column", rows[i].column, a);
        add_string(r, "error", rows[i].message, a);
        list.PushBack(r, a);
    }
    details.AddMember("rejected_rows", list, a);
}

void fill_preview(const std::vector<Op> &ops, const SourceData &src, const std::string &key_column,
                  JsonDoc &preview) {
    if (!preview.IsObject()) preview.SetObject();
    auto &a = preview.GetAllocator();
    for (const char *kind : {"insert", "update", "delete"})
        if (!preview.HasMember(kind))
            preview.AddMember(rapidjson::StringRef(kind), JsonValue(rapidjson::kArrayType), a);
    JsonValue &ins = preview["insert"], &upd = preview["update"], &del = preview["delete"];
    for (const Op &op : ops) {
        if (op.kind == Op::Insert && ins.Size() < kPreviewItems) {
            std::string k = key_text(src, op, key_column);
            ins.PushBack(JsonValue(k.c_str(), a), a);
        } else if (op.kind == Op::Delete && del.Size() < kPreviewItems) {
            del.PushBack(JsonValue(op.key.c_str(), a), a);
        } else if (op.kind == Op::Update && upd.Size() < kPreviewItems) {
            JsonValue u(rapidjson::kObjectType);
            add_string(u, "key", key_text(src, op, key_column), a);
            JsonValue fields(rapidjson::kArrayType);
            for (const auto &f : op.changed) fields.PushBack(JsonValue(f.c_str(), a), a);
            for (const auto &f : op.removed) fields.PushBack(JsonValue(f.c_str(), a), a);
            u.AddMember("fields", fields, a);
            upd.PushBack(u, a);
        }
    }
}

void count_op(const Op &op, SyncResult &r) {
    (op.kind == Op::Insert ? r.inserted : op.kind == Op::Update ? r.updated : r.deleted)++;
}

void count_outcomes(const std::vector<Op> &ops, const std::vector<ItemOutcome> &outcomes,
                    const SourceData &src, const std::string &key_column, SyncResult &r,
                    std::vector<RowProblem> &too_large) {
    auto &a = r.details.GetAllocator();
    if (!r.details.HasMember("failed_items"))
        r.details.AddMember("failed_items", JsonValue(rapidjson::kArrayType), a);
    JsonValue &failed = r.details["failed_items"];
    for (size_t i = 0; i < ops.size(); ++i) {
        const ItemOutcome &o = outcomes[i];
        if (o.state == ItemOutcome::Done) {
            count_op(ops[i], r);
            continue;
        }
        std::string key = key_text(src, ops[i], key_column);
        if (o.state == ItemOutcome::TooLarge && o.http_status == 0) {
            too_large.push_back({src.row_numbers[ops[i].row], key, "", o.error});
            continue;
        }
        r.failed++;
        if (failed.Size() >= kListedProblems) continue;
        JsonValue f(rapidjson::kObjectType);
        add_string(f, "key", key, a);
        add_string(f, "op",
                   ops[i].kind == Op::Insert   ? "insert"
                   : ops[i].kind == Op::Update ? "update"
                                               : "delete",
                   a);
        if (o.http_status) f.AddMember("http_status", int64_t(o.http_status), a);
        if (!o.code.empty()) add_string(f, "code", o.code, a);
        add_string(f, "error", o.error, a);
        failed.PushBack(f, a);
    }
    if (r.failed == 0) r.details.EraseMember("failed_items");
}

}  // namespace impayes
