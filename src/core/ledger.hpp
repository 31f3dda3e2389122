// The incremental-sync ledger: for each key, the Parse object that holds it
// and a hash of the source row Parse last confirmed, plus a watermark of
// Parse's own updatedAt. An unchanged row then costs a hash comparison:
// no conversion and no HTTP. Stored by src/pg/ledger_store.cpp in impayes_sync.ledger.
#pragma once

#include <cstdint>
#include <string>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/ledger_entries.hpp"
#include "core/siphash.hpp"

namespace impayes {

// What identifies a saved entry, to write back only the entries a run
// changed. Never 0.
uint64_t saved_fingerprint(std::string_view object_id, uint64_t hash);

struct LedgerState {
    bool found = false;        // a state row existed for the class
    std::string signature;     // parse_url, key column and columns it was built for
    std::string watermark;     // largest updatedAt/createdAt seen (ISO string)
    long object_count = 0;     // objects in the class after the last run
    long key_count = 0;        // entries saved by the last run
    LedgerEntries entries;     // by key_string()
    std::string stale_reason;  // why a stored ledger was not trusted (found is then false)
};

// Changes to write back after a run. The entries are packed as they are
// added, in the byte form the history worker receives (core/ledger_wire):
// at a million keys a vector of strings would cost three times as much.
struct LedgerDelta {
    bool replace_all = false;  // rebuild: drop every entry of the class first

    void upsert(std::string_view key, std::string_view object_id, uint64_t hash);
    void remove(std::string_view key);
    long upsert_count() const { return upserts_; }
    long removed_count() const { return removed_; }
    // f(std::string_view key, std::string_view object_id, uint64_t hash) for
    // each upsert; g(std::string_view key) for each removal; in order added.
    template <typename F, typename G>
    void for_each(F &&f, G &&g) const {
        walk(packed_, f, g);  // written by upsert() and remove(): whole entries
    }
    // The packed entries (core/ledger_wire).
    const std::string &packed() const { return packed_; }
    // for_each() over packed bytes from elsewhere: false at the first byte
    // that does not start a whole entry (nothing from there is visited).
    template <typename F, typename G>
    static bool walk(std::string_view bytes, F &&f, G &&g);
    // Bytes the packed form of an entry takes.
    static size_t upsert_size(size_t key_bytes, size_t id_bytes) {
        return 1 + 4 + key_bytes + 4 + id_bytes + 8;
    }
    static size_t remove_size(size_t key_bytes) { return 1 + 4 + key_bytes; }
    void reserve(size_t bytes) { packed_.reserve(bytes); }

    std::string signature;
    std::string watermark;
    long object_count = 0;
    long key_count = 0;  // entries after applying the delta

private:
    friend bool decode_delta(const char *p, size_t n, LedgerDelta &out);  // checks, then adopts
    void adopt_packed(std::string bytes, long upserts, long removed);
    void upsert_bytes(std::string_view key, std::string_view object_id, uint64_t hash);
    // Per entry: tag 'U' or 'R', u32 key length, key[, u32 id length, id, u64 hash].
    std::string packed_;
    long upserts_ = 0, removed_ = 0;
};

template <typename F, typename G>
bool LedgerDelta::walk(std::string_view bytes, F &&f, G &&g) {
    const char *p = bytes.data();
    size_t n = bytes.size();
    auto text = [&](std::string_view &out) {  // u32 length, then the bytes
        uint32_t len;
        if (n < 4) return false;
        memcpy(&len, p, 4);
        if (len > n - 4) return false;
        out = std::string_view(p + 4, len);
        p += 4 + len;
        n -= 4 + len;
        return true;
    };
    while (n > 0) {
        const char tag = *p++;
        --n;
        std::string_view key, id;
        if ((tag != 'U' && tag != 'R') || !text(key)) return false;
        if (tag == 'R') {
            g(key);
            continue;
        }
        uint64_t h;
        if (!text(id) || n < 8) return false;
        memcpy(&h, p, 8);
        p += 8;
        n -= 8;
        f(key, id, h);
    }
    return true;
}

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
