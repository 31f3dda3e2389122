#include "core/diff.hpp"

#include <algorithm>
#include <unordered_map>

namespace impayes {

bool field_equal(const JsonValue *source, const JsonValue *parse) {
    const bool s_null = source == nullptr || source->IsNull();
    const bool p_null = parse == nullptr || parse->IsNull();
    if (s_null || p_null) return s_null == p_null;
    return json_equal(*source, *parse);
}

static long row_number(const SourceData &src, size_t i) {
    return i < src.row_numbers.size() ? src.row_numbers[i] : long(i) + 1;
}

static std::string object_id(const JsonValue &obj) {
    const JsonValue *id = find_member(obj, "objectId");
    return id && id->IsString() ? id->GetString() : "";
}

static void add_deletes(const SourceData &src, const std::string &key_column,
                        const std::unordered_map<std::string, const JsonValue *> &by_key,
                        const std::vector<const JsonValue *> &extras,
                        const std::unordered_map<std::string, std::vector<long>> &rows_of_key,
                        DiffResult &out) {
    const auto first = out.ops.size();
    std::unordered_map<std::string, bool> rejected_keys;
    for (const auto &r : src.rejected)
        if (!r.key.empty()) rejected_keys[r.key] = true;
    for (const auto &entry : by_key) {
        if (rows_of_key.count(entry.first) || rejected_keys.count(entry.first)) continue;
        out.ops.push_back({Op::Delete, 0, object_id(*entry.second), {}, {}, entry.first});
    }
    for (const JsonValue *obj : extras)
        out.ops.push_back({Op::Delete, 0, object_id(*obj), {}, {},
                           key_string(*find_member(*obj, key_column.c_str()))});
    // Deletes in key order: reports and previews do not depend on hashing.
    std::sort(out.ops.begin() + first, out.ops.end(),
              [](const Op &a, const Op &b) { return a.key < b.key; });
}

DiffResult diff_rows(const SourceData &src, const std::string &key_column,
                     const JsonValue &existing, bool delete_missing) {
    DiffResult out;

    // Index Parse objects by key; the first (smallest objectId, as read in
    // keyset order) wins, the others are reported.
    std::unordered_map<std::string, const JsonValue *> by_key;
    std::vector<const JsonValue *> extras;  // second and later objects of a key
    by_key.reserve(existing.Size());
    for (const auto &obj : existing.GetArray()) {
        const JsonValue *k = find_member(obj, key_column.c_str());
        if (k == nullptr || k->IsNull()) continue;
        auto ins = by_key.emplace(key_string(*k), &obj);
        if (!ins.second) {
            out.duplicated.push_back(ins.first->first);
            extras.push_back(&obj);
        }
    }

    // A key held by several source rows is ambiguous: all those rows are
    // rejected and the Parse object, if any, is left as it is.
    std::unordered_map<std::string, std::vector<long>> rows_of_key;
    rows_of_key.reserve(src.rows.Size());
    for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
        const JsonValue *k = find_member(src.rows[i], key_column.c_str());
        if (k != nullptr && !k->IsNull()) rows_of_key[key_string(*k)].push_back(row_number(src, i));
    }

    for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
        const JsonValue &row = src.rows[i];
        const long rownum = row_number(src, i);
        const JsonValue *k = find_member(row, key_column.c_str());
        if (k == nullptr || k->IsNull()) {
            out.rejected.push_back({rownum, "", key_column, "key column \"" + key_column + "\" is NULL"});
            continue;
        }
        std::string key = key_string(*k);
        const std::vector<long> &same = rows_of_key[key];
        if (same.size() > 1) {
            std::string others;
            for (long r : same)
                if (r != rownum) others += (others.empty() ? "" : ", ") + std::to_string(r);
            out.rejected.push_back({rownum, key, key_column,
                                    "duplicate key \"" + key + "\" (also in row " + others + ")"});
            continue;
        }
        auto found = by_key.find(key);
        if (found == by_key.end()) {
            out.ops.push_back({Op::Insert, i, {}, {}, {}, {}});
            continue;
        }
        const JsonValue &obj = *found->second;
        Op op{Op::Update, i, {}, {}, {}, {}};
        for (const auto &col : src.columns) {
            const JsonValue *s = find_member(row, col.name.c_str());
            const JsonValue *p = find_member(obj, col.name.c_str());
            if (field_equal(s, p)) continue;
            if (s == nullptr || s->IsNull())
                op.removed.push_back(col.name);
            else
                op.changed.push_back(col.name);
        }
        if (op.changed.empty() && op.removed.empty()) {
            ++out.skipped;
            continue;
        }
        op.object_id = object_id(obj);
        out.ops.push_back(std::move(op));
    }
    if (delete_missing) add_deletes(src, key_column, by_key, extras, rows_of_key, out);
    return out;
}

}  // namespace impayes
