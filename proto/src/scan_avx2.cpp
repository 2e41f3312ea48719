// The AVX2 long-line scan. Built for every x86-64 target but only called when the CPU has AVX2,
// so one binary runs everywhere and is fast where it can be.
#include "sse/detail/scan.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

namespace sse::detail {

namespace {
bool detect_avx2() noexcept {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}
}  // namespace

const bool cpu_has_avx2 = detect_avx2();

namespace {
__attribute__((target("avx2"))) inline unsigned line_end_mask(__m256i v) noexcept {
    const __m256i cr = _mm256_set1_epi8('\r');
    const __m256i lf = _mm256_set1_epi8('\n');
    return static_cast<unsigned>(
        _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, lf))));
}

// The first line end in the 32-byte block at `p` (whose mask is nonzero), with ASCII-ness of
// the bytes before it folded into what was seen so far.
__attribute__((target("avx2"))) inline line_scan finish_block(const char* p, __m256i v, unsigned mask,
                                                              __m256i seen) noexcept {
    const unsigned at = static_cast<unsigned>(__builtin_ctz(mask));
    const unsigned long long before =
        static_cast<unsigned>(_mm256_movemask_epi8(v)) & ((1ull << at) - 1ull);
    return {p + at, before == 0 && _mm256_movemask_epi8(seen) == 0};
}
}  // namespace

__attribute__((target("avx2"))) line_scan scan_line_avx2(const char* p, const char* end) noexcept {
    __m256i seen = _mm256_setzero_si256();
    // 128 bytes per step with one branch: long data lines are the case this function exists for.
    // One shuffle + one compare finds CR or LF: the table maps a byte's low nibble to the only
    // byte with that nibble that counts (0x0A, 0x0D); every other entry is 0x80, which no byte
    // below 0x80 equals, and bytes from 0x80 up shuffle to 0, which they do not equal either.
    const __m256i table = _mm256_setr_epi8(
        -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, '\n', -128, -128, '\r', -128, -128,
        -128, -128, -128, -128, -128, -128, -128, -128, -128, -128, '\n', -128, -128, '\r', -128, -128);
    const auto hit = [&](__m256i v) __attribute__((target("avx2"))) {
        return _mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, v), v);
    };
    while (end - p >= 128) {
        const auto* q = reinterpret_cast<const __m256i*>(p);
        const __m256i a = _mm256_loadu_si256(q);
        const __m256i b = _mm256_loadu_si256(q + 1);
        const __m256i c = _mm256_loadu_si256(q + 2);
        const __m256i d = _mm256_loadu_si256(q + 3);
        const __m256i hits =
            _mm256_or_si256(_mm256_or_si256(hit(a), hit(b)), _mm256_or_si256(hit(c), hit(d)));
        if (!_mm256_testz_si256(hits, hits)) break;  // the line ends in here: find where below
        seen = _mm256_or_si256(seen, _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d)));
        p += 128;
    }
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        if (const unsigned mask = line_end_mask(v); mask != 0) return finish_block(p, v, mask, seen);
        seen = _mm256_or_si256(seen, v);
        p += 32;
    }
    bool ascii = _mm256_movemask_epi8(seen) == 0;
    while (p != end && *p != '\r' && *p != '\n') {
        ascii &= static_cast<unsigned char>(*p) < 0x80;
        ++p;
    }
    return {p, ascii};
}

}  // namespace sse::detail

#else

namespace sse::detail {
const bool cpu_has_avx2 = false;
line_scan scan_line_avx2(const char* p, const char* end) noexcept { return scan_line(p, end); }
}  // namespace sse::detail

#endif
