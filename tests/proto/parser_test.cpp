// sse::parser's API contract: pausing, finish, reset, limits, sticky errors, view lifetimes.
// Stream semantics are covered by the vector corpus (vectors_test.cpp) and the properties.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sse/parser.hpp"
#include "support/recorder.hpp"

namespace {

using sse::test::record;
using sse::test::recorder;

record ev(std::string_view type, std::string_view data, std::string_view id) {
    return record::make_event(type, data, id);
}

TEST(parser, pause_stops_right_after_the_dispatching_line_and_resumes) {
    recorder rec;
    rec.pause_every = 1;
    sse::parser p(rec);
    const std::string input = "data: a\n\ndata: b\n\n";
    auto r = p.feed(input);
    EXPECT_EQ(r.error, sse::errc::paused);
    EXPECT_EQ(r.consumed, 9u);  // "data: a\n\n"
    ASSERT_EQ(rec.records.size(), 1u);
    r = p.feed(std::string_view(input).substr(r.consumed));
    EXPECT_EQ(r.error, sse::errc::paused);
    EXPECT_EQ(r.consumed, 9u);
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "a", ""), ev("message", "b", "")}));
    EXPECT_FALSE(p.error()) << "pausing is not sticky";
}

TEST(parser, pause_inside_a_split_crlf_still_skips_the_lf) {
    recorder rec;
    rec.pause_every = 1;
    sse::parser p(rec);
    EXPECT_EQ(p.feed("data: a\r\n\r").error, sse::errc::paused);
    const auto r = p.feed("\ndata: b\r\n\r\n");
    EXPECT_EQ(r.error, sse::errc::paused);
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "a", ""), ev("message", "b", "")}));
}

TEST(parser, data_survives_the_callers_buffer_between_feeds) {
    recorder rec;
    sse::parser p(rec);
    {
        std::string first = "data: first line\ndata: sec";
        EXPECT_FALSE(p.feed(first).error);
        first.assign(first.size(), 'X');  // the caller reuses its buffer
    }
    std::string second = "ond\n\n";
    EXPECT_FALSE(p.feed(second).error);
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "first line\nsecond", "")}));
}

TEST(parser, single_line_data_in_one_chunk_outlives_the_chunk_when_dispatch_comes_later) {
    recorder rec;
    sse::parser p(rec);
    {
        std::string chunk = "data: kept\n";
        EXPECT_FALSE(p.feed(chunk).error);
        chunk.assign(chunk.size(), 'Z');
    }
    EXPECT_FALSE(p.feed("\n").error);
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "kept", "")}));
}

TEST(parser, finish_discards_the_partial_event_and_rejects_further_input) {
    recorder rec;
    sse::parser p(rec);
    EXPECT_FALSE(p.feed("id: 1\ndata: x\n\ndata: partial\nid: 2\n").error);
    EXPECT_FALSE(p.finish());
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "x", "1")}));
    EXPECT_EQ(p.last_event_id(), "1") << "an id never dispatched is not applied";
    const auto r = p.feed("data: y\n\n");
    EXPECT_EQ(r.error, sse::errc::feed_after_finish);
    EXPECT_EQ(r.consumed, 0u);
    EXPECT_EQ(p.finish(), sse::errc::feed_after_finish) << "the misuse error is sticky";
}

TEST(parser, reset_keeps_last_event_id_and_retry_and_rearms_the_bom) {
    recorder rec;
    sse::parser p(rec);
    EXPECT_FALSE(p.feed("\xEF\xBB\xBFretry: 500\nid: 42\ndata: a\n\nid: 43\ndata: cut").error);
    p.finish();
    p.reset();
    EXPECT_EQ(p.last_event_id(), "42");
    EXPECT_EQ(p.retry(), 500u);
    EXPECT_FALSE(p.feed("\xEF\xBB\xBF").error);
    EXPECT_FALSE(p.feed("data: b\n\n").error);
    EXPECT_EQ(rec.records, (std::vector<record>{record::make_retry(500), ev("message", "a", "42"),
                                                ev("message", "b", "42")}));
}

TEST(parser, reset_drops_a_partial_line_and_clears_sticky_errors) {
    recorder rec;
    sse::parser p(rec, sse::parser_limits{8, 1024});
    EXPECT_EQ(p.feed("data: far too long\n").error, sse::errc::line_too_long);
    EXPECT_EQ(p.feed("data: x\n\n").error, sse::errc::line_too_long) << "sticky";
    p.reset();
    EXPECT_FALSE(p.feed("data: o").error);
    p.reset();
    EXPECT_FALSE(p.feed("data: k\n\n").error);
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "k", "")}));
}

TEST(parser, line_limit_counts_the_line_across_chunks_and_fails_before_the_line_ends) {
    recorder rec;
    sse::parser p(rec, sse::parser_limits{10, 1024});
    EXPECT_FALSE(p.feed("data: 1234").error);  // exactly 10 bytes: allowed
    EXPECT_FALSE(p.feed("\n\n").error);
    EXPECT_FALSE(p.feed("data: 1234").error);
    EXPECT_EQ(p.feed("5").error, sse::errc::line_too_long) << "no need to wait for the line end";
    EXPECT_EQ(rec.records, (std::vector<record>{ev("message", "1234", "")}));
}

TEST(parser, event_limit_counts_data_lines_their_line_feeds_and_the_type) {
    // data buffer "aaaa\nbbbb\n" is 10 bytes; type "t" makes 11.
    {
        recorder rec;
        sse::parser p(rec, sse::parser_limits{100, 11});
        EXPECT_FALSE(p.feed("event: t\ndata: aaaa\ndata: bbbb\n\n").error);
        EXPECT_EQ(rec.records.size(), 1u);
    }
    {
        recorder rec;
        sse::parser p(rec, sse::parser_limits{100, 10});
        EXPECT_EQ(p.feed("event: t\ndata: aaaa\ndata: bbbb\n\n").error, sse::errc::event_too_large);
        EXPECT_TRUE(rec.records.empty());
    }
}

TEST(parser, event_limit_does_not_count_earlier_events) {
    recorder rec;
    sse::parser p(rec, sse::parser_limits{100, 6});
    EXPECT_FALSE(p.feed("data: 12345\n\ndata: 12345\n\ndata: 12345\n\n").error);
    EXPECT_EQ(rec.records.size(), 3u);
}

TEST(parser, retry_saturates_instead_of_wrapping) {
    recorder rec;
    sse::parser p(rec);
    EXPECT_FALSE(p.feed("retry: 99999999999999999999999\n").error);
    EXPECT_EQ(p.retry(), UINT64_MAX);
    EXPECT_FALSE(p.feed("retry: 18446744073709551615\nretry: 18446744073709551616\n").error);
    EXPECT_EQ(rec.records, (std::vector<record>{record::make_retry(UINT64_MAX),
                                                record::make_retry(UINT64_MAX),
                                                record::make_retry(UINT64_MAX)}));
}

TEST(parser, handler_can_be_replaced_between_feeds) {
    recorder a;
    recorder b;
    sse::parser p(a);
    EXPECT_FALSE(p.feed("data: 1\n\ndata: 2").error);
    p.set_handler(b);
    EXPECT_FALSE(p.feed("\n\n").error);
    EXPECT_EQ(a.records.size(), 1u);
    EXPECT_EQ(b.records, (std::vector<record>{ev("message", "2", "")}));
}

TEST(parser, comments_reach_the_handler_without_the_colon) {
    recorder rec;
    sse::parser p(rec);
    EXPECT_FALSE(p.feed(": heartbeat\n:\n:: x\n").error);
    EXPECT_EQ(rec.comments, (std::vector<std::string>{" heartbeat", "", ": x"}));
    EXPECT_TRUE(rec.records.empty());
}

TEST(parser, errors_have_the_sse_category_and_a_message_that_says_what_to_do) {
    const std::error_code ec = sse::errc::line_too_long;
    EXPECT_STREQ(ec.category().name(), "sse");
    EXPECT_NE(ec.message().find("max_line_length"), std::string::npos);
}

// The benchmark's hard case (docs/BENCHMARKS.md): 16 KiB data lines in feeds of about their size,
// so every one spans two feeds and, once the buffers have grown, is copied into the line buffer
// while it is scanned. Some lines carry a TAB, a non-ASCII character or an ill-formed byte, at
// the start, in the middle or at the end, so each kind lands on either side of a feed boundary.
TEST(parser, long_data_lines_spanning_feeds_arrive_whole) {
    std::string input;
    std::vector<std::string> want;
    for (std::size_t i = 0; i < 40; ++i) {
        std::string data(16384 + i * 37 % 500, static_cast<char>('a' + i % 26));
        const std::size_t at = (i * 7919) % data.size();
        switch (i % 4) {
        case 1: data[at] = '\t'; break;
        case 2: data.replace(at, 2, "\xC3\xA9"); break;
        case 3: data[at] = '\xFF'; break;
        default: break;
        }
        input += "id: " + std::to_string(i) + "\nevent: e\ndata: " + data + (i % 3 ? "\n\n" : "\r\n\r\n");
        want.push_back(i % 4 == 3 ? data.replace(at, 1, "\xEF\xBF\xBD") : data);
    }
    const auto whole = sse::test::parse_chunked(input, 0);
    ASSERT_FALSE(whole.error);
    ASSERT_EQ(whole.records.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(whole.records[i].data, want[i]) << i;
    for (const std::size_t chunk : {1000u, 4096u, 16384u, 16390u, 20000u, 65536u}) {
        EXPECT_EQ(sse::test::parse_chunked(input, chunk), whole) << "chunks of " << chunk;
    }
}

TEST(parser, byte_at_a_time_megabyte_event_is_parsed_whole) {
    const std::string payload(1 << 20, 'x');
    const std::string input = "data: " + payload + "\n\n";
    const auto outcome = sse::test::parse_chunked(input, 1);
    ASSERT_FALSE(outcome.error);
    ASSERT_EQ(outcome.records.size(), 1u);
    EXPECT_EQ(outcome.records[0].data, payload);
}

}  // namespace
