#include "core/ledger_entries.hpp"

#include <algorithm>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>

namespace impayes {

namespace {

// At most 1/2 full: a miss probes a slot or two.
size_t slots_for(size_t keys) {
    size_t n = 16;
    while (n < keys * 2) n *= 2;
    return n;
}

SipKey process_seed() {
    static SipKey key;
    static std::once_flag once;
    std::call_once(once, [] {
        std::random_device rd;
        for (auto &b : key.bytes) b = uint8_t(rd());
    });
    return key;
}

}  // namespace

LedgerEntries::LedgerEntries() : seed_(process_seed()) {
    static_assert(sizeof(LedgerEntry) == 48 && sizeof(Record) == 72,
                  "the per-key budget counts on it");
}

LedgerEntries::LedgerEntries(const LedgerEntries &o) : LedgerEntries() {  // destroyed if it throws
    seed_ = o.seed_;
    reserve(o.size());
    o.for_each([&](std::string_view k, const LedgerEntry &e) { (*this)[k] = e; });
}

LedgerEntries &LedgerEntries::operator=(const LedgerEntries &o) {
    if (this != &o) {
        LedgerEntries copy(o);
        *this = std::move(copy);
    }
    return *this;
}

LedgerEntries::LedgerEntries(LedgerEntries &&o) noexcept
    : seed_(o.seed_),
      blocks_(std::move(o.blocks_)),
      slots_(std::move(o.slots_)),
      mask_(o.mask_),
      used_(o.used_),
      live_(o.live_),
      dead_(std::move(o.dead_)) {
    o.reset();
}

LedgerEntries &LedgerEntries::operator=(LedgerEntries &&o) noexcept {
    if (this != &o) {
        clear();
        seed_ = o.seed_;
        blocks_ = std::move(o.blocks_);
        slots_ = std::move(o.slots_);
        mask_ = o.mask_;
        used_ = o.used_;
        live_ = o.live_;
        dead_ = std::move(o.dead_);
        o.reset();
    }
    return *this;
}

size_t LedgerEntries::probe(std::string_view key) const {
    const uint32_t *s = slots();
    for (size_t i = size_t(hash(key)) & mask_;; i = (i + 1) & mask_) {
        if (s[i] == kEmpty || record(s[i] - 1).key == key) return i;
    }
}

LedgerEntry *LedgerEntries::find(std::string_view key) {
    if (mask_ == 0) return nullptr;
    const uint32_t r = slots()[probe(key)];
    return r == kEmpty ? nullptr : &record(r - 1).entry;
}

const LedgerEntry *LedgerEntries::find(std::string_view key) const {
    return const_cast<LedgerEntries *>(this)->find(key);
}

const LedgerEntry &LedgerEntries::at(std::string_view key) const {
    const LedgerEntry *e = find(key);
    if (e == nullptr) throw std::out_of_range("no ledger entry for key " + std::string(key));
    return *e;
}

LedgerEntry &LedgerEntries::operator[](std::string_view key) {
    if ((live_ + 1) * 2 > mask_ + 1 || mask_ == 0) rehash(slots_for(live_ + 1));
    size_t i = probe(key);
    if (uint32_t r = slots()[i]; r != kEmpty) return record(r - 1).entry;
    if (used_ >= kMaxKeys) throw std::length_error("more than a billion keys");
    if (used_ / kBlockRecords == blocks_.size())
        blocks_.emplace_back(size_t(kBlockRecords) * sizeof(Record));
    ShortText<24> k(key);
    if (!dead_.empty()) dead_.push_back(false);
    Record *r = new (&record(used_)) Record();
    r->key = std::move(k);
    slots()[i] = ++used_;
    ++live_;
    return r->entry;
}

// Backward-shift deletion: the probe sequences of the keys after the
// removed one stay unbroken without tombstones.
bool LedgerEntries::erase(std::string_view key) {
    if (mask_ == 0) return false;
    uint32_t *s = slots();
    size_t i = probe(key);
    if (s[i] == kEmpty) return false;
    if (dead_.empty()) dead_.assign(used_, false);
    dead_[s[i] - 1] = true;
    Record &gone = record(s[i] - 1);
    gone.key.clear();
    gone.entry = LedgerEntry();
    --live_;
    for (size_t j = (i + 1) & mask_; s[j] != kEmpty; j = (j + 1) & mask_) {
        const size_t home = size_t(hash(record(s[j] - 1).key.view())) & mask_;
        // Keep s[j] where it is if its home lies cyclically in (i, j].
        const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        s[i] = s[j];
        i = j;
    }
    s[i] = kEmpty;
    return true;
}

void LedgerEntries::rehash(size_t n) {
    PageBuffer fresh(n * sizeof(uint32_t));
    slots_ = std::move(fresh);
    mask_ = n - 1;
    uint32_t *s = slots();
    for (uint32_t r = 0; r < used_; ++r) {
        if (!live(r)) continue;
        size_t i = size_t(hash(record(r).key.view())) & mask_;
        while (s[i] != kEmpty) i = (i + 1) & mask_;
        s[i] = r + 1;
    }
}

void LedgerEntries::reserve(size_t keys) {
    if (keys > kMaxKeys) throw std::length_error("more than a billion keys");
    if (keys > live_ && slots_for(keys) > mask_ + 1) rehash(slots_for(keys));
}

void LedgerEntries::destroy_block(size_t b) noexcept {
    const uint32_t begin = uint32_t(b * kBlockRecords);
    const uint32_t end = std::min<uint32_t>(used_, begin + kBlockRecords);
    if (blocks_[b].data() == nullptr) return;  // drain() stopped by an exception
    for (uint32_t i = begin; i < end; ++i) record(i).~Record();
    blocks_[b].release();
}

void LedgerEntries::reset() noexcept {
    std::vector<PageBuffer>().swap(blocks_);
    slots_.release();
    mask_ = 0;
    used_ = 0;
    live_ = 0;
    std::vector<bool>().swap(dead_);
}

void LedgerEntries::clear() noexcept {
    for (size_t b = 0; b < blocks_.size(); ++b) destroy_block(b);
    reset();
}

size_t LedgerEntries::memory_bytes() const {
    size_t n = slots_.size() + blocks_.capacity() * sizeof(PageBuffer);
    for (const auto &b : blocks_) n += b.size();
    return n;
}

}  // namespace impayes
