// Per key, what a run keeps across the chunks of its source: the ledger as
// loaded, the objects a full run read in Parse, every key the source
// showed. At a million keys this is the run's largest structure, so it is
// compact: a fixed 72-byte record per key (key and objectId inline when
// short) in page blocks, and an open-addressing table of 4-byte record
// numbers, about 80 bytes a key in all (a std::unordered_map of strings
// took 170-190).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/page_buffer.hpp"
#include "core/short_text.hpp"
#include "core/siphash.hpp"

namespace impayes {

using ObjectId = ShortText<16>;

struct LedgerEntry {
    ObjectId object_id;
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

class LedgerEntries {
public:
    // More keys than this (a billion) is refused with std::length_error.
    static constexpr size_t kMaxKeys = size_t(1) << 30;

    LedgerEntries();
    LedgerEntries(const LedgerEntries &o);
    LedgerEntries &operator=(const LedgerEntries &o);
    LedgerEntries(LedgerEntries &&o) noexcept;
    LedgerEntries &operator=(LedgerEntries &&o) noexcept;
    ~LedgerEntries() { clear(); }

    // The entry of key, or nullptr.
    LedgerEntry *find(std::string_view key);
    const LedgerEntry *find(std::string_view key) const;
    // The entry of key, made (all zero) when absent.
    LedgerEntry &operator[](std::string_view key);
    // The entry of key; throws std::out_of_range when absent.
    const LedgerEntry &at(std::string_view key) const;
    bool erase(std::string_view key);

    size_t size() const { return live_; }
    bool empty() const { return live_ == 0; }
    // Room for keys without growing the table (records come in blocks).
    void reserve(size_t keys);
    void clear() noexcept;

    // f(std::string_view key, LedgerEntry &e) for every entry, in the order
    // the keys came in.
    template <typename F>
    void for_each(F &&f) {
        for (uint32_t i = 0; i < used_; ++i)
            if (live(i)) f(record(i).key.view(), record(i).entry);
    }
    template <typename F>
    void for_each(F &&f) const {
        for (uint32_t i = 0; i < used_; ++i)
            if (live(i)) f(record(i).key.view(), static_cast<const LedgerEntry &>(record(i).entry));
    }
    // for_each() that gives each block of records back to the system once
    // visited: the table is empty after (also when f throws), and was never
    // held twice. f must not use the table.
    template <typename F>
    void drain(F &&f) {
        slots_.release();
        mask_ = 0;  // no lookups from here on
        try {
            for (size_t b = 0; b < blocks_.size(); ++b) {
                const uint32_t end = std::min<uint32_t>(used_, uint32_t((b + 1) * kBlockRecords));
                for (uint32_t i = uint32_t(b * kBlockRecords); i < end; ++i)
                    if (live(i)) f(record(i).key.view(), record(i).entry);
                destroy_block(b);
            }
        } catch (...) {
            clear();
            throw;
        }
        reset();
    }

    // Bytes held (blocks and table), for tests and the memory budget.
    size_t memory_bytes() const;

private:
    struct Record {
        ShortText<24> key;
        LedgerEntry entry;
    };
    static constexpr uint32_t kBlockRecords = 8192;
    static constexpr uint32_t kEmpty = 0;  // slots hold record number + 1

    Record &record(uint32_t i) const {
        return static_cast<Record *>(blocks_[i / kBlockRecords].data())[i % kBlockRecords];
    }
    bool live(uint32_t i) const { return dead_.empty() || !dead_[i]; }
    uint64_t hash(std::string_view key) const { return siphash24(seed_, key.data(), key.size()); }
    uint32_t *slots() const { return static_cast<uint32_t *>(slots_.data()); }
    // The slot holding key, or the empty slot where it would go.
    size_t probe(std::string_view key) const;
    void rehash(size_t slots);
    void destroy_block(size_t b) noexcept;
    void reset() noexcept;

    SipKey seed_;  // random per process: hostile keys cannot be made to collide
    std::vector<PageBuffer> blocks_;
    PageBuffer slots_;
    size_t mask_ = 0;         // slots - 1 (a power of two), 0 when no table
    uint32_t used_ = 0;       // records made, erased ones included
    size_t live_ = 0;         // records not erased
    std::vector<bool> dead_;  // erased records; empty until the first erase()
};

}  // namespace impayes
