#include "core/diff.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace impayes {

bool field_equal(const JsonValue *source, const JsonValue *parse) {
    const bool s_null = source == nullptr || source->IsNull();
    const bool p_null = parse == nullptr || parse->IsNull();
    if (s_null || p_null) return s_null == p_null;
    return json_equal(*source, *parse);
}

namespace {

long row_number(const SourceData &src, size_t i) {
    return i < src.row_numbers.size() ? src.row_numbers[i] : long(i) + 1;
}

std::string object_id(const JsonValue &obj) {
    const JsonValue *id = find_member(obj, "objectId");
    return id && id->IsString() ? id->GetString() : "";
}

// Keys still "in the source": every non-NULL key, duplicated or rejected
// ones included, so that their Parse objects are never deleted.
std::unordered_set<std::string> present_keys(const SourceData &src, const std::string &key_column) {
    std::unordered_set<std::string> keys;
    keys.reserve(src.rows.Size() + src.rejected.size());
    for (const auto &row : src.rows.GetArray())
        if (const JsonValue *k = find_member(row, key_column.c_str()); k && !k->IsNull())
            keys.insert(key_string(*k));
    for (const auto &r : src.rejected)
        if (!r.key.empty()) keys.insert(r.key);
    return keys;
}

void sort_deletes(DiffResult &out, size_t first) {
    // Key order: reports and previews do not depend on hashing.
    std::sort(out.ops.begin() + long(first), out.ops.end(),
              [](const Op &a, const Op &b) { return a.key < b.key; });
}

}  // namespace

std::vector<std::string> source_keys(const SourceData &src, const std::string &key_column,
                                     std::vector<RowProblem> &rejected) {
    // A key held by several source rows is ambiguous: all those rows are
    // rejected and the Parse object, if any, is left as it is.
    std::unordered_map<std::string, std::vector<long>> rows_of_key;
    rows_of_key.reserve(src.rows.Size());
    std::vector<std::string> keys(src.rows.Size());
    std::vector<bool> has_key(src.rows.Size(), false);
    for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
        const JsonValue *k = find_member(src.rows[i], key_column.c_str());
        if (k == nullptr || k->IsNull()) continue;
        keys[i] = key_string(*k);
        has_key[i] = true;
        rows_of_key[keys[i]].push_back(row_number(src, i));
    }
    for (size_t i = 0; i < keys.size(); ++i) {
        const long rownum = row_number(src, i);
        if (!has_key[i]) {
            rejected.push_back({rownum, "", key_column, "key column \"" + key_column + "\" is NULL"});
            keys[i] = kRejectedKey;
            continue;
        }
        const std::vector<long> &same = rows_of_key[keys[i]];
        if (same.size() > 1) {
            std::string others;
            for (long r : same)
                if (r != rownum) others += (others.empty() ? "" : ", ") + std::to_string(r);
            rejected.push_back({rownum, keys[i], key_column,
                                "duplicate key \"" + keys[i] + "\" (also in row " + others + ")"});
            keys[i] = kRejectedKey;
        }
    }
    return keys;
}

const char *const kRejectedKey = "\x01rejected";

DiffResult diff_rows(const SourceData &src, const std::string &key_column,
                     const JsonValue &existing, bool delete_missing) {
    DiffResult out;
    // Index Parse objects by key; the first (smallest objectId, as read in
    // keyset order) wins, the others are reported.
    std::unordered_map<std::string, const JsonValue *> by_key;
    std::vector<const JsonValue *> extras;
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
    std::vector<std::string> keys = source_keys(src, key_column, out.rejected);
    for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
        if (keys[i] == kRejectedKey) continue;
        auto found = by_key.find(keys[i]);
        if (found == by_key.end()) {
            out.ops.push_back({Op::Insert, i, {}, {}, {}, {}});
            continue;
        }
        const JsonValue &obj = *found->second;
        Op op{Op::Update, i, object_id(obj), {}, {}, {}};
        for (const auto &col : src.columns) {
            const JsonValue *s = find_member(src.rows[i], col.name.c_str());
            const JsonValue *p = find_member(obj, col.name.c_str());
            if (field_equal(s, p)) continue;
            (s == nullptr || s->IsNull() ? op.removed : op.changed).push_back(col.name);
        }
        if (op.changed.empty() && op.removed.empty())
            ++out.skipped;
        else
            out.ops.push_back(std::move(op));
    }
    if (!delete_missing) return out;
    const size_t first = out.ops.size();
    std::unordered_set<std::string> present = present_keys(src, key_column);
    for (const auto &entry : by_key)
        if (!present.count(entry.first))
            out.ops.push_back({Op::Delete, 0, object_id(*entry.second), {}, {}, entry.first});
    for (const JsonValue *obj : extras)
        out.ops.push_back({Op::Delete, 0, object_id(*obj), {}, {},
                           key_string(*find_member(*obj, key_column.c_str()))});
    sort_deletes(out, first);
    return out;
}

DiffResult diff_ledger(const SourceData &src, const std::string &key_column,
                       const LedgerState &ledger, const std::vector<std::string> &row_hashes,
                       bool delete_missing) {
    DiffResult out;
    std::vector<std::string> keys = source_keys(src, key_column, out.rejected);
    for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
        if (keys[i] == kRejectedKey) continue;
        auto found = ledger.entries.find(keys[i]);
        if (found == ledger.entries.end()) {
            out.ops.push_back({Op::Insert, i, {}, {}, {}, {}});
            continue;
        }
        if (found->second.hash == row_hashes[i]) {
            ++out.skipped;
            continue;
        }
        // Parse's content is only known by its hash: send every field.
        Op op{Op::Update, i, found->second.object_id, {}, {}, {}};
        for (const auto &col : src.columns) {
            const JsonValue *s = find_member(src.rows[i], col.name.c_str());
            (s == nullptr || s->IsNull() ? op.removed : op.changed).push_back(col.name);
        }
        out.ops.push_back(std::move(op));
    }
    if (!delete_missing) return out;
    const size_t first = out.ops.size();
    std::unordered_set<std::string> present = present_keys(src, key_column);
    for (const auto &entry : ledger.entries)
        if (!present.count(entry.first))
            out.ops.push_back({Op::Delete, 0, entry.second.object_id, {}, {}, entry.first});
    sort_deletes(out, first);
    return out;
}

}  // namespace impayes
