#include "core/page_buffer.hpp"

#include <sys/mman.h>

#include <new>

namespace impayes {

PageBuffer::PageBuffer(size_t bytes) {
    if (bytes == 0) return;
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    p_ = p;
    n_ = bytes;
}

PageBuffer &PageBuffer::operator=(PageBuffer &&o) noexcept {
    if (this != &o) {
        release();
        p_ = o.p_;
        n_ = o.n_;
        o.p_ = nullptr;
        o.n_ = 0;
    }
    return *this;
}

void PageBuffer::release() noexcept {
    if (p_ != nullptr) munmap(p_, n_);
    p_ = nullptr;
    n_ = 0;
}

}  // namespace impayes
