#include "sync/incremental.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace impayes {

std::string ledger_signature(const Settings &s, const std::vector<SourceColumn> &columns) {
    // "h3": what the ledger's hashes are of (the source rows' stored
    // values); a ledger hashed another way is rebuilt.
    std::string sig = "h3|" + base_url(s.parse_url) + "|" + s.key_column + "|";
    for (const auto &c : columns) sig += c.name + ":" + parse_type_name(c.type) + ",";
    return sig;
}

std::string refresh_ledger(ParseClient &parse, const std::string &key_column, LedgerState &ledger,
                           std::vector<std::string> &drifted_keys) {
    JsonDoc changed;
    parse.read_changed_since({key_column}, ledger.watermark, changed);
    long created = 0;
    if (changed.Size() > 0) {
        // The ledger keys of the changed objects only: a map of every
        // objectId would cost more than the ledger itself at a million keys.
        std::unordered_set<std::string> ids;
        ids.reserve(changed.Size());
        for (const auto &obj : changed.GetArray()) ids.insert(string_member(obj, "objectId"));
        std::unordered_map<std::string, std::string> key_of_id;
        ledger.entries.for_each([&](std::string_view key, const LedgerEntry &e) {
            if (std::string id = e.object_id.str(); ids.count(id)) key_of_id.emplace(id, key);
        });
        for (const auto &obj : changed.GetArray()) {
            const std::string id = string_member(obj, "objectId");
            ledger.watermark = later_iso(ledger.watermark, string_member(obj, "updatedAt"));
            const JsonValue *k = find_member(obj, key_column.c_str());
            auto known = key_of_id.find(id);
            if (known == key_of_id.end()) ++created;
            if (k == nullptr || k->IsNull()) {
                if (known != key_of_id.end()) return "an object lost its key field";
                continue;  // an object without key: counted, never synced
            }
            const std::string key = key_string(*k);
            if (known != key_of_id.end() && known->second != key)
                return "the key of object " + id + " was changed by another client";
            const LedgerEntry *entry = ledger.entries.find(key);
            if (entry != nullptr && entry->object_id != id)
                return "another client created a second object for key " + key;
            // Content unknown: the row is converted and compared with Parse.
            LedgerEntry &e = ledger.entries[key];
            e.object_id = id;
            e.hash = 0;
            drifted_keys.push_back(key);
        }
    }
    const long expected = ledger.object_count + created;
    const long actual = parse.count();
    if (actual != expected)
        return std::to_string(actual) + " objects in Parse where the ledger expects " +
               std::to_string(expected);
    ledger.object_count = expected;
    return "";
}

std::string keeper_line(const std::string &key, size_t objects, const std::string &kept_id,
                        Keeper::Why why) {
    return "key " + key + " is held by " + std::to_string(objects) + " objects: keeping " +
           kept_id + (why == Keeper::InLedger ? " (the one the ledger knows)" : " (the oldest)") +
           ", deleting the others";
}

void refine_with_parse(ParseClient &parse, const SourceData &src, const std::string &key_column,
                       const std::vector<std::string> &fields, DiffResult &diff,
                       LedgerState &ledger, std::vector<std::string> &confirmed_keys,
                       std::vector<std::string> &duplicate_lines) {
    const std::vector<uint64_t> &row_hashes = src.row_hashes;
    std::vector<const JsonValue *> keys;
    for (const Op &op : diff.ops)
        if (op.kind != Op::Delete)
            keys.push_back(&src.rows[rapidjson::SizeType(op.row)][key_column.c_str()]);
    if (keys.empty()) return;
    JsonDoc current;
    parse.find_by_keys(key_column, keys, current, fields);
    std::unordered_map<std::string, const JsonValue *> by_key;
    std::unordered_map<std::string, std::vector<const JsonValue *>> several;
    for (const auto &obj : current.GetArray()) {
        const JsonValue *k = find_member(obj, key_column.c_str());
        if (k == nullptr) continue;
        auto ins = by_key.emplace(key_string(*k), &obj);
        if (ins.second) continue;
        auto &list = several[ins.first->first];
        if (list.empty()) list.push_back(ins.first->second);
        list.push_back(&obj);
    }
    // A key held by several objects (a late request, another client): the
    // row is synced to the one kept, the others are deleted.
    std::vector<Op> extras;
    for (auto &s : several) {
        const LedgerEntry *l = ledger.entries.find(s.first);
        const Keeper keep = choose_keeper(s.second, l == nullptr ? "" : l->object_id.str());
        const std::string kept_id = string_member(*s.second[keep.index], "objectId");
        by_key[s.first] = s.second[keep.index];
        for (size_t i = 0; i < s.second.size(); ++i)
            if (i != keep.index)
                extras.push_back({Op::Delete,
                                  0,
                                  string_member(*s.second[i], "objectId"),
                                  {},
                                  {},
                                  s.first,
                                  kept_id});
        diff.duplicated.push_back(s.first);
        duplicate_lines.push_back(keeper_line(s.first, s.second.size(), kept_id, keep.why));
    }
    std::sort(diff.duplicated.begin(), diff.duplicated.end());
    std::sort(duplicate_lines.begin(), duplicate_lines.end());
    std::sort(extras.begin(), extras.end(), [](const Op &a, const Op &b) { return a.key < b.key; });
    std::vector<Op> kept;
    kept.reserve(diff.ops.size() + extras.size());
    for (Op &op : diff.ops) {
        if (op.kind == Op::Delete) {
            kept.push_back(std::move(op));
            continue;
        }
        const JsonValue &row = src.rows[rapidjson::SizeType(op.row)];
        const std::string key = key_string(row[key_column.c_str()]);
        auto found = by_key.find(key);
        if (found == by_key.end()) {
            if (op.kind == Op::Update) op.kind = Op::Insert;  // deleted meanwhile: create it again
            kept.push_back(std::move(op));
            continue;
        }
        // An insert whose key is already in Parse: the ledger was behind.
        op.kind = Op::Update;
        op.object_id = string_member(*found->second, "objectId");
        op.changed.clear();
        op.removed.clear();
        for (const auto &f : fields) {
            const JsonValue *s = find_member(row, f.c_str());
            const JsonValue *p = find_member(*found->second, f.c_str());
            if (!field_equal(s, p))
                (s == nullptr || s->IsNull() ? op.removed : op.changed).push_back(f);
        }
        if (!op.changed.empty() || !op.removed.empty()) {
            kept.push_back(std::move(op));
            continue;
        }
        ++diff.skipped;  // Parse already holds it: only the ledger was behind
        LedgerEntry &e = ledger.entries[key];
        e.object_id = op.object_id;
        e.hash = row_hashes[op.row];
        confirmed_keys.push_back(key);
    }
    for (auto &e : extras) kept.push_back(std::move(e));
    diff.ops.swap(kept);
}

}  // namespace impayes
