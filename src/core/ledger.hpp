// The incremental-sync ledger: for each key, the Parse object that holds it
// and a hash of the source row Parse last confirmed, plus a watermark of
// Parse's own updatedAt. An unchanged row then costs a hash comparison:
// no conversion and no HTTP. Stored by src/pg/ledger_store.cpp in impayes_sync.ledger.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/json.hpp"
#include "core/siphash.hpp"

namespace impayes {

struct LedgerEntry {
    std::string object_id;
    uint64_t hash = 0;  // of the source row Parse last confirmed; 0 when unknown
    // What one run learns of the key (never stored):
    uint64_t content_hash = 0;  // full run: content_hash() of the Parse object read
    uint64_t saved = 0;         // saved_fingerprint() as loaded; 0 when not in the saved ledger
    uint32_t first_row = 0;     // first source row with the key; 0 when none yet
    uint8_t flags = 0;          // KeyFlags
};

enum KeyFlags : uint8_t {
    InParse = 1,        // full run: the class read met an object with the key
    DupInParse = 2,     // full run: it met several
    DupInSource = 4,    // several source rows have the key: all rejected
    InRejectedRow = 8,  // a rejected source row has the key: it stays in the source
    Deleted = 16,       // this run deleted the key's object
};

// What identifies a saved entry, to write back only the entries a run
// changed. Never 0.
uint64_t saved_fingerprint(const std::string &object_id, uint64_t hash);
using LedgerEntries = std::unordered_map<std::string, LedgerEntry>;

struct LedgerState {
    bool found = false;        // a state row existed for the class
    std::string signature;     // parse_url, key column and columns it was built for
    std::string watermark;     // largest updatedAt/createdAt seen (ISO string)
    long object_count = 0;     // objects in the class after the last run
    long key_count = 0;        // entries saved by the last run
    LedgerEntries entries;     // by key_string()
    std::string stale_reason;  // why a stored ledger was not trusted (found is then false)
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

// Keyed 64-bit hash of a byte string (SipHash-2-4 with the install's
// secret, src/pg/install_secret.cpp), and its form in the ledger: 16 hex
// digits. The ledger holds the hash of a source row's stored values
// (src/pg/source_reader.cpp), so that an unchanged row is recognised
// before it is converted; keyed, so that nobody who reads or edits rows
// can predict a hash or keep one while changing a value.
// hash_bytes() never returns 0, which stands for "unknown".
uint64_t hash_bytes(const SipKey &key, const char *p, size_t n);
std::string hash_hex(uint64_t h);
// The inverse of hash_hex(); 0 for anything else.
uint64_t hash_from_hex(const char *p, size_t n);

// The later of two ISO-8601 UTC timestamps as Parse prints them ("" is
// the earliest).
const std::string &later_iso(const std::string &a, const std::string &b);

}  // namespace impayes
