// sse::encode and friends: exact bytes for representative messages, every rejection, and what
// ssekit's own parser makes of the output. The round trip over arbitrary input is in
// tests/property/encoder_properties.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "sse/encoder.hpp"
#include "sse/error.hpp"
#include "sse/message.hpp"
#include "support/recorder.hpp"

// Counts heap allocations so the tests can hold the encoder to "at most one allocation per call".
namespace {
std::size_t allocations = 0;
}  // namespace

// GCC's optimiser sees these through inlining and warns that malloc'd memory is freed by a
// replaced delete; the pair is consistent, so the warning is silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

using namespace std::string_literals;
using sse::message;
using sse::test::parse_outcome;
using sse::test::record;

record ev(std::string_view type, std::string_view data, std::string_view id) {
    return record::make_event(type, data, id);
}

// Encodes `m` after some existing content, checks that exactly encoded_size(m) bytes were appended
// and the existing content kept, and returns the appended bytes.
std::string encoded(const message& m) {
    std::string out = "before|";
    const std::error_code ec = sse::encode(m, out);
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(out.substr(0, 7), "before|");
    std::string block = out.substr(7);
    EXPECT_EQ(sse::encoded_size(m), block.size());
    return block;
}

// Parses `bytes` whole and byte by byte; both must agree.
parse_outcome decoded(std::string_view bytes) {
    parse_outcome whole = sse::test::parse_chunked(bytes, 0);
    EXPECT_EQ(sse::test::parse_chunked(bytes, 1), whole) << "split parse disagrees";
    EXPECT_FALSE(whole.error);
    return whole;
}

std::vector<record> events(std::string_view bytes) {
    return decoded(bytes).records;
}

// ---- exact bytes and their meaning -------------------------------------------------------------

TEST(encoder, plain_data_is_one_data_line_and_a_blank_line) {
    const std::string out = encoded({.data = "hello"});
    EXPECT_EQ(out, "data: hello\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "hello", "")}));
}

TEST(encoder, all_fields_in_order_id_event_retry_data) {
    const std::string out = encoded({.type = "update", .data = "x", .id = "42", .retry = 1500});
    EXPECT_EQ(out, "id: 42\nevent: update\nretry: 1500\ndata: x\n\n");
    EXPECT_EQ(events(out),
              (std::vector<record>{record::make_retry(1500), ev("update", "x", "42")}));
}

TEST(encoder, lf_in_data_starts_a_new_data_line) {
    const std::string out = encoded({.data = "a\nb"});
    EXPECT_EQ(out, "data: a\ndata: b\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "a\nb", "")}));
}

TEST(encoder, cr_in_data_starts_a_new_data_line_and_arrives_as_lf) {
    const std::string out = encoded({.data = "a\rb"});
    EXPECT_EQ(out, "data: a\ndata: b\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "a\nb", "")}));
}

TEST(encoder, crlf_in_data_is_one_line_break) {
    const std::string out = encoded({.data = "a\r\nb"});
    EXPECT_EQ(out, "data: a\ndata: b\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "a\nb", "")}));
}

TEST(encoder, mixed_line_breaks_each_count_once) {
    // a CRLF "" CRLF b CR c LF "" CR d: LF then CR is two breaks, CR then CRLF is two breaks.
    const std::string out = encoded({.data = "a\r\n\r\nb\rc\n\rd"});
    EXPECT_EQ(out, "data: a\ndata: \ndata: b\ndata: c\ndata: \ndata: d\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "a\n\nb\nc\n\nd", "")}));

    const std::string cr_crlf = encoded({.data = "\r\r\n"});
    EXPECT_EQ(cr_crlf, "data: \ndata: \ndata: \n\n");
    EXPECT_EQ(events(cr_crlf), (std::vector<record>{ev("message", "\n\n", "")}));
}

TEST(encoder, trailing_line_break_in_data_is_kept) {
    const std::string out = encoded({.data = "a\n"});
    EXPECT_EQ(out, "data: a\ndata: \n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "a\n", "")}));

    const std::string lone = encoded({.data = "\r\n"});
    EXPECT_EQ(lone, "data: \ndata: \n\n");
    EXPECT_EQ(events(lone), (std::vector<record>{ev("message", "\n", "")}));
}

TEST(encoder, leading_space_survives_the_parsers_one_space_strip) {
    const std::string out = encoded({.type = " t", .data = "  two\n one", .id = " 7"});
    EXPECT_EQ(out, "id:  7\nevent:  t\ndata:   two\ndata:  one\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev(" t", "  two\n one", " 7")}));
}

TEST(encoder, empty_data_dispatches_an_event_with_empty_data) {
    const std::string out = encoded({.data = ""});
    EXPECT_EQ(out, "data: \n\n");
    EXPECT_EQ(events(out), (std::vector<record>{ev("message", "", "")}));
}

TEST(encoder, id_without_data_moves_the_last_event_id_and_dispatches_nothing) {
    const std::string out = encoded({.id = "7"});
    EXPECT_EQ(out, "id: 7\n\n");
    const parse_outcome r = decoded(out);
    EXPECT_TRUE(r.records.empty());
    EXPECT_EQ(r.last_event_id, "7");

    // The next event without an id reports it.
    std::string stream = out;
    ASSERT_FALSE(sse::encode({.data = "x"}, stream));
    EXPECT_EQ(events(stream), (std::vector<record>{ev("message", "x", "7")}));
}

TEST(encoder, empty_id_is_written_and_resets_the_last_event_id) {
    std::string stream;
    ASSERT_FALSE(sse::encode({.data = "a", .id = "1"}, stream));
    const std::string reset = encoded({.data = "b", .id = ""});
    EXPECT_EQ(reset, "id: \ndata: b\n\n");
    stream += reset;
    const parse_outcome r = decoded(stream);
    EXPECT_EQ(r.records, (std::vector<record>{ev("message", "a", "1"), ev("message", "b", "")}));
    EXPECT_EQ(r.last_event_id, "");
}

TEST(encoder, retry_only_message_is_a_block_that_dispatches_nothing) {
    const std::string out = encoded({.retry = 0});
    EXPECT_EQ(out, "retry: 0\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{record::make_retry(0)}));
}

TEST(encoder, retry_round_trips_up_to_uint64_max) {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    const std::string out = encoded({.data = "x", .retry = max});
    EXPECT_EQ(out, "retry: 18446744073709551615\ndata: x\n\n");
    EXPECT_EQ(events(out), (std::vector<record>{record::make_retry(max), ev("message", "x", "")}));
}

TEST(encoder, empty_message_is_a_lone_blank_line) {
    const std::string out = encoded({});
    EXPECT_EQ(out, "\n");
    EXPECT_TRUE(events(out).empty());
}

TEST(encoder, data_that_looks_like_fields_stays_data) {
    const std::string out = encoded({.data = "x\n\nid: 9\nevent: evil\ndata: y"});
    EXPECT_EQ(out, "data: x\ndata: \ndata: id: 9\ndata: event: evil\ndata: data: y\n\n");
    const parse_outcome r = decoded(out);
    EXPECT_EQ(r.records,
              (std::vector<record>{ev("message", "x\n\nid: 9\nevent: evil\ndata: y", "")}));
    EXPECT_EQ(r.last_event_id, "");
}

TEST(encoder, colons_and_nul_are_ordinary_bytes_in_type_and_data) {
    const std::string out = encoded({.type = "a:b\0c"s, .data = ":x\0y"s, .id = "i:d"});
    EXPECT_EQ(out, "id: i:d\nevent: a:b\0c\ndata: :x\0y\n\n"s);
    EXPECT_EQ(events(out), (std::vector<record>{ev("a:b\0c"s, ":x\0y"s, "i:d")}));
}

TEST(encoder, unicode_passes_through_unchanged) {
    const std::string out = encoded({.type = "m\u00e9t\u00e9o",
                                     .data = "h\u00e9llo \u2192 \u4e16\u754c\n\U0001F600",
                                     .id = "\u00df"});
    EXPECT_EQ(out,
              "id: \xC3\x9F\nevent: m\xC3\xA9t\xC3\xA9o\n"
              "data: h\xC3\xA9llo \xE2\x86\x92 \xE4\xB8\x96\xE7\x95\x8C\n"
              "data: \xF0\x9F\x98\x80\n\n");
    EXPECT_EQ(events(out),
              (std::vector<record>{
                  ev("m\u00e9t\u00e9o", "h\u00e9llo \u2192 \u4e16\u754c\n\U0001F600", "\u00df")}));
}

TEST(encoder, consecutive_blocks_parse_as_consecutive_events) {
    std::string stream;
    ASSERT_FALSE(sse::encode({.type = "a", .data = "1", .id = "x"}, stream));
    sse::encode_comment("ping", stream);
    ASSERT_FALSE(sse::encode({.data = "2\r\n3"}, stream));
    sse::encode_retry(250, stream);
    ASSERT_FALSE(sse::encode({.type = "b", .data = ""}, stream));
    EXPECT_EQ(events(stream), (std::vector<record>{ev("a", "1", "x"), ev("message", "2\n3", "x"),
                                                   record::make_retry(250), ev("b", "", "x")}));
}

// ---- comments and standalone retry -------------------------------------------------------------

std::vector<std::string> comments_of(std::string_view bytes) {
    sse::test::recorder rec;
    sse::parser p(rec);
    EXPECT_FALSE(p.feed(bytes).error);
    EXPECT_FALSE(p.finish());
    EXPECT_TRUE(rec.records.empty()) << "a comment must never dispatch";
    return rec.comments;
}

TEST(encoder, empty_comment_is_a_bare_colon) {
    std::string out;
    sse::encode_comment("", out);
    EXPECT_EQ(out, ":\n");
    EXPECT_EQ(comments_of(out), (std::vector<std::string>{""}));
}

TEST(encoder, comment_text_goes_verbatim_after_the_colon) {
    std::string out = "x";
    sse::encode_comment(" keep-alive", out);
    EXPECT_EQ(out, "x: keep-alive\n");
    EXPECT_EQ(comments_of(out.substr(1)), (std::vector<std::string>{" keep-alive"}));
}

TEST(encoder, comment_with_line_breaks_becomes_one_colon_line_per_line) {
    std::string out;
    sse::encode_comment("a\r\nb\rc\nd", out);
    EXPECT_EQ(out, ":a\n:b\n:c\n:d\n");
    EXPECT_EQ(comments_of(out), (std::vector<std::string>{"a", "b", "c", "d"}));

    std::string trailing;
    sse::encode_comment("data: x\n", trailing);
    EXPECT_EQ(trailing, ":data: x\n:\n");
    EXPECT_EQ(comments_of(trailing), (std::vector<std::string>{"data: x", ""}));
}

TEST(encoder, encode_retry_writes_one_line_and_no_blank_line) {
    std::string out;
    sse::encode_retry(3000, out);
    EXPECT_EQ(out, "retry: 3000\n");
    const parse_outcome r = decoded(out);
    EXPECT_EQ(r.records, (std::vector<record>{record::make_retry(3000)}));

    // It does not dispatch: an id buffered before it is not yet applied (no blank line).
    sse::test::recorder rec;
    sse::parser p(rec);
    ASSERT_FALSE(p.feed("id: 5\n").error);
    ASSERT_FALSE(p.feed(out).error);
    EXPECT_EQ(p.last_event_id(), "");
}

// ---- rejections --------------------------------------------------------------------------------

void expect_rejected(const message& m, sse::errc expected) {
    std::string out = "untouched";
    const std::size_t capacity = out.capacity();
    EXPECT_EQ(sse::encode(m, out), expected);
    EXPECT_EQ(out, "untouched");
    EXPECT_EQ(out.capacity(), capacity) << "a rejected message must not even reserve";
    EXPECT_EQ(sse::encoded_size(m), 0u);
}

TEST(encoder, rejects_line_breaks_in_type) {
    for (const std::string_view type : {"a\nb", "a\rb", "a\r\nb", "\n", "tail\r"}) {
        SCOPED_TRACE(testing::PrintToString(std::string(type)));
        expect_rejected({.type = type, .data = "x"}, sse::errc::type_has_line_break);
    }
}

TEST(encoder, rejects_line_breaks_in_id) {
    for (const std::string_view id : {"1\n2", "1\r2", "1\r\n", "\r"}) {
        SCOPED_TRACE(testing::PrintToString(std::string(id)));
        expect_rejected({.data = "x", .id = id}, sse::errc::id_has_line_break);
        expect_rejected({.id = id}, sse::errc::id_has_line_break);
    }
}

TEST(encoder, rejects_nul_in_id) {
    expect_rejected({.data = "x", .id = "a\0b"s}, sse::errc::id_has_nul);
    expect_rejected({.id = "\0"s}, sse::errc::id_has_nul);
}

TEST(encoder, rejects_a_type_without_data) {
    expect_rejected({.type = "ping"}, sse::errc::type_without_data);
    expect_rejected({.type = "ping", .id = "1", .retry = 5}, sse::errc::type_without_data);
}

TEST(encoder, reports_the_first_problem_in_documented_order) {
    expect_rejected({.type = "a\nb", .id = "\0\n"s}, sse::errc::type_has_line_break);
    expect_rejected({.type = "t", .id = "\0\n"s}, sse::errc::id_has_line_break);
    expect_rejected({.type = "t", .id = "\0"s}, sse::errc::id_has_nul);
}

TEST(encoder, error_codes_have_the_sse_category_and_a_message) {
    for (const sse::errc e : {sse::errc::type_has_line_break, sse::errc::id_has_line_break,
                              sse::errc::id_has_nul, sse::errc::type_without_data}) {
        const std::error_code ec = e;
        EXPECT_STREQ(ec.category().name(), "sse");
        EXPECT_EQ(ec.message().find("unknown"), std::string::npos) << ec.message();
    }
}

// ---- allocation behaviour ----------------------------------------------------------------------

TEST(encoder, one_allocation_for_a_many_line_message) {
    std::string data;
    for (int i = 0; i < 1000; ++i) data += (i % 3 == 0) ? "line\r\n" : (i % 3 == 1) ? "l\r" : "x\n";
    const message m{.type = "t", .data = data, .id = "1", .retry = 10};
    std::string out;
    const std::size_t before = allocations;
    ASSERT_FALSE(sse::encode(m, out));
    EXPECT_EQ(allocations - before, 1u);
    EXPECT_EQ(out.size(), sse::encoded_size(m));

    std::string comment;
    const std::size_t before_comment = allocations;
    sse::encode_comment(data, comment);
    EXPECT_EQ(allocations - before_comment, 1u);
}

TEST(encoder, no_allocation_when_the_buffer_has_room) {
    std::string out;
    out.reserve(4096);
    const std::size_t before = allocations;
    ASSERT_FALSE(sse::encode({.type = "t", .data = "a\nb\nc", .id = "1", .retry = 7}, out));
    sse::encode_comment("hb\nhb", out);
    sse::encode_retry(1000, out);
    EXPECT_EQ(allocations - before, 0u);
}

TEST(encoder, appending_many_blocks_to_one_buffer_grows_geometrically) {
    std::string out;
    std::size_t growths = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::size_t capacity = out.capacity();
        ASSERT_FALSE(sse::encode({.data = "payload\nline"}, out));
        if (out.capacity() != capacity) ++growths;
    }
    EXPECT_LT(growths, 40u) << "an exact reserve per call would reallocate on every block";
}

}  // namespace
