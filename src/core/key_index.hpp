// Per key, only what a run's diff needs, in about 70 bytes a key (key and
// objectId texts included) instead of a std::string map node per key: key
// and objectId bytes in one arena, a fixed-size record per key, and an
// open-addressing table of record numbers. Meant to hold the ledger, the
// keys a full read met in Parse and the keys the source has shown so far,
// so that a run can stream its source chunk by chunk (issue 9).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace impayes {

class KeyIndex {
public:
    static constexpr uint32_t kNone = UINT32_MAX;

    enum Flag : uint16_t {
        InLedger = 1,           // the ledger has an entry for the key
        InParse = 2,            // a full read met an object with the key
        SeenInSource = 4,       // a source row has the key
        DuplicateInSource = 8,  // more than one source row has it
        DuplicateInParse = 16,  // more than one Parse object has it
    };

    struct Record {
        uint32_t key_off = 0, key_len = 0;
        uint32_t id_off = 0;
        uint16_t id_len = 0;
        uint16_t flags = 0;
        uint64_t ledger_hash = 0;   // hash of the stored source row Parse confirmed; 0 unknown
        uint64_t content_hash = 0;  // hash of the object's synced fields as Parse holds them
        uint32_t first_row = 0;     // 1-based source row that first had the key; 0 none
    };

    // The record of key, or kNone.
    uint32_t find(std::string_view key) const;
    // The record of key, made (all fields zero) when absent; *made tells.
    uint32_t insert(std::string_view key, bool *made = nullptr);

    Record &at(uint32_t i) { return records_[i]; }
    const Record &at(uint32_t i) const { return records_[i]; }
    std::string_view key(uint32_t i) const;
    std::string_view object_id(uint32_t i) const;
    // Sets the record's objectId. A longer one than before takes new arena
    // bytes (the old ones are not reused: objectIds rarely change).
    void set_object_id(uint32_t i, std::string_view id);

    uint32_t size() const { return uint32_t(records_.size()); }
    void reserve(size_t keys);
    // Bytes held (arena, records, table): what the run's budget counts.
    size_t memory_bytes() const;

private:
    uint32_t append(std::string_view bytes);
    void grow();
    size_t slot_of(std::string_view key) const;  // first probe

    // Key and objectId bytes in blocks of kBlock bytes (a longer text has
    // a block of its own): no doubling, so no copy and no slack beyond the
    // last block. An offset is block * kBlock + position.
    static constexpr uint32_t kBlock = 1u << 20;
    const char *bytes_at(uint32_t off) const;
    std::vector<std::vector<char>> blocks_;
    uint64_t arena_used_ = 0;  // bytes in blocks, for memory_bytes()
    std::vector<Record> records_;
    std::vector<uint32_t> table_;  // kNone = empty; size a power of two
};

}  // namespace impayes
