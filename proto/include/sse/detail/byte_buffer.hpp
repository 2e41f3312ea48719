// detail::byte_buffer: the growable byte buffer behind the parser's pending line and data buffer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace sse::detail {

/// A std::string-like byte buffer whose spare capacity may be written in place and then
/// committed. std::string cannot offer that in C++20 without zero-filling first (resize), which
/// would cost a pass over every byte; the line reader's fused scan-and-copy writes a long line
/// straight into the spare capacity while it looks for the line end (detail/scan.hpp).
///
/// Capacity only grows (doubling), and clear() keeps it, so a stream whose lines have stopped
/// growing allocates nothing. Allocation failure ends the program, as `new` does under
/// -fno-exceptions. No terminating NUL.
class byte_buffer {
public:
    byte_buffer() noexcept = default;
    byte_buffer(const byte_buffer& other) { append(other.view()); }
    byte_buffer(byte_buffer&& other) noexcept { swap(other); }
    byte_buffer& operator=(byte_buffer other) noexcept {
        swap(other);
        return *this;
    }
    ~byte_buffer() = default;

    const char* data() const noexcept { return bytes_.get(); }
    char* data() noexcept { return bytes_.get(); }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// Bytes that may be written at spare() before commit().
    std::size_t spare_capacity() const noexcept { return capacity_ - size_; }
    /// Valid until the next call that grows or swaps the buffer.
    std::string_view view() const noexcept { return {bytes_.get(), size_}; }

    void clear() noexcept { size_ = 0; }

    /// Where the next appended byte goes: `spare_capacity()` bytes may be written there, and
    /// become part of the buffer with commit(). Null while the capacity is 0.
    char* spare() noexcept { return bytes_.get() + size_; }
    /// Takes `n` bytes written at spare() into the buffer; `n` must not exceed spare_capacity().
    void commit(std::size_t n) noexcept { size_ += n; }

    void reserve(std::size_t n) {
        if (n > capacity_) grow_to(n);
    }

    void append(const char* p, std::size_t n) {
        if (n == 0) return;
        if (n > capacity_ - size_) grow_to(size_ + n);
        std::memcpy(bytes_.get() + size_, p, n);
        size_ += n;
    }
    void append(std::string_view s) { append(s.data(), s.size()); }

    void push_back(char c) {
        if (size_ == capacity_) grow_to(size_ + 1);
        bytes_[size_++] = c;
    }

    void assign(std::string_view s) {
        size_ = 0;
        append(s);
    }

    void swap(byte_buffer& other) noexcept {
        std::swap(bytes_, other.bytes_);
        std::swap(size_, other.size_);
        std::swap(capacity_, other.capacity_);
    }

private:
    // Out of line: it is the rare path of every append, which would otherwise carry a copy of it.
    [[gnu::noinline]] void grow_to(std::size_t n) {
        const std::size_t capacity = std::max({n, capacity_ * 2, std::size_t{64}});
        std::unique_ptr<char[]> bytes(new char[capacity]);
        if (size_ != 0) std::memcpy(bytes.get(), bytes_.get(), size_);
        bytes_ = std::move(bytes);
        capacity_ = capacity;
    }

    std::unique_ptr<char[]> bytes_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace sse::detail
