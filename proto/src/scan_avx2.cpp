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

__attribute__((target("avx2"))) line_scan scan_line_avx2(const char* p, const char* end) noexcept {
    const __m256i cr = _mm256_set1_epi8('\r');
    const __m256i lf = _mm256_set1_epi8('\n');
    __m256i seen = _mm256_setzero_si256();
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const unsigned mask = static_cast<unsigned>(
            _mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, lf))));
        if (mask != 0) {
            const unsigned at = static_cast<unsigned>(__builtin_ctz(mask));
            const unsigned long long before =
                static_cast<unsigned>(_mm256_movemask_epi8(v)) & ((1ull << at) - 1ull);
            return {p + at, before == 0 && _mm256_movemask_epi8(seen) == 0};
        }
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
