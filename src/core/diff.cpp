#include "core/diff.hpp"

#include <algorithm>
#include <string_view>
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
    for (const auto &u : src.unchanged) keys.insert(u.key);
    for (const auto &r : src.rejected)
        if (!r.key.empty()) keys.insert(r.key);
    return keys;
}

// source_keys() for a diff: its rejected rows go to out.rejected, and the
// rows left unconverted as unchanged that are not rejected are skips.
std::vector<std::string> diff_keys(const SourceData &src, const std::string &key_column,
                                   DiffResult &out) {
    long unchanged_rejected = 0;
    std::vector<std::string> keys = source_keys(src, key_column, out.rejected, &unchanged_rejected);
    out.skipped = long(src.unchanged.size()) - unchanged_rejected;
    return keys;
}

// The update that makes obj equal to source row i (no field when equal).
Op update_of(const SourceData &src, size_t i, const JsonValue &obj) {
    Op op{Op::Update, i, object_id(obj), {}, {}, {}, {}};
    const JsonValue &src_row = src.rows[rapidjson::SizeType(i)];
    for (const auto &col : src.columns) {
        const JsonValue *sv = find_member(src_row, col.name.c_str());
        const JsonValue *pv = find_member(obj, col.name.c_str());
        if (field_equal(sv, pv)) continue;
        (sv == nullptr || sv->IsNull() ? op.removed : op.changed).push_back(col.name);
    }
    return op;
}

void sort_deletes(DiffResult &out, size_t first) {
    // Key order: reports and previews do not depend on hashing.
    std::stable_sort(out.ops.begin() + long(first), out.ops.end(),
                     [](const Op &a, const Op &b) { return a.key < b.key; });
}

}  // namespace

std::vector<std::string> source_keys(const SourceData &src, const std::string &key_column,
                                     std::vector<RowProblem> &rejected, long *unchanged_rejected) {
    // A key held by several source rows is ambiguous: all those rows are
    // rejected and the Parse object, if any, is left as it is. Rows left
    // unconverted as unchanged count too (indexes after the converted ones).
    const size_t n_rows = src.rows.Size(), n_all = n_rows + src.unchanged.size();
    std::vector<std::string> keys(n_rows);
    std::vector<bool> has_key(n_rows, false);
    for (rapidjson::SizeType i = 0; i < n_rows; ++i) {
        const JsonValue *k = find_member(src.rows[i], key_column.c_str());
        if (k == nullptr || k->IsNull()) continue;
        keys[i] = key_string(*k);
        has_key[i] = true;
    }
    auto key_at = [&](size_t i) -> const std::string & {
        return i < n_rows ? keys[i] : src.unchanged[i - n_rows].key;
    };
    auto row_at = [&](size_t i) {
        return i < n_rows ? row_number(src, i) : src.unchanged[i - n_rows].row;
    };
    auto keyed = [&](size_t i) { return i >= n_rows || has_key[i]; };
    // First row of each key; the rows of the (rare) duplicated keys.
    std::unordered_map<std::string_view, size_t> first_row;
    first_row.reserve(n_all);
    std::unordered_map<std::string_view, std::vector<long>> dup_rows;
    for (size_t i = 0; i < n_all; ++i) {
        if (!keyed(i)) continue;
        auto ins = first_row.emplace(key_at(i), i);
        if (ins.second) continue;
        auto &rows = dup_rows[key_at(i)];
        if (rows.empty()) rows.push_back(row_at(ins.first->second));
        rows.push_back(row_at(i));
    }
    const size_t first_problem = rejected.size();
    std::vector<bool> duplicated(n_all, false);
    long dropped_unchanged = 0;
    for (size_t i = 0; i < n_all; ++i) {
        const long rownum = row_at(i);
        if (!keyed(i)) {
            rejected.push_back(
                {rownum, "", key_column, "key column \"" + key_column + "\" is NULL"});
            continue;
        }
        if (dup_rows.empty() || !dup_rows.count(key_at(i))) continue;
        duplicated[i] = true;
        if (i >= n_rows) ++dropped_unchanged;
        std::string others;
        for (long r : dup_rows.at(key_at(i)))
            if (r != rownum) others += (others.empty() ? "" : ", ") + std::to_string(r);
        rejected.push_back({rownum, key_at(i), key_column,
                            "duplicate key \"" + key_at(i) + "\" (also in row " + others + ")"});
    }
    std::stable_sort(rejected.begin() + long(first_problem), rejected.end(),
                     [](const RowProblem &x, const RowProblem &y) { return x.row < y.row; });
    // Only now: dup_rows' keys point into keys.
    for (size_t i = 0; i < n_rows; ++i)
        if (!has_key[i] || duplicated[i]) keys[i] = kRejectedKey;
    if (unchanged_rejected != nullptr) *unchanged_rejected = dropped_unchanged;
    return keys;
}

const char *const kRejectedKey = "\x01rejected";

RowsDiff::RowsDiff(const SourceData &src, const std::string &key_column, bool delete_missing)
    : src_(src), key_column_(key_column), delete_missing_(delete_missing) {
    keys_ = diff_keys(src, key_column, out_);
    row_of_key_.reserve(keys_.size());
    for (size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] != kRejectedKey) row_of_key_.emplace(keys_[i], i);
    matched_.assign(keys_.size(), false);
    if (delete_missing) present_ = present_keys(src, key_column);
}

void RowsDiff::add(const JsonValue &objects) {
    for (const auto &obj : objects.GetArray()) {
        const JsonValue *k = find_member(obj, key_column_.c_str());
        if (k == nullptr || k->IsNull()) continue;
        std::string key = key_string(*k);
        // The first object of a key (smallest objectId, as read in keyset
        // order) is the one synced for now; settle_duplicates() decides.
        if (!seen_.insert(key).second) {
            out_.duplicated.push_back(key);
            out_.duplicated_values.push_back(to_json(*k));
            continue;
        }
        auto row = row_of_key_.find(key);
        if (row == row_of_key_.end()) {
            if (delete_missing_ && !present_.count(key))
                deletes_.push_back({Op::Delete, 0, object_id(obj), {}, {}, key, {}});
            continue;
        }
        const size_t i = row->second;
        matched_[i] = true;
        Op op = update_of(src_, i, obj);
        if (op.changed.empty() && op.removed.empty()) {
            ++out_.skipped;
            out_.equal.push_back({i, op.object_id});
        } else {
            out_.ops.push_back(std::move(op));
        }
    }
}

DiffResult RowsDiff::finish() {
    for (size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] != kRejectedKey && !matched_[i])
            out_.ops.push_back({Op::Insert, i, {}, {}, {}, {}, {}});
    // Row order, then deletes in key order: results and previews do not
    // depend on the order Parse answered in.
    std::stable_sort(out_.ops.begin(), out_.ops.end(),
                     [](const Op &a, const Op &b) { return a.row < b.row; });
    std::stable_sort(out_.equal.begin(), out_.equal.end());
    const size_t first = out_.ops.size();
    for (auto &d : deletes_) out_.ops.push_back(std::move(d));
    deletes_.clear();
    sort_deletes(out_, first);
    return std::move(out_);
}

DiffResult diff_rows(const SourceData &src, const std::string &key_column,
                     const JsonValue &existing, bool delete_missing) {
    RowsDiff d(src, key_column, delete_missing);
    d.add(existing);
    return d.finish();
}

DiffResult diff_ledger(const SourceData &src, const std::string &key_column,
                       const LedgerState &ledger, bool delete_missing) {
    const std::vector<uint64_t> &row_hashes = src.row_hashes;
    DiffResult out;
    std::vector<std::string> keys = diff_keys(src, key_column, out);
    for (rapidjson::SizeType i = 0; i < src.rows.Size(); ++i) {
        if (keys[i] == kRejectedKey) continue;
        auto found = ledger.entries.find(keys[i]);
        if (found == ledger.entries.end()) {
            out.ops.push_back({Op::Insert, i, {}, {}, {}, {}, {}});
            continue;
        }
        if (found->second.hash == row_hashes[i]) {
            ++out.skipped;
            continue;
        }
        // Parse's content is only known by its hash: send every field.
        Op op{Op::Update, i, found->second.object_id, {}, {}, {}, {}};
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
            out.ops.push_back({Op::Delete, 0, entry.second.object_id, {}, {}, entry.first, {}});
    sort_deletes(out, first);
    return out;
}

Keeper choose_keeper(const std::vector<const JsonValue *> &objects, const std::string &ledger_id) {
    Keeper k{0, Keeper::Oldest};
    auto created = [](const JsonValue *o) {
        const JsonValue *c = find_member(*o, "createdAt");
        return c && c->IsString() ? std::string(c->GetString()) : std::string();
    };
    for (size_t i = 0; i < objects.size(); ++i) {
        if (!ledger_id.empty() && object_id(*objects[i]) == ledger_id) return {i, Keeper::InLedger};
        if (i == 0) continue;
        // Same fixed-width ISO format: string order is time order.
        const std::string ci = created(objects[i]), ck = created(objects[k.index]);
        if (ci < ck || (ci == ck && object_id(*objects[i]) < object_id(*objects[k.index])))
            k.index = i;
    }
    return k;
}

std::vector<std::string> settle_duplicates(const SourceData &src, const std::string &key_column,
                                           const JsonValue &objects, const LedgerEntries &ledger,
                                           bool delete_missing, DiffResult &diff) {
    std::unordered_map<std::string, std::vector<const JsonValue *>> by_key;
    std::vector<std::string> order;  // keys in the order first met
    for (const auto &obj : objects.GetArray()) {
        const JsonValue *k = find_member(obj, key_column.c_str());
        if (k == nullptr || k->IsNull()) continue;
        auto &list = by_key[key_string(*k)];
        if (list.empty()) order.push_back(key_string(*k));
        list.push_back(&obj);
    }
    std::vector<RowProblem> ignored;  // already reported by the diff
    const std::vector<std::string> keys = source_keys(src, key_column, ignored);
    std::unordered_map<std::string_view, size_t> row_of_key;
    for (size_t i = 0; i < keys.size(); ++i)
        if (keys[i] != kRejectedKey && by_key.count(keys[i])) row_of_key.emplace(keys[i], i);
    // What the diff decided for these keys is redone.
    auto settled = [&](const Op &op) {
        return by_key.count(op.kind == Op::Delete ? op.key : keys[op.row]) != 0;
    };
    diff.ops.erase(std::remove_if(diff.ops.begin(), diff.ops.end(), settled), diff.ops.end());
    const size_t equal_before = diff.equal.size();
    diff.equal.erase(std::remove_if(diff.equal.begin(), diff.equal.end(),
                                    [&](const auto &e) { return by_key.count(keys[e.first]); }),
                     diff.equal.end());
    diff.skipped -= long(equal_before - diff.equal.size());
    const std::unordered_set<std::string> present =
        delete_missing ? present_keys(src, key_column) : std::unordered_set<std::string>();
    std::vector<std::string> lines;
    diff.duplicated.clear();
    diff.duplicated_values.clear();
    for (const std::string &key : order) {
        const std::vector<const JsonValue *> &objs = by_key[key];
        auto l = ledger.find(key);
        const Keeper keep = choose_keeper(objs, l == ledger.end() ? "" : l->second.object_id);
        const JsonValue &kept = *objs[keep.index];
        auto row = row_of_key.find(key);
        const bool gone = row == row_of_key.end() && delete_missing && !present.count(key);
        if (row != row_of_key.end()) {
            Op op = update_of(src, row->second, kept);
            if (op.changed.empty() && op.removed.empty()) {
                ++diff.skipped;
                diff.equal.push_back({row->second, op.object_id});
            } else {
                diff.ops.push_back(std::move(op));
            }
        }
        for (size_t i = 0; i < objs.size(); ++i) {
            // The key left the source: every object goes, none is an extra.
            if (i != keep.index || gone)
                diff.ops.push_back({Op::Delete,
                                    0,
                                    object_id(*objs[i]),
                                    {},
                                    {},
                                    key,
                                    gone ? std::string() : object_id(kept)});
        }
        if (objs.size() < 2) continue;
        diff.duplicated.push_back(key);
        std::string line = "key " + key + " is held by " + std::to_string(objs.size()) +
                           " objects: " +
                           (gone ? "its key left the source, deleting them all"
                                 : "keeping " + object_id(kept) +
                                       (keep.why == Keeper::InLedger ? " (the one the ledger knows)"
                                                                     : " (the oldest)") +
                                       ", deleting the others");
        lines.push_back(std::move(line));
    }
    // Row order, then deletes in key order, as the diff orders them.
    std::stable_sort(diff.ops.begin(), diff.ops.end(), [](const Op &a, const Op &b) {
        if ((a.kind == Op::Delete) != (b.kind == Op::Delete)) return b.kind == Op::Delete;
        return a.kind == Op::Delete ? a.key < b.key : a.row < b.row;
    });
    std::stable_sort(diff.equal.begin(), diff.equal.end());
    return lines;
}

}  // namespace impayes
