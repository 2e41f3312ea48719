// The memory bridge.cpp and bridge_client.cpp share with JS: the input buffer, the output arena
// (record words + one UTF-8 text buffer) and the state block. The layout and lifetimes are
// described at the top of bridge.cpp. Module-wide (JS is single threaded).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "sse/detail/byte_buffer.hpp"

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace ssekit_wasm {

enum : std::uint32_t {
    record_event = 0,
    record_retry = 1,
    record_comment = 2,
    record_observation = 3,
    flag_type_message = 0x100,
    flag_type_same = 0x200,
    flag_id_same = 0x400,
    flag_data_in_input = 0x800,
    flag_id_in_input = 0x1000,
    mode_comments = 1,  // sse_parser_feed: also record comments
};

// What a call leaves for JS, which reads it as 12 words at sse_output(): addresses and sizes.
struct state_block {
    std::uint32_t records = 0;        // address of the first record word
    std::uint32_t record_words = 0;   // number of record words
    std::uint32_t text = 0;           // address of the text buffer
    std::uint32_t text_bytes = 0;     // its size in bytes
    std::uint32_t last_id = 0;        // address of the parser's last event ID string (UTF-8)
    std::uint32_t last_id_bytes = 0;  // its size
    std::uint32_t has_retry = 0;      // 1 if the parser has a reconnection time
    std::uint32_t retry_low = 0;      // its low and high 32 bits
    std::uint32_t retry_high = 0;
    std::uint32_t error = 0;          // the parser's sticky error (sse::errc), 0 if none
    std::uint32_t input_text = 0;     // bytes of the input, from its start, that records point into
    std::uint32_t record_count = 0;   // number of records (JS sizes its result array once)
};

// The record words: a plain growable array with one capacity check per record (std::vector
// insert cost about 5% more on a feed of small events).
class word_arena {
public:
    std::uint32_t* data() noexcept { return words_.get(); }
    std::size_t size() const noexcept { return size_; }
    std::size_t records() const noexcept { return records_; }
    void clear() noexcept {
        size_ = 0;
        records_ = 0;
    }
    // Room for one record of `n` words; returns where they go. Aborts (like new) when memory runs
    // out.
    [[gnu::always_inline]] std::uint32_t* append(std::size_t n) {
        if (capacity_ - size_ < n) grow(n);
        std::uint32_t* at = words_.get() + size_;
        size_ += n;
        ++records_;
        return at;
    }

private:
    void grow(std::size_t n) {
        const std::size_t capacity = std::max(capacity_ * 2, std::max<std::size_t>(size_ + n, 1024));
        std::unique_ptr<std::uint32_t[]> words(new std::uint32_t[capacity]);
        if (size_ != 0) std::memcpy(words.get(), words_.get(), size_ * sizeof(std::uint32_t));
        words_ = std::move(words);
        capacity_ = capacity;
    }

    std::unique_ptr<std::uint32_t[]> words_;
    std::size_t size_ = 0;
    std::size_t records_ = 0;
    std::size_t capacity_ = 0;
};

// Copies for the arena. Most are short (ids, types, 64-byte data lines), where a call into libc's
// memcpy costs more than the copy under wasm; this loop stays inline. Long ones go to memcpy.
[[gnu::always_inline]] inline void copy_bytes(char* to, const char* from, std::size_t n) noexcept {
    if (n > 256) {
        std::memcpy(to, from, n);
        return;
    }
    // Loops kept small (no unrolling or vectorising): they are inlined at every append.
#if defined(__wasm_simd128__)
#pragma clang loop unroll(disable) vectorize(disable)
    for (; n >= 16; n -= 16, from += 16, to += 16) wasm_v128_store(to, wasm_v128_load(from));
#else
#pragma clang loop unroll(disable) vectorize(disable)
    for (; n >= 8; n -= 8, from += 8, to += 8) {
        std::uint64_t v;
        std::memcpy(&v, from, 8);
        std::memcpy(to, &v, 8);
    }
#endif
#pragma clang loop unroll(disable) vectorize(disable)
    for (; n != 0; --n) *to++ = *from++;
}

// Equality for short strings without a call into libc's memcmp (see copy_bytes).
[[gnu::always_inline]] inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    const char* x = a.data();
    const char* y = b.data();
    std::size_t n = a.size();
#pragma clang loop unroll(disable) vectorize(disable)
    for (; n >= 8; n -= 8, x += 8, y += 8) {
        std::uint64_t u, v;
        std::memcpy(&u, x, 8);
        std::memcpy(&v, y, 8);
        if (u != v) return false;
    }
#pragma clang loop unroll(disable) vectorize(disable)
    for (; n != 0; --n) {
        if (*x++ != *y++) return false;
    }
    return true;
}

// The text arena: every string field of a batch back to back (UTF-8), read by JS in one decode.
// proto's byte_buffer underneath, with an inline copy (copy_bytes) for the short fields.
class text_arena {
public:
    /// `first_capacity`: the allocation made on the first append.
    explicit text_arena(std::size_t first_capacity = 4096) noexcept : first_capacity_(first_capacity) {}

    const char* data() const noexcept { return bytes_.data(); }
    std::size_t size() const noexcept { return bytes_.size(); }
    std::string_view view() const noexcept { return bytes_.view(); }
    // A batch that grew the arena past 4 MiB gives the memory back to the allocator (wasm memory
    // itself never shrinks), so one large event does not pin it forever.
    void clear() noexcept {
        if (bytes_.capacity() > (std::size_t{4} << 20)) {
            bytes_ = sse::detail::byte_buffer();
        } else {
            bytes_.clear();
        }
    }
    // Aborts (like new) when memory runs out. Inlined: it is most of an event's recording cost.
    [[gnu::always_inline]] void append(std::string_view s) {
        if (bytes_.spare_capacity() < s.size()) bytes_.reserve(std::max(bytes_.size() + s.size(), first_capacity_));
        copy_bytes(bytes_.spare(), s.data(), s.size());
        bytes_.commit(s.size());
    }

private:
    sse::detail::byte_buffer bytes_;
    std::size_t first_capacity_;
};

inline state_block g_state;
inline word_arena g_records;
inline text_arena g_text;
inline std::string g_scratch;  // comment repair and encoder output, then appended to g_text
inline std::unique_ptr<char[]> g_input;
inline std::size_t g_input_capacity = 0;

inline std::uint32_t address(const void* p) { return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(p)); }

// Starts a new batch. A batch that grew the arena past 4 MiB gives the memory back to the
// allocator (wasm memory itself never shrinks), so one large event does not pin it forever.
inline void clear_arena() {
    g_state.input_text = 0;
    g_records.clear();
    g_text.clear();
    if (g_scratch.capacity() > (std::size_t{4} << 20)) std::string().swap(g_scratch);
}

inline void publish_arena() {
    g_state.records = address(g_records.data());
    g_state.record_words = static_cast<std::uint32_t>(g_records.size());
    g_state.record_count = static_cast<std::uint32_t>(g_records.records());
    g_state.text = address(g_text.data());
    g_state.text_bytes = static_cast<std::uint32_t>(g_text.size());
}

}  // namespace ssekit_wasm
