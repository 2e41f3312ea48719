// Byte scans on the parser's hot path: find a line end, test for ASCII.
//
// SSE2 where the target has it (every x86-64), wasm SIMD128 when compiled with -msimd128 (the wasm
// build: Node 20 and current browsers have it), 8-byte SWAR elsewhere. All read only inside
// [p, end): no over-read, so inputs flush against a guard page are safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
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

/// Where a line ends, and whether the bytes before that point were all ASCII.
struct line_scan {
    const char* end;      ///< first CR or LF, or the end of the input
    bool ascii;           ///< every byte in [p, end) is < 0x80 (so it is valid UTF-8 as it is)
    bool copied = false;  ///< [p, end) was also copied to scan_line's `copy_to`
};

/// The long-line scans scan_line hands over to (proto/src/scan_wide.cpp), x86-64 only.
enum class wide_scan : unsigned char {
    none,    ///< not x86-64, or a CPU without AVX2: scan_line keeps to 16-byte steps
    avx2,    ///< 32-byte vectors
    avx512,  ///< 64-byte vectors and mask registers (AVX-512 F + BW)
};
/// The best one this CPU has, found once at startup.
extern const wide_scan cpu_wide_scan;

/// scan_line's answer for [p, end) with the instructions `how` names, which the CPU must have
/// (never `none`). With `to` not null, also stores what it scans there (`to` must have room for
/// `end - p` bytes; bytes past the line end may be written too, never past `to + (end - p)`) and
/// the result says `copied`.
line_scan scan_line_wide(const char* p, const char* end, char* to, wide_scan how) noexcept;

/// scan_line's default copy target: never copy.
struct no_copy {
    constexpr char* operator()(std::size_t) const noexcept { return nullptr; }
};

/// find_line_end() fused with an ASCII test, so the common all-ASCII line needs no second pass
/// for UTF-8 validation.
///
/// `copy_target(n)` is called at most once, for a long line only (when the wide scan takes over),
/// and returns where the line may be copied while it is scanned, with room for `n` bytes (the rest
/// of the input from `p`), or null. The result then says `copied`. A line that reaches the end
/// of one feed must be copied before feed() returns; copying it in the same pass costs a store per
/// block next to loads the scan makes anyway, where a separate memcpy afterwards reads it all
/// again. Short lines are not copied here (a copy after the scan is as cheap for them), nor on
/// CPUs without AVX2: the caller copies what `copied` says was not.
template <class CopyTarget = no_copy>
inline line_scan scan_line(const char* p, const char* end,
                           [[maybe_unused]] CopyTarget copy_target = {}) noexcept {
    [[maybe_unused]] const char* const start = p;
    std::uint64_t high = 0;  // OR of every byte checked, to test bit 7 once at the end
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    __m128i seen = _mm_setzero_si128();
    // A line still going after 128 bytes, with 128 more to read, is likely a big data line: the
    // wide scan takes it from there. Decided here, so the 16-byte loop tests nothing else, and
    // short lines (the usual id/event/data) never pay for the call.
    const bool may_go_wide = end - p >= 256 && cpu_wide_scan != wide_scan::none;
    const char* const stop = may_go_wide ? p + 128 : p + ((end - p) & ~std::ptrdiff_t{15});
    for (; p != stop; p += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
        if (mask != 0) {
            const unsigned at = static_cast<unsigned>(__builtin_ctz(static_cast<unsigned>(mask)));
            const unsigned before = _mm_movemask_epi8(v) & ((1u << at) - 1u);
            return {p + at, before == 0 && _mm_movemask_epi8(seen) == 0};
        }
        seen = _mm_or_si128(seen, v);
    }
    if (may_go_wide) {
        const auto done = static_cast<std::size_t>(p - start);
        char* const to = copy_target(static_cast<std::size_t>(end - start));
        if (to != nullptr) std::memcpy(to, start, done);
        const line_scan rest = scan_line_wide(p, end, to != nullptr ? to + done : nullptr, cpu_wide_scan);
        return {rest.end, rest.ascii && _mm_movemask_epi8(seen) == 0, rest.copied};
    }
    if (_mm_movemask_epi8(seen) != 0) high = 0x80;
#elif defined(__wasm_simd128__)
    const v128_t cr = wasm_i8x16_splat('\r');
    const v128_t lf = wasm_i8x16_splat('\n');
    // The cheap filter of scan_wide.cpp: a block with no byte below 0x0E holds no line end. Taken
    // signed while the line is ASCII so far, so that a high byte is flagged too (and `seen`, the
    // OR of the bytes of flagged blocks, has every high bit), unsigned after. (No copy while
    // scanning here: tried, it made the module bigger and was no faster under V8.)
    const v128_t below = wasm_i8x16_splat(0x0E);
    v128_t seen = wasm_i64x2_splat(0);
    bool ascii = true;
    while (end - p >= 16) {
        const v128_t v = wasm_v128_load(p);
        const v128_t low = ascii ? wasm_i8x16_lt(v, below) : wasm_u8x16_lt(v, below);
        if (wasm_v128_any_true(low)) {
            const v128_t hit = wasm_v128_or(wasm_i8x16_eq(v, cr), wasm_i8x16_eq(v, lf));
            if (wasm_v128_any_true(hit)) {
                const unsigned at = static_cast<unsigned>(__builtin_ctz(wasm_i8x16_bitmask(hit)));
                const unsigned before = wasm_i8x16_bitmask(v) & ((1u << at) - 1u);
                return {p + at, before == 0 && ascii};
            }
            seen = wasm_v128_or(seen, v);
            ascii = wasm_i8x16_bitmask(seen) == 0;
        }
        p += 16;
    }
    if (!ascii) high = 0x80;
#endif
    constexpr std::uint64_t cr8 = 0x0d0d0d0d0d0d0d0dull;
    constexpr std::uint64_t lf8 = 0x0a0a0a0a0a0a0a0aull;
    while (end - p >= 8) {
        const std::uint64_t v = load_u64(p);
        if ((has_zero_byte(v ^ cr8) | has_zero_byte(v ^ lf8)) != 0) break;
        high |= v;
        p += 8;
    }
    while (p != end && *p != '\r' && *p != '\n') high |= static_cast<unsigned char>(*p++);
    return {p, (high & 0x8080808080808080ull) == 0};
}

/// First CR or LF in [p, end), or `end`: scan_line without the ASCII answer (the compiler drops
/// the unused half when it inlines this).
inline const char* find_line_end(const char* p, const char* end) noexcept {
    return scan_line(p, end).end;
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
#elif defined(__wasm_simd128__)
    while (end - p >= 16) {
        if (wasm_i8x16_bitmask(wasm_v128_load(p)) != 0) break;
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
