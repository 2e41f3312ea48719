// detail::scan_line (SSE2, SWAR and the wide long-line path) and each wide scan on its own (AVX2,
// AVX-512, with and without the copy) against a byte-by-byte reference, at every length,
// line-end position and non-ASCII position that crosses their block sizes.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

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

// ---- the wide scans, each on its own ---------------------------------------------------------

using sse::detail::wide_scan;

// Every wide scan this CPU can run: scan_line uses only the best one, so the others would go
// untested on a CPU that has them all.
std::vector<wide_scan> supported_wide_scans() {
    switch (sse::detail::cpu_wide_scan) {
    case wide_scan::avx512: return {wide_scan::avx2, wide_scan::avx512};
    case wide_scan::avx2: return {wide_scan::avx2};
    case wide_scan::none: return {};
    }
    return {};
}

const char* name(wide_scan how) { return how == wide_scan::avx512 ? "avx512" : "avx2"; }

// Scans `s` with `how`, without and with the copy; both must match the reference, and the copy
// must hold the line's bytes. Input and copy each end a heap block exactly (ASan sees overruns).
void check_wide(const std::string& s, wide_scan how) {
    const auto block = std::make_unique<char[]>(s.size() + 1);
    char* const p = block.get() + 1;
    s.copy(p, s.size());
    const reference_scan want = naive(p, s.size());
    const sse::detail::line_scan got = sse::detail::scan_line_wide(p, p + s.size(), nullptr, how);
    ASSERT_EQ(static_cast<std::size_t>(got.end - p), want.end) << name(how) << " length " << s.size();
    ASSERT_EQ(got.ascii, want.ascii) << name(how) << " length " << s.size() << " end " << want.end;
    ASSERT_FALSE(got.copied);
    const auto copy = std::make_unique<char[]>(s.size() + 1);
    char* const to = copy.get() + 1;
    const sse::detail::line_scan copied = sse::detail::scan_line_wide(p, p + s.size(), to, how);
    ASSERT_EQ(copied.end, got.end) << name(how) << " copying, length " << s.size();
    ASSERT_EQ(copied.ascii, got.ascii) << name(how) << " copying, length " << s.size();
    ASSERT_TRUE(copied.copied);
    ASSERT_EQ(std::memcmp(to, p, want.end), 0) << name(how) << " copy differs, length " << s.size();
}

// Lengths around every step the wide scans take: 32-, 64- and 128-byte blocks and the tails.
std::vector<std::size_t> wide_lengths() {
    std::vector<std::size_t> out;
    for (std::size_t n = 0; n <= 300; ++n) out.push_back(n);
    for (std::size_t n = 301; n <= 1100; n += 13) out.push_back(n);
    return out;
}

TEST(scan_line_wide, finds_cr_or_lf_at_every_position_and_copies_what_it_scanned) {
    for (const wide_scan how : supported_wide_scans()) {
        for (const std::size_t n : wide_lengths()) {
            check_wide(std::string(n, 'x'), how);
            for (std::size_t at = 0; at < n; at += (n < 200 ? 1 : 5)) {
                for (const char end : {'\r', '\n'}) {
                    std::string s(n, 'x');
                    s[at] = end;
                    check_wide(s, how);
                }
            }
        }
    }
}

// Bytes the cheap filter flags without being line ends (control characters, NUL, DEL's
// neighbours, high bytes) before, at and after the line end, alone and together: the exact test
// must let every one of them pass, and only the high ones may change the ASCII answer.
TEST(scan_line_wide, flagged_bytes_that_are_not_line_ends_are_skipped_exactly) {
    const std::string odd = std::string("\t\x00\x01\x0B\x0C\x0E\x7F\x80\x8A\x8D\xC3\xFF", 12);
    for (const wide_scan how : supported_wide_scans()) {
        for (const std::size_t n : {1u, 31u, 32u, 63u, 64u, 65u, 127u, 128u, 129u, 200u, 255u, 256u,
                                    257u, 300u, 383u, 384u, 515u, 1024u}) {
            for (std::size_t at = 0; at < n; at += (n < 300 ? 1 : 3)) {
                for (const char c : odd) {
                    std::string s(n, 'y');
                    s[at] = c;
                    check_wide(s, how);  // no line end
                    if (n > 2) {
                        std::string t = s;
                        t[n - 1] = '\n';
                        check_wide(t, how);  // the flagged byte before the line end (or at it)
                        t = s;
                        t[n / 2] = '\r';
                        check_wide(t, how);  // before or after the line end
                    }
                }
            }
            // A TAB early (the filter then keeps flagging) and a high byte late: both answers.
            std::string s(n, 'z');
            s[0] = '\t';
            s[n - 1] = '\xE2';
            check_wide(s, how);
        }
    }
}

// Memory that ends at an unmapped page: the masked loads and stores of the wide scans' tails must
// not touch a byte past `end` or past `to + (end - p)`.
TEST(scan_line_wide, never_reads_or_writes_past_the_end) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* const m = mmap(nullptr, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(m, MAP_FAILED);
    char* const base = static_cast<char*>(m);
    // [input page][guard][copy page][guard]
    ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
    ASSERT_EQ(mprotect(base + 3 * page, page, PROT_NONE), 0);
    for (const wide_scan how : supported_wide_scans()) {
        for (std::size_t length = 0; length <= 600; ++length) {
            char* const p = base + page - length;
            char* const to = base + 3 * page - length;
            std::memset(p, 'x', length);
            auto got = sse::detail::scan_line_wide(p, p + length, to, how);
            EXPECT_EQ(got.end, p + length) << name(how) << " " << length;
            EXPECT_TRUE(got.ascii) << name(how) << " " << length;
            if (length == 0) continue;
            p[length - 1] = '\x80';
            got = sse::detail::scan_line_wide(p, p + length, to, how);
            EXPECT_EQ(got.end, p + length) << name(how) << " " << length;
            EXPECT_FALSE(got.ascii) << name(how) << " " << length;
            p[length - 1] = '\n';
            got = sse::detail::scan_line_wide(p, p + length, nullptr, how);
            EXPECT_EQ(got.end, p + length - 1) << name(how) << " " << length;
            EXPECT_TRUE(got.ascii) << name(how) << " " << length;
        }
    }
    munmap(m, 4 * page);
    RecordProperty("wide_scans", static_cast<int>(supported_wide_scans().size()));
}

}  // namespace
