// Properties of sse::parser over random streams (RapidCheck; RC_PARAMS="max_success=N seed=S" to
// run more cases or replay a failure):
// - chunking and pausing never change the outcome;
// - the outcome equals the naive reference parser's (tests/support/reference_parser.cpp);
// - LF, CR and CRLF line ends are interchangeable;
// - with limits, the stream stops exactly where an independent limit model says, after exactly
//   the records the unlimited parse produced up to that line.
// And, counted rather than timed: the parser allocates nothing per event in the steady state, and
// a huge event fed byte by byte costs a logarithmic number of allocations.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "support/recorder.hpp"
#include "support/reference_parser.hpp"
#include "support/split_parse.hpp"
#include "support/vectors.hpp"

namespace sse::test {

// RapidCheck prints counterexamples with showValue; make outcomes readable.
inline void showValue(const parse_outcome& o, std::ostream& os) {
    os << "{records [";
    for (std::size_t i = 0; i < o.records.size(); ++i) os << (i ? ", " : "") << o.records[i];
    os << "], last_event_id \"" << escape_bytes(o.last_event_id) << "\", error \""
       << (o.error ? o.error.message() : "") << "\"}";
}

}  // namespace sse::test

namespace {

using sse::parser_limits;
using sse::test::escape_bytes;
using sse::test::parse_chunked;
using sse::test::parse_outcome;
using sse::test::parse_split;
namespace gen = rc::gen;

// ---- generators -----------------------------------------------------------------------------

// Pieces of field values: text, the delimiters the parser looks at, digits, NUL, a BOM, and
// well-formed and ill-formed UTF-8 (including sequences that a line end would cut short).
const std::vector<std::string>& value_pieces() {
    static const std::vector<std::string> pieces = {
        "a", "b", "xyz", " ", "  ", ":", ": ", "0", "7", "42", "00", "+1", "-", ".",
        std::string("\0", 1), "\t", "\xEF\xBB\xBF", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
        "\xF4\x8F\xBF\xBF", "\x80", "\xBF", "\xC0", "\xC3", "\xE2\x82", "\xED\xA0\x80",
        "\xF0\x9F\x98", "\xF4\x90\x80\x80", "\xFE", "\xFF", "data", "id"};
    return pieces;
}

const std::vector<std::string>& line_ends() {
    static const std::vector<std::string> ends = {"\n", "\r", "\r\n"};
    return ends;
}

// A field value: a few pieces, and (when `line_ends_inside`) an occasional stray line end that
// cuts the line somewhere unexpected.
rc::Gen<std::string> gen_value(bool line_ends_inside) {
    auto piece = line_ends_inside
                     ? gen::weightedOneOf<std::string>({{12, gen::elementOf(value_pieces())},
                                                        {1, gen::elementOf(line_ends())}})
                     : gen::elementOf(value_pieces());
    return gen::map(gen::resize(5, gen::container<std::vector<std::string>>(piece)),
                    [](const std::vector<std::string>& parts) {
                        std::string out;
                        for (const auto& p : parts) out += p;
                        return out;
                    });
}

// One line's content, without its line end: mostly known fields, some unknown or misspelled
// names, comments, blank lines, value-less fields and well-formed retry values.
rc::Gen<std::string> gen_line(bool line_ends_inside) {
    auto name = gen::weightedOneOf<std::string>({
        {8, gen::just(std::string("data"))},
        {3, gen::element<std::string>("event", "id", "retry")},
        {2, gen::element<std::string>("foo", "Data", "ID", "dat", " data", "data ", "\xEF\xBB\xBF" "data",
                                      "d\xFF" "ata", "", std::string("id\0", 3))},
    });
    auto separator = gen::element<std::string>(":", ": ", ": ", ":  ", "");
    auto field = gen::apply(
        [](const std::string& n, const std::string& sep, const std::string& v) {
            return n + sep + v;
        },
        name, separator, gen_value(line_ends_inside));
    auto retry = gen::map(gen::pair(gen::element<std::string>("retry:", "retry: "),
                                    gen::container<std::string>(gen::inRange('0', ':'))),
                          [](const std::pair<std::string, std::string>& p) { return p.first + p.second; });
    return gen::weightedOneOf<std::string>({
        {10, field},
        {2, gen::map(gen_value(line_ends_inside), [](const std::string& v) { return ":" + v; })},
        {4, gen::just(std::string())},
        {1, retry},
    });
}

// A whole stream: an optional BOM, lines each with a random line end, and an optional
// unterminated tail.
rc::Gen<std::string> gen_stream() {
    auto line = gen::pair(gen_line(true), gen::elementOf(line_ends()));
    return gen::apply(
        [](bool bom, const std::vector<std::pair<std::string, std::string>>& lines,
           const std::string& tail) {
            std::string out = bom ? "\xEF\xBB\xBF" : "";
            for (const auto& [text, end] : lines) out += text + end;
            return out + tail;
        },
        gen::weightedOneOf<bool>({{4, gen::just(false)}, {1, gen::just(true)}}),
        gen::resize(30, gen::container<std::vector<std::pair<std::string, std::string>>>(line)),
        gen::weightedOneOf<std::string>({{3, gen::just(std::string())}, {1, gen_line(false)}}));
}

// Byte soup from the characters that matter, for the cases structure-aware generators miss.
rc::Gen<std::string> gen_soup() {
    return gen::container<std::string>(gen::element<char>(
        'd', 'a', 't', 'a', ':', ' ', '\r', '\n', '\n', 'i', 'e', 'v', 'n', 'r', 'y', '1', '\0',
        '\xEF', '\xBB', '\xBF', '\xC3', '\x80', '\xFF'));
}

rc::Gen<std::string> gen_any_stream() {
    return gen::weightedOneOf<std::string>(
        {{6, gen_stream()}, {2, gen_soup()}, {1, gen::arbitrary<std::string>()}});
}

// Long lines. The wide scans start 128 bytes into a line, and a line is copied into the line
// buffer while it is scanned only when that buffer already has room for the rest of the input
// (detail/scan.hpp, detail/line_reader.hpp): streams of short lines never get there. These
// values are runs of one piece repeated, up to a few KiB, so a stream has lines of many lengths
// and its later long lines meet a buffer an earlier one grew.
const std::vector<std::string>& long_value_pieces() {
    static const std::vector<std::string> pieces = {
        "a", "0123456789abcdef", "{\"k\": \"v\"}, ", " ", ":", "\t", std::string("\0", 1), "\x7F",
        "\x0B\x0C", "\x0E", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\x80", "\xFF", "\xE2\x82"};
    return pieces;
}

rc::Gen<std::string> gen_long_value() {
    auto run = gen::apply(
        [](const std::string& piece, std::size_t times) {
            std::string out;
            for (std::size_t i = 0; i < times; ++i) out += piece;
            return out;
        },
        gen::weightedOneOf<std::string>({{6, gen::just(std::string("x"))},
                                         {6, gen::just(std::string("0123456789abcdef"))},
                                         {5, gen::elementOf(long_value_pieces())}}),
        gen::inRange<std::size_t>(1, 600));
    return gen::map(gen::resize(6, gen::container<std::vector<std::string>>(run)),
                    [](const std::vector<std::string>& runs) {
                        std::string out;
                        for (const auto& r : runs) out += r;
                        return out;
                    });
}

rc::Gen<std::string> gen_long_line_stream() {
    auto long_line = gen::apply(
        [](const std::string& prefix, const std::string& value) { return prefix + value; },
        gen::weightedOneOf<std::string>({{8, gen::just(std::string("data: "))},
                                         {1, gen::element<std::string>("data:", ":", "id: ", "event: ")}}),
        gen_long_value());
    auto line = gen::pair(
        gen::weightedOneOf<std::string>({{4, long_line}, {3, gen_line(false)}, {2, gen::just(std::string())}}),
        gen::elementOf(line_ends()));
    return gen::apply(
        [](const std::vector<std::pair<std::string, std::string>>& lines, const std::string& tail) {
            std::string out;
            for (const auto& [text, end] : lines) out += text + end;
            return out + tail;
        },
        gen::resize(24, gen::container<std::vector<std::pair<std::string, std::string>>>(line)),
        gen::weightedOneOf<std::string>({{2, gen::just(std::string())}, {1, long_line}}));
}

// Random cut points into a string of length n.
std::vector<std::size_t> random_cuts(std::size_t n) {
    return *gen::resize(
        12, gen::container<std::vector<std::size_t>>(gen::inRange<std::size_t>(0, n + 1)));
}

// ---- an independent model of ssekit's limits ------------------------------------------------

// Where the first limit error happens, per parser_limits' documentation: a line (input bytes,
// without its line end and without the stripped BOM) longer than max_line_length, even one the
// input never finishes; an event whose data buffer (each data value's input bytes plus one LF)
// plus event type exceeds max_event_size, at the line that makes it so. `records_end` is the
// offset just past the last line processed before the error.
struct limit_verdict {
    std::error_code error;
    std::size_t records_end = 0;
};

limit_verdict first_limit_error(std::string_view s, parser_limits lim) {
    // Input that is only the start of a BOM (EF, EF BB) may still become one: its bytes are not
    // known to be line content until more arrives, and at the end of input they are discarded.
    if (s.size() < 3 && std::string_view("\xEF\xBB\xBF").starts_with(s)) return {};
    std::size_t i = s.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    std::size_t data_size = 0;
    std::size_t type_size = 0;
    for (;;) {
        std::size_t j = i;
        while (j < s.size() && s[j] != '\r' && s[j] != '\n') ++j;
        const std::string_view line = s.substr(i, j - i);
        if (line.size() > lim.max_line_length) return {sse::errc::line_too_long, i};
        if (j == s.size()) return {};  // an unterminated line is never processed
        std::size_t next = j + 1;
        if (s[j] == '\r' && next < s.size() && s[next] == '\n') ++next;
        if (line.empty()) {
            data_size = type_size = 0;
        } else if (line.front() != ':') {
            const std::size_t colon = line.find(':');
            const std::string_view name = line.substr(0, colon);
            std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
            if (value.starts_with(' ')) value.remove_prefix(1);
            if (name == "data") data_size += value.size() + 1;
            if (name == "event") type_size = value.size();
            if ((name == "data" || name == "event") && data_size + type_size > lim.max_event_size) {
                return {sse::errc::event_too_large, i};
            }
        }
        i = next;
    }
}

parse_outcome expected_with_limits(std::string_view s, parser_limits lim) {
    const limit_verdict v = first_limit_error(s, lim);
    if (!v.error) return sse::test::reference::parse(s);
    parse_outcome o = sse::test::reference::parse(s.substr(0, v.records_end));
    o.error = v.error;
    return o;
}

bool is_prefix(const std::vector<sse::test::record>& prefix,
               const std::vector<sse::test::record>& whole) {
    return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

// ---- properties -----------------------------------------------------------------------------

RC_GTEST_PROP(parser_properties, split_anywhere_gives_the_same_outcome, ()) {
    const std::string s = *gen_any_stream();
    const auto cuts = random_cuts(s.size());
    RC_ASSERT(parse_split(s, cuts) == parse_chunked(s, 0));
}

RC_GTEST_PROP(parser_properties, byte_by_byte_gives_the_same_outcome, ()) {
    const std::string s = *gen_any_stream();
    RC_ASSERT(parse_chunked(s, 1) == parse_chunked(s, 0));
}

RC_GTEST_PROP(parser_properties, agrees_with_the_reference_parser, ()) {
    const std::string s = *gen_any_stream();
    const parse_outcome got = parse_chunked(s, 0);
    RC_TAG(got.records.empty() ? "no records" : "records");
    RC_ASSERT(got == sse::test::reference::parse(s));
}

RC_GTEST_PROP(parser_properties, agrees_with_the_reference_parser_on_any_bytes,
              (const std::string& s)) {
    RC_ASSERT(parse_chunked(s, 0) == sse::test::reference::parse(s));
}

RC_GTEST_PROP(parser_properties, pausing_gives_the_same_outcome, ()) {
    const std::string s = *gen_any_stream();
    const auto every = *gen::inRange<std::size_t>(1, 4);
    const auto chunk = *gen::inRange<std::size_t>(0, 9);
    const auto cuts = random_cuts(s.size());
    const parse_outcome whole = parse_chunked(s, 0);
    RC_ASSERT(parse_chunked(s, chunk, {}, every) == whole);
    RC_ASSERT(parse_split(s, cuts, {}, every) == whole);
}

RC_GTEST_PROP(parser_properties, long_lines_in_any_chunks_agree_with_the_reference_parser, ()) {
    const std::string s = *gen_long_line_stream();
    const parse_outcome expected = sse::test::reference::parse(s);
    RC_ASSERT(parse_split(s, random_cuts(s.size())) == expected);
    const auto chunk = *gen::weightedOneOf<std::size_t>(
        {{1, gen::element<std::size_t>(64, 129, 256, 1000, 4096)}, {2, gen::inRange<std::size_t>(1, 3000)}});
    RC_TAG(chunk < 128 ? "chunks under 128 bytes" : "chunks of 128 bytes or more");
    RC_ASSERT(parse_chunked(s, chunk) == expected);
}

// The same lines joined with LF, with CR, with CRLF, and with a random mix give one outcome. A
// mix must not put a CR-ended line before an empty LF-ended line: that CR and LF would read as
// one CRLF, merging two line ends into one.
RC_GTEST_PROP(parser_properties, line_end_style_does_not_matter, ()) {
    const bool bom = *gen::weightedOneOf<bool>({{4, gen::just(false)}, {1, gen::just(true)}});
    const auto lines = *gen::resize(30, gen::container<std::vector<std::string>>(gen_line(false)));
    const std::string tail = *gen::weightedOneOf<std::string>(
        {{2, gen::just(std::string())}, {1, gen_line(false)}});
    std::vector<std::string> mixed_ends;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string end = *gen::elementOf(line_ends());
        if (end == "\n" && lines[i].empty() && i > 0 && mixed_ends[i - 1] == "\r") end = "\r\n";
        mixed_ends.push_back(end);
    }
    const auto join = [&](auto end_of) {
        std::string out = bom ? "\xEF\xBB\xBF" : "";
        for (std::size_t i = 0; i < lines.size(); ++i) out += lines[i] + end_of(i);
        return out + tail;
    };
    const std::string lf = join([](std::size_t) { return "\n"; });
    const parse_outcome expected = parse_chunked(lf, 0);
    RC_ASSERT(parse_chunked(join([](std::size_t) { return "\r"; }), 0) == expected);
    RC_ASSERT(parse_chunked(join([](std::size_t) { return "\r\n"; }), 0) == expected);
    const std::string mixed = join([&](std::size_t i) { return mixed_ends[i]; });
    RC_ASSERT(parse_chunked(mixed, 0) == expected);
    RC_ASSERT(parse_split(mixed, random_cuts(mixed.size())) == expected);
}

// Small limits, spread so that line errors, event errors and no error are each common.
parser_limits gen_small_limits() {
    const auto small = [](std::size_t hi) {
        return gen::weightedOneOf<std::size_t>(
            {{1, gen::inRange<std::size_t>(0, 8)}, {3, gen::inRange<std::size_t>(8, hi)}});
    };
    parser_limits lim;
    lim.max_line_length = *small(80);
    lim.max_event_size = *small(60);
    return lim;
}

RC_GTEST_PROP(parser_properties, limits_stop_exactly_where_the_model_says, ()) {
    const std::string s = *gen_any_stream();
    const parser_limits lim = gen_small_limits();
    const parse_outcome got = parse_chunked(s, 0, lim);
    RC_TAG(got.error ? got.error.message() : "no error");
    RC_ASSERT(got == expected_with_limits(s, lim));
    RC_ASSERT(parse_split(s, random_cuts(s.size()), lim) == got);
}

RC_GTEST_PROP(parser_properties, records_before_a_limit_error_are_a_prefix_of_the_unlimited_parse,
              ()) {
    const std::string s = *gen_any_stream();
    parser_limits lim = gen_small_limits();
    const parse_outcome limited = parse_split(s, random_cuts(s.size()), lim);
    const parse_outcome unlimited = parse_chunked(s, 0);
    if (!limited.error) {
        RC_ASSERT(limited == unlimited);
    } else {
        RC_ASSERT(limited.error == sse::errc::line_too_long ||
                  limited.error == sse::errc::event_too_large);
        RC_ASSERT(is_prefix(limited.records, unlimited.records));
    }
    // Limits as large as the input can never trip: every size is counted in input bytes.
    lim.max_line_length = lim.max_event_size = s.size();
    RC_ASSERT(parse_chunked(s, 0, lim) == unlimited);
}

// ---- work, counted --------------------------------------------------------------------------

// Heap allocations made on this thread while counting is on (operator new is replaced below).
thread_local bool counting = false;
thread_local std::size_t allocations = 0;

struct allocation_counter {
    allocation_counter() {
        allocations = 0;
        counting = true;
    }
    ~allocation_counter() { counting = false; }
    std::size_t count() const { return allocations; }
};

// A handler that keeps only counts and checksums, so it allocates nothing itself.
class tally final : public sse::handler {
public:
    std::size_t events = 0, retries = 0, data_bytes = 0;

    sse::action on_event(const sse::event& e) override {
        ++events;
        data_bytes += e.data.size() + e.type.size() + e.last_event_id.size();
        return sse::action::proceed;
    }
    sse::action on_retry(std::uint64_t) override {
        ++retries;
        return sse::action::proceed;
    }
};

void feed_in_chunks(sse::parser& p, std::string_view bytes, std::size_t chunk) {
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
        const auto r = p.feed(bytes.substr(at, chunk));
        ASSERT_FALSE(r.error) << r.error.message();
        ASSERT_EQ(r.consumed, std::min(chunk, bytes.size() - at));
    }
}

// One round of a realistic stream: every field kind, multi-line data, non-ASCII and ill-formed
// UTF-8 (repaired at dispatch), CR / LF / CRLF, comments, ids that change length.
std::string steady_round(std::size_t i) {
    const std::string n = std::to_string(i % 1000);
    return ": heartbeat\r\n"
           "event: update\n"
           "id: " + n + "\n"
           "data: {\"seq\": " + n + ", \"text\": \"caf\xC3\xA9\"}\r"
           "data: second line " + n + "\n"
           "\n"
           "data: \xFF bad byte\r\n\r\n"
           "retry: 3000\n"
           "data: " + std::string(200 + i % 50, 'x') + "\n\n";
}

TEST(parser_work, the_steady_state_allocates_nothing_per_event) {
    std::string stream;
    for (std::size_t i = 0; i < 64; ++i) stream += steady_round(i);
    for (const std::size_t chunk : {stream.size(), std::size_t{4096}, std::size_t{7}, std::size_t{1}}) {
        SCOPED_TRACE("chunks of " + std::to_string(chunk));
        tally t;
        sse::parser p(t);
        // Warm up: the buffers reach their working size. (The line buffer and the data buffer
        // trade capacities when a first data line spans chunks, so this takes a few rounds.)
        for (int round = 0; round < 3; ++round) feed_in_chunks(p, stream, chunk);
        const std::size_t warm_events = t.events / 3;
        std::size_t counted = 0;
        {
            allocation_counter c;
            for (int round = 0; round < 20; ++round) feed_in_chunks(p, stream, chunk);
            counted = c.count();
        }
        EXPECT_EQ(t.events, 23 * warm_events);
        EXPECT_EQ(warm_events, 64u * 3u) << "three events a round";
        EXPECT_EQ(t.retries, 23u * 64u);
        EXPECT_EQ(counted, 0u) << "allocations while parsing " << 20 * warm_events << " events";
    }
}

// 8 MiB of one data line, then its dispatch, fed one byte per feed(): the line buffer grows
// geometrically, so the allocations stay logarithmic. (A parser that rescanned or copied its
// pending line on every feed would do 2^45 byte operations here and never finish.)
TEST(parser_work, an_8_mib_event_fed_byte_by_byte_allocates_logarithmically) {
    constexpr std::size_t size = std::size_t{8} << 20;
    std::string stream = "data: ";
    stream.append(size, 'z');
    stream += "\n\n";
    tally t;
    sse::parser p(t);
    std::size_t counted = 0;
    {
        allocation_counter c;
        const char* const bytes = stream.data();
        for (std::size_t i = 0; i < stream.size(); ++i) {
            if (p.feed(std::string_view(bytes + i, 1)).error) break;
        }
        counted = c.count();
    }
    EXPECT_FALSE(p.finish());
    EXPECT_EQ(t.events, 1u);
    EXPECT_EQ(t.data_bytes, size + 7) << "data plus the type \"message\"";
    EXPECT_LE(counted, 64u) << "allocations for one 8 MiB line fed byte by byte";
}

}  // namespace

// Counting replacements of the global allocation functions (the array and nothrow forms funnel
// into these through the standard library's defaults). GCC cannot see that the pair matches once
// it inlines them, hence the pragma.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
    if (counting) ++allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
