// detail::scan_line (SSE2, SWAR and the AVX2 long-line path) against a byte-by-byte reference,
// at every length, line-end position and non-ASCII position that crosses its block sizes.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sse/detail/scan.hpp"

namespace {

struct reference_scan {
    std::size_t end;
    bool ascii;
};

reference_scan naive(const char* p, std::size_t n) {
    std::size_t i = 0;
    bool ascii = true;
    for (; i < n && p[i] != '\r' && p[i] != '\n'; ++i) ascii &= static_cast<unsigned char>(p[i]) < 0x80;
    return {i, ascii};
}

// Copies `s` to the very end of a heap block so a read past the end lands outside it (ASan).
void check(const std::string& s) {
    const auto block = std::make_unique<char[]>(s.size() + 1);
    char* const p = block.get() + 1;
    s.copy(p, s.size());
    const sse::detail::line_scan got = sse::detail::scan_line(p, p + s.size());
    const reference_scan want = naive(p, s.size());
    ASSERT_EQ(static_cast<std::size_t>(got.end - p), want.end) << "length " << s.size();
    ASSERT_EQ(got.ascii, want.ascii) << "length " << s.size() << " end " << want.end;
    ASSERT_EQ(sse::detail::find_line_end(p, p + s.size()) - p, static_cast<std::ptrdiff_t>(want.end));
}

TEST(scan_line, finds_cr_or_lf_at_every_position_of_every_length) {
    for (std::size_t n = 0; n <= 600; n += (n < 300 ? 1 : 7)) {
        check(std::string(n, 'x'));
        for (std::size_t at = 0; at < n; ++at) {
            for (const char end : {'\r', '\n'}) {
                std::string s(n, 'x');
                s[at] = end;
                check(s);
            }
        }
    }
}

TEST(scan_line, reports_non_ascii_only_before_the_line_end) {
    for (const std::size_t n : {1u, 15u, 16u, 17u, 64u, 100u, 129u, 200u, 256u, 300u, 513u}) {
        for (std::size_t high = 0; high < n; ++high) {
            std::string s(n, 'a');
            s[high] = '\xC3';
            check(s);  // no line end
            if (n > 2) {
                const std::size_t eol = n / 2;
                std::string t = s;
                t[eol == high ? eol + 1 : eol] = '\n';  // non-ASCII before or after the end
                check(t);
            }
        }
    }
}

TEST(scan_line, long_ascii_line_with_late_line_end_uses_every_path) {
    // 64 KiB: long enough for the AVX2 loop where the CPU has it; both answers must agree.
    std::string s(1 << 16, 'y');
    s[s.size() - 5] = '\r';
    check(s);
    s[100] = '\x80';
    check(s);
}

}  // namespace
