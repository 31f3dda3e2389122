// Memory straight from the kernel (mmap), given back when the buffer goes
// (munmap). The per-key table of a run lives in such buffers so that a
// table emptied block by block shrinks the backend at once, whatever
// malloc would have kept for later.
#pragma once

#include <cstddef>

namespace impayes {

class PageBuffer {
public:
    PageBuffer() = default;
    // Zero-filled; throws std::bad_alloc.
    explicit PageBuffer(size_t bytes);
    PageBuffer(PageBuffer &&o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
    PageBuffer &operator=(PageBuffer &&o) noexcept;
    PageBuffer(const PageBuffer &) = delete;
    PageBuffer &operator=(const PageBuffer &) = delete;
    ~PageBuffer() { release(); }

    void *data() const noexcept { return p_; }
    size_t size() const noexcept { return n_; }
    void release() noexcept;

private:
    void *p_ = nullptr;
    size_t n_ = 0;
};

}  // namespace impayes
