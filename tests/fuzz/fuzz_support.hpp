// What the fuzz targets share: an invariant check that aborts (libFuzzer saves the input), a
// strict UTF-8 test written independently of proto/'s, and a reader for the control bytes that
// lead each input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sse::fuzz {

[[noreturn]] inline void violated(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, what);
    std::abort();
}

}  // namespace sse::fuzz

// Not assert(): it must also fire in release builds, which is how the fuzzers are built.
#define SSE_FUZZ_CHECK(cond) \
    ((cond) ? static_cast<void>(0) : ::sse::fuzz::violated(#cond, __FILE__, __LINE__))

namespace sse::fuzz {

/// Strict well-formedness (Unicode 3.9, table 3-7): no overlongs, surrogates or values past
/// U+10FFFF. Deliberately a different algorithm from proto/'s decoder, so they check each other.
inline bool is_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
        const unsigned char c = b(i);
        std::uint32_t cp;
        std::size_t n;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1F;
            n = 1;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0F;
            n = 2;
        } else if ((c & 0xF8) == 0xF0) {
            cp = c & 0x07;
            n = 3;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= n; ++k) {
            if ((b(i + k) & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b(i + k) & 0x3F);
        }
        static constexpr std::uint32_t min_for_length[4] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

/// Hands out the leading control bytes of a fuzz input; zeros once the input runs out, so every
/// input, however short, is a valid test.
class control_bytes {
public:
    control_bytes(const std::uint8_t* data, std::size_t size, std::size_t count) noexcept
        : data_(data), size_(size < count ? size : count) {}

    std::uint8_t next() noexcept { return at_ < size_ ? data_[at_++] : 0; }

    /// Bytes used for control, which the payload starts after.
    std::size_t used() const noexcept { return size_; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

/// A small deterministic generator for chunk sizes and pause patterns, seeded from the input.
class pattern {
public:
    explicit pattern(std::uint32_t seed) noexcept : state_((seed * 2654435761u) | 1u) {}  // never 0

    std::uint32_t next() noexcept {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }

private:
    std::uint32_t state_;
};

}  // namespace sse::fuzz
