// sse::detail's byte-level helpers: UTF-8 validation and repair against the WHATWG Encoding
// standard (every boundary of the well-formed table), and the SSE2 / SWAR scans at every
// alignment and length, including buffers that end flush against an unmapped page.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "sse/detail/scan.hpp"
#include "sse/detail/utf8.hpp"
#include "support/reference_parser.hpp"
#include "support/vectors.hpp"

namespace {

using sse::test::escape_bytes;
namespace detail = sse::detail;

const std::string R = "\xEF\xBF\xBD";  // U+FFFD

std::string repaired(std::string_view s) {
    std::string out = "<";  // appends: keep what was there
    detail::utf8_append_repaired(s, out);
    EXPECT_EQ(out.substr(0, 1), "<") << "utf8_append_repaired must append, not assign";
    return out.substr(1);
}

struct utf8_case {
    std::string bytes;
    std::string expected;  // the WHATWG decode, re-encoded
};

// Well-formed sequences at every edge of the Unicode "well-formed UTF-8 byte sequences" table.
const std::vector<std::string> well_formed = {
    "",
    std::string("\x00", 1),
    "\x7F",
    "abc",
    "\xC2\x80",          // U+0080, smallest 2-byte
    "\xDF\xBF",          // U+07FF, largest 2-byte
    "\xE0\xA0\x80",      // U+0800: E0 needs A0..BF
    "\xE0\xBF\xBF",      // U+0FFF
    "\xE1\x80\x80",      // U+1000
    "\xEC\xBF\xBF",      // U+CFFF
    "\xED\x80\x80",      // U+D000
    "\xED\x9F\xBF",      // U+D7FF: ED needs 80..9F
    "\xEE\x80\x80",      // U+E000
    "\xEF\xBB\xBF",      // U+FEFF: the helpers never strip a BOM
    "\xEF\xBF\xBD",      // U+FFFD itself
    "\xEF\xBF\xBF",      // U+FFFF
    "\xF0\x90\x80\x80",  // U+10000: F0 needs 90..BF
    "\xF0\xBF\xBF\xBF",  // U+3FFFF
    "\xF1\x80\x80\x80",  // U+40000
    "\xF3\xBF\xBF\xBF",  // U+FFFFF
    "\xF4\x80\x80\x80",  // U+100000
    "\xF4\x8F\xBF\xBF",  // U+10FFFF: F4 needs 80..8F
    "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z",
};

// Ill-formed input and its WHATWG repair: one U+FFFD per maximal subpart (the lead plus the
// continuation bytes that were acceptable so far), or per byte that cannot start a sequence.
const std::vector<utf8_case> ill_formed = {
    {"\x80", R},
    {"\xBF", R},
    {"\x80\xBF\x80", R + R + R},
    {"\xC0\x80", R + R},  // C0 and C1 never lead
    {"\xC1\xBF", R + R},
    {"\xC2", R},  // truncated at the end
    {"\xC2" "A", R + "A"},
    {"\xC2\xC2\x80", R + "\xC2\x80"},
    {"\xDF\xC0", R + R},
    {"\xE0\x80\x80", R + R + R},  // overlong: E0 80 is not a prefix
    {"\xE0\x9F\xBF", R + R + R},
    {"\xE0\xA0", R},
    {"\xE0\xA0" "A", R + "A"},
    {"\xE1\x80", R},
    {"\xE1\xC0\x80", R + R + R},
    {"\xED\xA0\x80", R + R + R},  // surrogates U+D800..U+DFFF
    {"\xED\xBF\xBF", R + R + R},
    {"\xED\x9F", R},
    {"\xEF\xBF", R},
    {"\xE2\x82\xE2\x82\xAC", R + "\xE2\x82\xAC"},
    {"\xF0\x80\x80\x80", R + R + R + R},  // overlong: F0 80 is not a prefix
    {"\xF0\x8F\xBF\xBF", R + R + R + R},
    {"\xF0\x90", R},
    {"\xF0\x90\x80", R},
    {"\xF0\x90\x80" "A", R + "A"},
    {"\xF0\x9F\x98", R},
    {"\xF4\x8F\xBF", R},
    {"\xF4\x90\x80\x80", R + R + R + R},  // above U+10FFFF
    {"\xF4\xBF\xBF\xBF", R + R + R + R},
    {"\xF5\x80\x80\x80", R + R + R + R},  // F5..FF never lead
    {"\xF7\xBF\xBF\xBF", R + R + R + R},
    {"\xF8\x88\x80\x80\x80", R + R + R + R + R},
    {"\xFC\x84\x80\x80\x80\x80", R + R + R + R + R + R},
    {"\xFE", R},
    {"\xFF", R},
    {"\xFE\xFF", R + R},
    {"a\x80" "b", "a" + R + "b"},
    {"\xC3\n", R + "\n"},  // an ASCII byte always ends the subpart and is kept
    {"\xE2\x82:", R + ":"},
    {"\xF0\x9F\x98\r", R + "\r"},
};

TEST(utf8, well_formed_sequences_are_valid_and_unchanged) {
    for (const auto& s : well_formed) {
        SCOPED_TRACE(escape_bytes(s));
        EXPECT_TRUE(detail::utf8_is_valid(s));
        EXPECT_EQ(detail::utf8_valid_prefix_slow(s), s.size());
        EXPECT_EQ(repaired(s), s);
        std::string out = "junk";
        detail::utf8_assign(out, s);
        EXPECT_EQ(out, s);
    }
}

TEST(utf8, ill_formed_sequences_are_invalid_and_repaired_per_maximal_subpart) {
    for (const auto& [bytes, expected] : ill_formed) {
        SCOPED_TRACE(escape_bytes(bytes));
        EXPECT_FALSE(detail::utf8_is_valid(bytes));
        EXPECT_LT(detail::utf8_valid_prefix_slow(bytes), bytes.size());
        EXPECT_EQ(repaired(bytes), expected);
        std::string out = "junk";
        detail::utf8_assign(out, bytes);
        EXPECT_EQ(out, expected);
    }
}

TEST(utf8, valid_prefix_stops_at_the_first_ill_formed_byte) {
    EXPECT_EQ(detail::utf8_valid_prefix_slow("ab\x80"), 2u);
    EXPECT_EQ(detail::utf8_valid_prefix_slow("\xE2\x82\xAC\xE2\x82"), 3u);
    EXPECT_EQ(detail::utf8_valid_prefix_slow("\xC3\xA9\xED\xA0\x80"), 2u);
    EXPECT_EQ(detail::utf8_valid_prefix_slow(std::string(40, 'x') + "\xFF"), 40u);
}

// The fast path of utf8_is_valid skips ASCII 16 and 8 bytes at a time: put one bad byte at every
// position of strings of every length, so it lands in each lane of each block.
TEST(utf8, one_bad_byte_at_every_position) {
    for (std::size_t length = 1; length <= 48; ++length) {
        for (std::size_t at = 0; at < length; ++at) {
            for (const char bad : {'\x80', '\xC0', '\xFF'}) {
                std::string s(length, 'a');
                s[at] = bad;
                SCOPED_TRACE(escape_bytes(s));
                EXPECT_FALSE(detail::utf8_is_valid(s));
                EXPECT_EQ(detail::utf8_valid_prefix_slow(s), at);
                EXPECT_EQ(repaired(s), std::string(at, 'a') + R + std::string(length - at - 1, 'a'));
            }
            std::string good(length, 'a');
            if (at + 2 <= length) {
                good.replace(at, 2, "\xC3\xA9");
                EXPECT_TRUE(detail::utf8_is_valid(good)) << escape_bytes(good);
            }
        }
    }
}

// Exhaustive agreement with the reference decoder (an independent transcription of the Encoding
// standard's UTF-8 decoder): every 1- and 2-byte string, and every string of up to 4 bytes over
// an alphabet holding each boundary byte of the well-formed table.
void expect_agrees_with_reference(const std::string& s) {
    const std::string want = sse::test::reference::utf8_encode(
        sse::test::reference::utf8_decode_without_bom(s));
    const std::string got = repaired(s);
    const bool valid = detail::utf8_is_valid(s);
    if (got != want || valid != (want == s)) {
        ADD_FAILURE() << "input " << escape_bytes(s) << ": repaired " << escape_bytes(got)
                      << ", reference " << escape_bytes(want) << ", utf8_is_valid " << valid;
    }
}

TEST(utf8, agrees_with_the_reference_decoder_on_every_short_string) {
    for (int a = 0; a < 256; ++a) {
        expect_agrees_with_reference(std::string(1, static_cast<char>(a)));
        for (int b = 0; b < 256; ++b) {
            expect_agrees_with_reference(std::string{static_cast<char>(a), static_cast<char>(b)});
        }
    }
    static constexpr unsigned char alphabet[] = {
        0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
        0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
    std::string s(4, '\0');
    for (const auto a : alphabet) {
        for (const auto b : alphabet) {
            for (const auto c : alphabet) {
                s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                expect_agrees_with_reference(s);
                for (const auto d : alphabet) {
                    s.resize(3);
                    s.push_back(static_cast<char>(d));
                    expect_agrees_with_reference(s);
                }
            }
        }
    }
}

// ---- scans ----------------------------------------------------------------------------------

// A 64-byte-aligned arena: [guard filler][buffer][bytes after end]. The bytes after `end` are
// set to the very byte searched for, so a scan that looked past `end` would report it.
struct arena {
    alignas(64) std::array<char, 256> bytes;
};

constexpr std::size_t max_length = 64;

const char* find_line_end_naive(const char* p, const char* end) {
    while (p != end && *p != '\r' && *p != '\n') ++p;
    return p;
}

// Filler bytes that are not line ends but sit next to them in value, or are high bytes, so a
// SWAR or SIMD compare with the wrong mask would trip on them.
constexpr std::array<char, 10> non_line_end_fillers = {
    'a', '\x00', '\x09', '\x0B', '\x0C', '\x0E', '\x8A', '\x8D', '\xFF', '\x7F'};

TEST(scan, find_line_end_at_every_alignment_length_and_position) {
    arena a;
    for (std::size_t align = 0; align < 16; ++align) {
        for (std::size_t length = 0; length <= max_length; ++length) {
            for (const char target : {'\r', '\n'}) {
                // position == length: no target inside the buffer.
                for (std::size_t pos = 0; pos <= length; ++pos) {
                    for (std::size_t f = 0; f < non_line_end_fillers.size(); f += 3) {
                        a.bytes.fill(target);
                        char* const p = a.bytes.data() + align;
                        for (std::size_t i = 0; i < length; ++i) {
                            p[i] = non_line_end_fillers[(f + i) % non_line_end_fillers.size()];
                        }
                        if (pos < length) p[pos] = target;
                        if (pos + 1 < length) p[pos + 1] = target == '\r' ? '\n' : '\r';
                        const char* got = detail::find_line_end(p, p + length);
                        if (got != p + pos) {
                            ADD_FAILURE() << "align " << align << " length " << length
                                          << " target " << int(target) << " at " << pos
                                          << ": got offset " << (got - p);
                            return;
                        }
                        ASSERT_EQ(got, find_line_end_naive(p, p + length));
                    }
                }
            }
        }
    }
}

TEST(scan, find_line_end_ignores_every_other_byte_value) {
    arena a;
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        for (std::size_t length = 0; length <= max_length; ++length) {
            a.bytes.fill('\n');
            char* const p = a.bytes.data() + 3;
            std::memset(p, c, length);
            const bool is_end = c == '\r' || c == '\n';
            EXPECT_EQ(detail::find_line_end(p, p + length), is_end ? p : p + length)
                << "byte " << b << " length " << length;
        }
    }
}

TEST(scan, ascii_prefix_at_every_alignment_length_and_position) {
    constexpr std::array<char, 4> ascii_fillers = {'a', '\x00', '\x7F', '\n'};
    arena a;
    for (std::size_t align = 0; align < 16; ++align) {
        for (std::size_t length = 0; length <= max_length; ++length) {
            for (const char high : {'\x80', '\xC3', '\xFF'}) {
                for (std::size_t pos = 0; pos <= length; ++pos) {
                    a.bytes.fill(high);
                    char* const p = a.bytes.data() + align;
                    for (std::size_t i = 0; i < length; ++i) p[i] = ascii_fillers[i % 4];
                    if (pos < length) p[pos] = high;
                    const std::size_t got = detail::ascii_prefix(p, p + length);
                    if (got != pos) {
                        ADD_FAILURE() << "align " << align << " length " << length << " byte "
                                      << int(static_cast<unsigned char>(high)) << " at " << pos
                                      << ": got " << got;
                        return;
                    }
                }
            }
        }
    }
}

// scan_line: find_line_end fused with an ASCII test; SSE2 for 16-byte blocks, then AVX2 (when
// the CPU has it) once 128 more bytes remain, then SWAR and bytes. Lengths up to 330 cross every
// one of those hand-overs; 32 alignments cover every lane of a 256-bit load.
struct big_arena {
    alignas(64) std::array<char, 512> bytes;
};

bool ascii_naive(const char* p, const char* end) {
    for (; p != end; ++p) {
        if (static_cast<unsigned char>(*p) >= 0x80) return false;
    }
    return true;
}

std::vector<std::size_t> scan_lengths() {
    std::vector<std::size_t> out;
    for (std::size_t n = 0; n <= 64; ++n) out.push_back(n);
    for (std::size_t n : {79u, 80u, 81u, 127u, 128u, 129u, 143u, 144u, 145u, 146u, 159u, 160u, 161u,
                          175u, 176u, 177u, 191u, 192u, 193u, 255u, 256u, 257u, 300u, 330u}) {
        out.push_back(n);
    }
    return out;
}

TEST(scan, scan_line_finds_the_line_end_and_reports_ascii_exactly) {
    big_arena a;
    std::size_t checked = 0;
    for (const std::size_t length : scan_lengths()) {
        const std::size_t aligns = length <= 64 ? 32 : 4;
        for (std::size_t ai = 0; ai < aligns; ++ai) {
            const std::size_t align = length <= 64 ? ai : std::array<std::size_t, 4>{0, 1, 17, 31}[ai];
            for (std::size_t pos = 0; pos <= length; ++pos) {
                // Where to put one high byte: nowhere, at the start, right before the line end,
                // right after it, and at the last byte of the buffer.
                const std::size_t nowhere = SIZE_MAX;
                for (const std::size_t high_at :
                     {nowhere, std::size_t{0}, pos - 1, pos + 1, pos / 2, length - 1}) {
                    a.bytes.fill('\n');  // beyond `end`: a line end the scan must not see
                    char* const p = a.bytes.data() + align;
                    for (std::size_t i = 0; i < length; ++i) p[i] = static_cast<char>('a' + i % 26);
                    if (pos < length) p[pos] = (pos % 2) ? '\r' : '\n';
                    if (high_at < length && high_at != pos) p[high_at] = (high_at % 2) ? '\xC3' : '\xFF';
                    const sse::detail::line_scan got = sse::detail::scan_line(p, p + length);
                    const char* const want_end = find_line_end_naive(p, p + length);
                    const bool want_ascii = ascii_naive(p, want_end);
                    ++checked;
                    if (got.end != want_end || got.ascii != want_ascii) {
                        ADD_FAILURE() << "align " << align << " length " << length << " line end at "
                                      << pos << " high byte at " << high_at << ": got end "
                                      << (got.end - p) << " ascii " << got.ascii << ", want "
                                      << (want_end - p) << " ascii " << want_ascii;
                        return;
                    }
                }
            }
        }
    }
    EXPECT_GT(checked, 100000u);
    RecordProperty("wide_scan", static_cast<int>(sse::detail::cpu_wide_scan));
}

// Buffers that end exactly where readable memory ends: any read past `end` faults.
class guard_page : public ::testing::Test {
protected:
    void SetUp() override {
        page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        void* m = mmap(nullptr, 2 * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_NE(m, MAP_FAILED);
        base_ = static_cast<char*>(m);
        ASSERT_EQ(mprotect(base_ + page_, page_, PROT_NONE), 0);
    }
    void TearDown() override {
        if (base_ != nullptr) munmap(base_, 2 * page_);
    }
    // A buffer of `length` bytes ending at the guard page.
    char* flush(std::size_t length) { return base_ + page_ - length; }

    std::size_t page_ = 0;
    char* base_ = nullptr;
};

TEST_F(guard_page, find_line_end_never_reads_past_end) {
    for (std::size_t length = 0; length <= 3 * max_length; ++length) {
        char* const p = flush(length);
        std::memset(p, 'x', length);
        EXPECT_EQ(detail::find_line_end(p, p + length), p + length) << "no line end, " << length;
        if (length == 0) continue;
        for (const char target : {'\r', '\n'}) {
            p[length - 1] = target;  // the target is the very last readable byte
            EXPECT_EQ(detail::find_line_end(p, p + length), p + length - 1) << length;
            p[length - 1] = 'x';
        }
    }
}

TEST_F(guard_page, ascii_prefix_never_reads_past_end) {
    for (std::size_t length = 0; length <= 3 * max_length; ++length) {
        char* const p = flush(length);
        std::memset(p, 'x', length);
        EXPECT_EQ(detail::ascii_prefix(p, p + length), length);
        if (length == 0) continue;
        p[length - 1] = '\x80';
        EXPECT_EQ(detail::ascii_prefix(p, p + length), length - 1);
    }
}

TEST_F(guard_page, scan_line_never_reads_past_end) {
    for (std::size_t length = 0; length <= 400; ++length) {
        char* const p = flush(length);
        std::memset(p, 'x', length);
        auto got = sse::detail::scan_line(p, p + length);
        EXPECT_EQ(got.end, p + length) << length;
        EXPECT_TRUE(got.ascii) << length;
        if (length == 0) continue;
        p[length - 1] = '\x80';  // a high byte as the very last readable byte
        got = sse::detail::scan_line(p, p + length);
        EXPECT_EQ(got.end, p + length) << length;
        EXPECT_FALSE(got.ascii) << length;
        p[length - 1] = '\r';  // the line end as the very last readable byte
        got = sse::detail::scan_line(p, p + length);
        EXPECT_EQ(got.end, p + length - 1) << length;
        EXPECT_TRUE(got.ascii) << length;
    }
}

TEST_F(guard_page, utf8_helpers_never_read_past_end) {
    // Truncated sequences flush against the guard: the decoder must not peek for the next byte.
    for (const std::string tail : {"\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xE2\x82\xAC", "\xFF"}) {
        for (std::size_t prefix = 0; prefix <= 40; ++prefix) {
            const std::string s = std::string(prefix, 'a') + tail;
            char* const p = flush(s.size());
            std::memcpy(p, s.data(), s.size());
            const std::string_view v(p, s.size());
            const bool valid = tail == "\xE2\x82\xAC";
            EXPECT_EQ(detail::utf8_is_valid(v), valid) << escape_bytes(s);
            std::string out;
            detail::utf8_append_repaired(v, out);
            EXPECT_EQ(out, valid ? s : std::string(prefix, 'a') + R) << escape_bytes(s);
        }
    }
}

}  // namespace
