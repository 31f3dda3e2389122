// The incremental-sync ledger: for each key, the Parse object that holds it
// and a hash of the content Parse last confirmed, plus a watermark of
// Parse's own updatedAt. An unchanged row then costs a hash comparison
// and no HTTP. Stored by src/pg/ledger_store.cpp in impayes_sync.ledger.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"

namespace impayes {

struct LedgerEntry {
    std::string object_id;
    std::string hash;
};

struct LedgerState {
    bool found = false;        // a state row existed for the class
    std::string signature;     // parse_url, key column and columns it was built for
    std::string watermark;     // largest updatedAt/createdAt seen (ISO string)
    long object_count = 0;     // objects in the class after the last run
    long key_count = 0;        // entries saved by the last run
    std::unordered_map<std::string, LedgerEntry> entries;  // by key_string()
};

// Changes to write back after a run.
struct LedgerDelta {
    bool replace_all = false;  // rebuild: drop every entry of the class first
    std::vector<std::pair<std::string, LedgerEntry>> upserts;
    std::vector<std::string> removed;
    std::string signature;
    std::string watermark;
    long object_count = 0;
    long key_count = 0;  // entries after applying the delta
};

// Hash of the synced fields of an object, in the given order, independent
// of how Parse prints them: numbers as doubles, object keys sorted,
// absent and null fields skipped. 16 hex digits (FNV-1a 64).
std::string content_hash(const JsonValue &obj, const std::vector<std::string> &fields);

// The later of two ISO-8601 UTC timestamps as Parse prints them ("" is
// the earliest).
const std::string &later_iso(const std::string &a, const std::string &b);

}  // namespace impayes
