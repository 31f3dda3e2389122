// A byte string in N bytes: up to N - 1 bytes inline, longer ones on the
// heap. Keys and objectIds are short (an objectId is 10 bytes, an invoice
// number about 16), so the per-key state of a run holds them without a
// std::string's 32 bytes and, mostly, without an allocation.
#pragma once

#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace impayes {

template <size_t N>
class ShortText {
    static_assert(N >= 16 && N <= 64, "room for a pointer and a length");
    static constexpr size_t kInline = N - 1;
    static constexpr uint8_t kHeap = 0xFF;

public:
    ShortText() noexcept { buf_[kInline] = 0; }
    ShortText(std::string_view s) { set(s); }    // NOLINT(google-explicit-constructor)
    ShortText(const std::string &s) { set(s); }  // NOLINT(google-explicit-constructor)
    ShortText(const char *s) { set(s); }         // NOLINT(google-explicit-constructor)
    ShortText(const ShortText &o) { set(o.view()); }
    ShortText(ShortText &&o) noexcept {
        memcpy(buf_, o.buf_, N);
        o.buf_[kInline] = 0;
    }
    ShortText &operator=(const ShortText &o) {
        if (this != &o) assign(o.view());
        return *this;
    }
    ShortText &operator=(ShortText &&o) noexcept {
        if (this != &o) {
            release();
            memcpy(buf_, o.buf_, N);
            o.buf_[kInline] = 0;
        }
        return *this;
    }
    ShortText &operator=(std::string_view s) { return assign(s); }
    ShortText &operator=(const std::string &s) { return assign(s); }
    ShortText &operator=(const char *s) { return assign(s); }
    ~ShortText() { release(); }

    std::string_view view() const noexcept {
        if (!on_heap()) return {buf_, size_t(uint8_t(buf_[kInline]))};
        return {heap_ptr(), heap_len()};
    }
    operator std::string_view() const noexcept { return view(); }  // NOLINT
    std::string str() const { return std::string(view()); }
    size_t size() const noexcept { return view().size(); }
    bool empty() const noexcept { return !on_heap() && buf_[kInline] == 0; }
    void clear() noexcept {
        release();
        buf_[kInline] = 0;
    }
    ShortText &assign(std::string_view s) {
        ShortText fresh(s);  // s may be a view of this very text
        return *this = std::move(fresh);
    }

    friend bool operator==(const ShortText &a, std::string_view b) { return a.view() == b; }
    friend bool operator!=(const ShortText &a, std::string_view b) { return a.view() != b; }
    friend bool operator==(const ShortText &a, const std::string &b) { return a.view() == b; }
    friend bool operator!=(const ShortText &a, const std::string &b) { return a.view() != b; }
    friend bool operator==(const ShortText &a, const char *b) { return a.view() == b; }
    friend bool operator!=(const ShortText &a, const char *b) { return a.view() != b; }
    friend bool operator==(const ShortText &a, const ShortText &b) { return a.view() == b.view(); }
    friend bool operator!=(const ShortText &a, const ShortText &b) { return a.view() != b.view(); }

private:
    bool on_heap() const noexcept { return uint8_t(buf_[kInline]) == kHeap; }
    char *heap_ptr() const noexcept {
        char *p;
        memcpy(&p, buf_, sizeof p);
        return p;
    }
    size_t heap_len() const noexcept {
        uint32_t n;
        memcpy(&n, buf_ + sizeof(char *), sizeof n);
        return n;
    }
    // Only on an empty (released) value.
    void set(std::string_view s) {
        if (s.size() <= kInline) {
            memcpy(buf_, s.data(), s.size());
            buf_[kInline] = char(uint8_t(s.size()));
            return;
        }
        if (s.size() > UINT32_MAX) throw std::bad_alloc();
        char *p = new char[s.size()];
        memcpy(p, s.data(), s.size());
        const uint32_t n = uint32_t(s.size());
        memcpy(buf_, &p, sizeof p);
        memcpy(buf_ + sizeof p, &n, sizeof n);
        buf_[kInline] = char(kHeap);
    }
    void release() noexcept {
        if (on_heap()) delete[] heap_ptr();
        buf_[kInline] = 0;
    }

    alignas(8) char buf_[N];
};

}  // namespace impayes
