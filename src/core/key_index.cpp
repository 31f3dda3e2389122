#include "core/key_index.hpp"

#include <cstring>
#include <functional>
#include <stdexcept>

namespace impayes {

namespace {

// Keeps the table at most half full: probes stay short.
size_t table_size_for(size_t keys) {
    size_t n = 16;
    while (n < keys * 2) n *= 2;
    return n;
}

}  // namespace

size_t KeyIndex::slot_of(std::string_view key) const {
    return std::hash<std::string_view>()(key) & (table_.size() - 1);
}

uint32_t KeyIndex::find(std::string_view key) const {
    if (table_.empty()) return kNone;
    for (size_t s = slot_of(key);; s = (s + 1) & (table_.size() - 1)) {
        const uint32_t i = table_[s];
        if (i == kNone) return kNone;
        if (this->key(i) == key) return i;
    }
}

uint32_t KeyIndex::insert(std::string_view key, bool *made) {
    if ((records_.size() + 1) * 2 > table_.size()) grow();
    size_t s = slot_of(key);
    for (;; s = (s + 1) & (table_.size() - 1)) {
        const uint32_t i = table_[s];
        if (i == kNone) break;
        if (this->key(i) == key) {
            if (made) *made = false;
            return i;
        }
    }
    if (records_.size() >= kNone) throw std::length_error("KeyIndex: too many keys");
    Record r;
    r.key_off = append(key);
    r.key_len = uint32_t(key.size());
    const uint32_t i = uint32_t(records_.size());
    records_.push_back(r);
    table_[s] = i;
    if (made) *made = true;
    return i;
}

std::string_view KeyIndex::key(uint32_t i) const {
    const Record &r = records_[i];
    return {bytes_at(r.key_off), r.key_len};
}

std::string_view KeyIndex::object_id(uint32_t i) const {
    const Record &r = records_[i];
    return {bytes_at(r.id_off), r.id_len};
}

void KeyIndex::set_object_id(uint32_t i, std::string_view id) {
    if (id.size() > UINT16_MAX) throw std::length_error("KeyIndex: objectId too long");
    Record &r = records_[i];
    if (id.size() <= r.id_len) {
        if (!id.empty()) memcpy(const_cast<char *>(bytes_at(r.id_off)), id.data(), id.size());
    } else {
        r.id_off = append(id);
    }
    r.id_len = uint16_t(id.size());
}

const char *KeyIndex::bytes_at(uint32_t off) const {
    return blocks_[off / kBlock].data() + off % kBlock;
}

uint32_t KeyIndex::append(std::string_view bytes) {
    // A text longer than a block gets a block of its own, sized to it; the
    // offsets of the next blocks then skip as many block numbers.
    const bool fits = !blocks_.empty() && blocks_.back().size() + bytes.size() <= kBlock &&
                      blocks_.back().size() + bytes.size() <= blocks_.back().capacity();
    if (!fits) {
        const size_t spans = bytes.size() > kBlock ? (bytes.size() + kBlock - 1) / kBlock : 1;
        if ((blocks_.size() + spans) * uint64_t(kBlock) > UINT32_MAX)
            throw std::length_error("KeyIndex: over 4 GB of keys");
        blocks_.emplace_back();
        blocks_.back().reserve(spans == 1 ? kBlock : bytes.size());
        for (size_t k = 1; k < spans; ++k) blocks_.emplace_back();  // placeholders
        if (spans > 1) {
            // The text lives in the first of its blocks.
            std::vector<char> &own = blocks_[blocks_.size() - spans];
            own.insert(own.end(), bytes.begin(), bytes.end());
            arena_used_ += own.capacity();
            return uint32_t((blocks_.size() - spans) * kBlock);
        }
        arena_used_ += kBlock;
    }
    std::vector<char> &b = blocks_.back();
    const uint32_t off = uint32_t((blocks_.size() - 1) * kBlock + b.size());
    b.insert(b.end(), bytes.begin(), bytes.end());
    return off;
}

void KeyIndex::reserve(size_t keys) {
    records_.reserve(keys);
    if (table_size_for(keys) > table_.size()) {
        table_.assign(table_size_for(keys), kNone);
        for (uint32_t i = 0; i < records_.size(); ++i) {
            size_t s = slot_of(key(i));
            while (table_[s] != kNone) s = (s + 1) & (table_.size() - 1);
            table_[s] = i;
        }
    }
}

void KeyIndex::grow() { reserve(records_.size() + 1 > 8 ? records_.size() * 2 : 8); }

size_t KeyIndex::memory_bytes() const {
    return size_t(arena_used_) + records_.capacity() * sizeof(Record) +
           table_.capacity() * sizeof(uint32_t);
}

}  // namespace impayes
