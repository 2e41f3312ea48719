// Byte scans on the parser's hot path: find a line end, test for ASCII.
//
// SSE2 where the target has it (every x86-64), 8-byte SWAR elsewhere (wasm32, other CPUs). Both
// read only inside [p, end): no over-read, so inputs flush against a guard page are safe.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sse::detail {

inline std::uint64_t load_u64(const char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// Nonzero iff some byte of `v` is zero (the classic has-zero-byte trick).
constexpr std::uint64_t has_zero_byte(std::uint64_t v) noexcept {
    return (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
}

/// First CR or LF in [p, end), or `end`.
inline const char* find_line_end(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
        p += 16;
    }
#endif
    constexpr std::uint64_t cr8 = 0x0d0d0d0d0d0d0d0dull;
    constexpr std::uint64_t lf8 = 0x0a0a0a0a0a0a0a0aull;
    while (end - p >= 8) {
        const std::uint64_t v = load_u64(p);
        if ((has_zero_byte(v ^ cr8) | has_zero_byte(v ^ lf8)) != 0) break;
        p += 8;
    }
    while (p != end && *p != '\r' && *p != '\n') ++p;
    return p;
}

/// Length of the leading run of ASCII bytes (< 0x80) in [p, end).
inline std::size_t ascii_prefix(const char* p, const char* end) noexcept {
    const char* const begin = p;
#if defined(__SSE2__)
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        if (_mm_movemask_epi8(v) != 0) break;
        p += 16;
    }
#endif
    while (end - p >= 8) {
        if ((load_u64(p) & 0x8080808080808080ull) != 0) break;
        p += 8;
    }
    while (p != end && static_cast<unsigned char>(*p) < 0x80) ++p;
    return static_cast<std::size_t>(p - begin);
}

}  // namespace sse::detail
