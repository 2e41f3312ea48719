// The long-line scans scan_line() hands over to (detail/scan.hpp): AVX2 and AVX-512. Built for
// every x86-64 target, each function with its own target attribute, and called only when the CPU
// has the instructions (checked once at startup), so one binary runs everywhere and is fast where
// it can be.
//
// Both test 128 bytes per step with a cheap filter first and look exactly only at blocks the
// filter flags: a byte below 0x0E may be CR or LF, so a block whose bytewise minimum is at least
// 0x0E holds no line end. While the line is all ASCII so far, the minimum is taken signed, so a
// byte from 0x80 up is flagged too and the ASCII answer costs nothing until one shows up; after
// that the minimum is unsigned. A flagged block (a line end, a non-ASCII byte, or another control
// character such as a TAB) is then tested exactly; the filter and the exact test together cost
// about what the exact test alone used to, so lines full of TABs are no slower than before, and
// the usual data line runs at close to memchr's speed.
#include "sse/detail/scan.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace sse::detail {

namespace {

wide_scan detect_wide_scan() noexcept {
    // libgcc's checks include the OS's support for the vector state (XCR0), not only CPUID.
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return wide_scan::avx512;
    if (__builtin_cpu_supports("avx2")) return wide_scan::avx2;
    return wide_scan::none;
}

// The table for the exact test: it maps a byte's low nibble to the only byte with that nibble
// that counts (0x0A, 0x0D); every other entry is 0x80, which no byte below 0x80 equals, and bytes
// from 0x80 up shuffle to 0, which they do not equal either. So one shuffle + one compare finds
// CR and LF.
#define SSE_LINE_END_TABLE                                                                        \
    -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, '\n', -128, -128, '\r', -128, -128

#define SSE_AVX2 __attribute__((target("avx2"), always_inline)) inline
#define SSE_AVX512 __attribute__((target("avx2,avx512f,avx512bw"), always_inline)) inline

// ---- AVX2: 32-byte vectors -------------------------------------------------------------------

SSE_AVX2 __m256i line_ends(__m256i v) noexcept {
    const __m256i table = _mm256_setr_epi8(SSE_LINE_END_TABLE, SSE_LINE_END_TABLE);
    return _mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, v), v);
}

// The filter for 128 bytes a, b, c, d (see the top of this file).
SSE_AVX2 bool may_end_line(__m256i a, __m256i b, __m256i c, __m256i d, bool ascii) noexcept {
    if (ascii) {
        const __m256i m = _mm256_min_epi8(_mm256_min_epi8(a, b), _mm256_min_epi8(c, d));
        return _mm256_movemask_epi8(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x0E), m)) != 0;
    }
    const __m256i m = _mm256_min_epu8(_mm256_min_epu8(a, b), _mm256_min_epu8(c, d));
    return _mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(m, _mm256_set1_epi8(0x0D)), m)) != 0;
}

template <bool copy>
__attribute__((target("avx2"))) line_scan scan_avx2(const char* p, const char* end, char* to) noexcept {
    bool ascii = true;  // every byte before p is ASCII
    const auto store = [&](std::size_t at, __m256i v) __attribute__((target("avx2"))) {
        if constexpr (copy) _mm256_storeu_si256(reinterpret_cast<__m256i*>(to + at), v);
    };
    while (end - p >= 128) {
        const auto* q = reinterpret_cast<const __m256i*>(p);
        const __m256i a = _mm256_loadu_si256(q);
        const __m256i b = _mm256_loadu_si256(q + 1);
        const __m256i c = _mm256_loadu_si256(q + 2);
        const __m256i d = _mm256_loadu_si256(q + 3);
        store(0, a);  // before the tests: the block with the line end is wanted up to it anyway
        store(32, b);
        store(64, c);
        store(96, d);
        if (may_end_line(a, b, c, d, ascii)) {
            const __m256i hits = _mm256_or_si256(_mm256_or_si256(line_ends(a), line_ends(b)),
                                                 _mm256_or_si256(line_ends(c), line_ends(d)));
            if (!_mm256_testz_si256(hits, hits)) break;  // the line ends in here: find where below
            const __m256i all = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
            ascii = ascii && _mm256_movemask_epi8(all) == 0;
        }
        p += 128;
        if constexpr (copy) to += 128;
    }
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        store(0, v);
        const auto high = static_cast<unsigned>(_mm256_movemask_epi8(v));
        if (const auto mask = static_cast<unsigned>(_mm256_movemask_epi8(line_ends(v))); mask != 0) {
            const unsigned at = static_cast<unsigned>(__builtin_ctz(mask));
            return {p + at, ascii && (high & ((1ull << at) - 1ull)) == 0, copy};
        }
        ascii = ascii && high == 0;
        p += 32;
        if constexpr (copy) to += 32;
    }
    while (p != end && *p != '\r' && *p != '\n') {
        ascii = ascii && static_cast<unsigned char>(*p) < 0x80;
        if constexpr (copy) *to++ = *p;
        ++p;
    }
    return {p, ascii, copy};
}

// ---- AVX-512 (F + BW): 64-byte vectors, compares into mask registers ------------------------

alignas(64) constexpr char line_end_table512[64] = {SSE_LINE_END_TABLE, SSE_LINE_END_TABLE,
                                                     SSE_LINE_END_TABLE, SSE_LINE_END_TABLE};

SSE_AVX512 __mmask64 line_ends(__m512i v) noexcept {
    // (Loaded rather than built with _mm512_broadcast_i32x4, which trips a false
    // -Wmaybe-uninitialized inside GCC 12's own header at -O3.)
    const __m512i table = _mm512_load_si512(line_end_table512);
    return _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(table, v), v);
}

// The first line end among the 64 bytes at p (`ends` nonzero), with the ASCII answer for the
// bytes before it.
SSE_AVX512 line_scan found(const char* p, __mmask64 ends, __m512i v, bool ascii, bool copy) noexcept {
    const unsigned at = static_cast<unsigned>(__builtin_ctzll(ends));
    const std::uint64_t high = _mm512_movepi8_mask(v);
    return {p + at, ascii && (high & ((std::uint64_t{1} << at) - 1)) == 0, copy};
}

template <bool copy>
__attribute__((target("avx2,avx512f,avx512bw"))) line_scan scan_avx512(const char* p, const char* end,
                                                                        char* to) noexcept {
    bool ascii = true;  // every byte before p is ASCII
    const __m512i below_signed = _mm512_set1_epi8(0x0E);
    const __m512i at_most = _mm512_set1_epi8(0x0D);
    while (end - p >= 128) {
        const __m512i a = _mm512_loadu_si512(p);
        const __m512i b = _mm512_loadu_si512(p + 64);
        if constexpr (copy) {
            _mm512_storeu_si512(to, a);
            _mm512_storeu_si512(to + 64, b);
        }
        // The filter (see the top of this file), one compare per vector.
        const __mmask64 flagged =
            ascii ? (_mm512_cmplt_epi8_mask(a, below_signed) | _mm512_cmplt_epi8_mask(b, below_signed))
                  : (_mm512_cmple_epu8_mask(a, at_most) | _mm512_cmple_epu8_mask(b, at_most));
        if (flagged != 0) {
            if (const __mmask64 ends = line_ends(a); ends != 0) return found(p, ends, a, ascii, copy);
            if (const __mmask64 ends = line_ends(b); ends != 0) {
                return found(p + 64, ends, b, ascii && _mm512_movepi8_mask(a) == 0, copy);
            }
            ascii = ascii && (_mm512_movepi8_mask(a) | _mm512_movepi8_mask(b)) == 0;
        }
        p += 128;
        if constexpr (copy) to += 128;
    }
    // The last bytes, up to 64 at a time through masked loads, which never touch memory outside
    // the mask (so nothing past `end` is read).
    while (p != end) {
        const auto n = static_cast<unsigned>(std::min<std::ptrdiff_t>(end - p, 64));
        const __mmask64 in = n == 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
        const __m512i v = _mm512_maskz_loadu_epi8(in, p);
        if constexpr (copy) _mm512_mask_storeu_epi8(to, in, v);
        if (const __mmask64 ends = line_ends(v) & in; ends != 0) return found(p, ends, v, ascii, copy);
        ascii = ascii && _mm512_movepi8_mask(v) == 0;  // bytes outside the mask loaded as 0
        p += n;
        if constexpr (copy) to += n;
    }
    return {p, ascii, copy};
}

#undef SSE_AVX2
#undef SSE_AVX512
#undef SSE_LINE_END_TABLE

}  // namespace

const wide_scan cpu_wide_scan = detect_wide_scan();

line_scan scan_line_wide(const char* p, const char* end, char* to, wide_scan how) noexcept {
    if (how == wide_scan::avx512) {
        return to != nullptr ? scan_avx512<true>(p, end, to) : scan_avx512<false>(p, end, nullptr);
    }
    return to != nullptr ? scan_avx2<true>(p, end, to) : scan_avx2<false>(p, end, nullptr);
}

}  // namespace sse::detail

#else

namespace sse::detail {
const wide_scan cpu_wide_scan = wide_scan::none;
// Never called (cpu_wide_scan is none); defined for the declaration's sake.
line_scan scan_line_wide(const char* p, const char* end, char* to, wide_scan) noexcept {
    line_scan r = scan_line(p, end);
    if (to != nullptr) {
        std::memcpy(to, p, static_cast<std::size_t>(r.end - p));
        r.copied = true;
    }
    return r;
}
}  // namespace sse::detail

#endif
