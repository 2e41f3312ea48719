// The MIME check that decides whether a response opens an event stream (Fetch "extract a MIME
// type", MIME Sniffing "parse a MIME type", then an essence comparison).
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sse/content_type.hpp"

namespace {


TEST(content_type, accepts_the_essence_text_event_stream) {
    EXPECT_TRUE(sse::is_event_stream("text/event-stream"));
}

TEST(content_type, ignores_parameters) {
    EXPECT_TRUE(sse::is_event_stream("text/event-stream; charset=utf-8"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream;charset=UTF-8"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream; charset=iso-8859-1"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream;"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream; junk; =; x=\"a;b\""));
}

TEST(content_type, compares_type_and_subtype_ignoring_ascii_case) {
    EXPECT_TRUE(sse::is_event_stream("TEXT/Event-Stream"));
    EXPECT_TRUE(sse::is_event_stream("Text/EVENT-STREAM; Charset=UTF-8"));
}

TEST(content_type, tolerates_http_whitespace_around_and_before_parameters) {
    EXPECT_TRUE(sse::is_event_stream("  text/event-stream  "));
    EXPECT_TRUE(sse::is_event_stream("\t\r\ntext/event-stream\r\n\t "));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream ; charset=utf-8"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream\t;charset=utf-8"));
}

TEST(content_type, rejects_other_types_and_malformed_values) {
    for (const std::string_view bad : {
             "", " ", "text/plain", "text/html; x=text/event-stream", "application/octet-stream",
             "text/event-streams", "text/event-stream-x", "text/event", "xtext/event-stream",
             "text /event-stream", "text/ event-stream", "text/event stream", "event-stream",
             "text/", "/event-stream", "text\\event-stream", "text/event-stream\xc3\xa9",
             "\"text/event-stream\"", "*/*", "text/event\x0b-stream", "\x0ctext/event-stream"}) {
        EXPECT_FALSE(sse::is_event_stream(bad)) << '"' << bad << '"';
    }
}

TEST(content_type, combined_header_values_take_the_last_valid_one) {
    // Fetch "extract a MIME type": pieces are split on commas outside quotes; failures and */*
    // are skipped; the last one left decides.
    EXPECT_TRUE(sse::is_event_stream("text/plain, text/event-stream"));
    EXPECT_FALSE(sse::is_event_stream("text/event-stream, text/plain"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream, */*"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream, bogus"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream,"));
    EXPECT_TRUE(sse::is_event_stream("text/plain; x=\"a, b\", text/event-stream"));
    EXPECT_FALSE(sse::is_event_stream("text/plain; x=\"a, text/event-stream"));  // unterminated
    EXPECT_FALSE(sse::is_event_stream("text/event-stream; x=\"a\\\", text/plain\", text/html"));
    // After a closing quote the piece goes on to the next comma.
    EXPECT_FALSE(sse::is_event_stream("text/plain; x=\"a\"/text/event-stream"));
    // Pieces with non-token type or subtype fail to parse and are skipped.
    EXPECT_TRUE(sse::is_event_stream("text/event-stream, text/pl@in"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream, te(xt/plain"));
    EXPECT_TRUE(sse::is_event_stream("text/event-stream, text/pl ain"));
}

TEST(content_type, parse_mime_type_returns_views_into_the_input) {
    const std::string input = "  Text/Event-Stream ; charset=utf-8 ";
    const auto m = sse::parse_mime_type(input);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->type, "Text");
    EXPECT_EQ(m->subtype, "Event-Stream");
    EXPECT_EQ(m->parameters, " charset=utf-8");
    EXPECT_GE(m->type.data(), input.data());
    EXPECT_LE(m->parameters.data() + m->parameters.size(), input.data() + input.size());
    EXPECT_TRUE(m->has_essence("text/event-stream"));
    EXPECT_FALSE(m->has_essence("text/event-streamx"));
    EXPECT_FALSE(m->has_essence("textxevent-stream"));
    EXPECT_FALSE(sse::parse_mime_type("text").has_value());
    for (const std::string_view bad : {"te(xt/plain", "text/pl@in", "text/pl ain",
                                       "t\xc3\xa9xt/plain", "text/plain\"", "text/plain,", "/",
                                       "text/ ;a=b"}) {
        EXPECT_FALSE(sse::parse_mime_type(bad).has_value()) << bad;
    }
    for (const std::string_view good : {"!#$%&'*+-.^_`|~09azAZ/!#$%&'*+-.^_`|~09azAZ", "a/b;",
                                        "a/b;;;", "a/b; c=\"unterminated"}) {
        EXPECT_TRUE(sse::parse_mime_type(good).has_value()) << good;
    }
    EXPECT_FALSE(sse::parse_mime_type("text/;charset=utf-8").has_value());
    EXPECT_EQ(sse::parse_mime_type("a/b")->parameters, "");
}

}  // namespace
