// sse::net::response_parser (Beast's parser fed pushed bytes) and the request side: every response
// whole, split at every offset and byte by byte gives the same head and body.
#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

#include "sse/net/error.hpp"
#include "sse/net/request.hpp"
#include "sse/net/response_parser.hpp"

namespace {

namespace net = sse::net;
namespace http = boost::beast::http;

// Boost's error enums as the std::error_code the parser returns.
std::error_code bec(boost::system::error_code e) { return e; }

struct recorder final : net::response_parser::handler {
    int heads = 0;
    net::response_head head;
    std::string body;
    std::size_t stop_after = SIZE_MAX;
    void on_head(net::response_head& h) override {
        ++heads;
        head = h;
    }
    bool on_body(std::string_view bytes) override {
        body.append(bytes);
        return body.size() < stop_after;
    }
};

struct outcome {
    int heads = 0;
    int status = 0;
    std::string raw_head, body;
    bool done = false;
    std::error_code error;  // of feed or finish
    bool operator==(const outcome&) const = default;
};

outcome parse(std::string_view wire, const std::vector<std::size_t>& cuts, bool eof = true) {
    recorder r;
    net::response_parser p(r);
    outcome o;
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
        if (!o.error) o.error = p.feed(wire.substr(at, cut - at));
        at = cut;
    }
    if (!o.error) o.error = p.feed(wire.substr(at));
    if (!o.error && eof) o.error = p.finish();
    o.heads = r.heads;
    o.status = r.head.status;
    o.raw_head = r.head.raw;
    o.body = r.body;
    o.done = p.done();
    return o;
}

// The wire split at every offset, at every pair of offsets for short inputs, and byte by byte.
void grind(std::string_view wire, const outcome& want, bool eof = true) {
    ASSERT_EQ(parse(wire, {}, eof), want) << "whole";
    for (std::size_t i = 0; i <= wire.size(); ++i) ASSERT_EQ(parse(wire, {i}, eof), want) << "split at " << i;
    if (wire.size() <= 120) {
        for (std::size_t i = 0; i <= wire.size(); ++i)
            for (std::size_t j = i; j <= wire.size(); ++j) ASSERT_EQ(parse(wire, {i, j}, eof), want) << i << "," << j;
    }
    std::vector<std::size_t> each;
    for (std::size_t i = 1; i < wire.size(); ++i) each.push_back(i);
    ASSERT_EQ(parse(wire, each, eof), want) << "byte by byte";
}

const std::string chunked_head =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(NetResponseParser, ChunkedBodyAtEverySplit) {
    const std::string wire = chunked_head + "5;ext=1\r\nid: 1\r\n7\r\n\ndata: \r\n3\r\nab\n\r\n1\r\n\n\r\n0\r\nTrailer: x\r\n\r\n";
    grind(wire, {1, 200, chunked_head, "id: 1\ndata: ab\n\n", true, {}});
}

TEST(NetResponseParser, CloseDelimitedAndContentLengthBodies) {
    const std::string head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n";
    grind(head + "data: x\n\n", {1, 200, head, "data: x\n\n", true, {}});  // done at EOF
    EXPECT_FALSE(parse(head + "data: x\n\n", {}, false).done);
    const std::string sized = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n";
    grind(sized + "hello", {1, 200, sized, "hello", true, {}});
    // Bytes after a complete response are ignored (one request per connection).
    EXPECT_EQ(parse(sized + "helloEXTRA", {}).body, "hello");
}

TEST(NetResponseParser, KeepsTheHeadAsReceived) {
    recorder r;
    net::response_parser p(r);
    const std::string head = "HTTP/1.1 302 Found\r\nLocation: /next\r\nX-Twice: a\r\nx-twice:  b \r\nContent-Length: 0\r\n\r\n";
    ASSERT_FALSE(p.feed(head));
    EXPECT_TRUE(p.done());
    EXPECT_EQ(r.head.status, 302);
    EXPECT_EQ(r.head.reason, "Found");
    EXPECT_EQ(r.head.raw, head);
    EXPECT_EQ(r.head.header("LOCATION"), "/next");
    EXPECT_EQ(r.head.headers_named("x-twice"), (std::vector<std::string_view>{"a", "b"}));
    EXPECT_TRUE(r.head.has_header("content-length"));
    EXPECT_EQ(r.head.content_length, 0u);
    EXPECT_FALSE(r.head.chunked);
}

TEST(NetResponseParser, CutAndMalformedResponsesAreErrors) {
    EXPECT_EQ(parse("", {}).error, bec(boost::asio::error::eof));
    EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Ty", {}).error, bec(http::error::partial_message));
    EXPECT_EQ(parse(chunked_head + "5\r\nab", {}).error, bec(http::error::partial_message));
    EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", {}).error, bec(http::error::partial_message));
    EXPECT_TRUE(parse("garbage\r\n\r\n", {}).error);
    EXPECT_TRUE(parse(chunked_head + "zz\r\nab\r\n", {}).error);
    // A head past the limit.
    recorder r;
    net::response_parser small(r, 64);
    EXPECT_EQ(small.feed("HTTP/1.1 200 OK\r\nX-Long: " + std::string(100, 'a') + "\r\n\r\n"), bec(http::error::header_limit));
    EXPECT_EQ(small.feed("more"), bec(http::error::header_limit));  // sticky
}

TEST(NetResponseParser, HandlerCanStopAndHeadResponsesHaveNoBody) {
    recorder r;
    r.stop_after = 3;
    net::response_parser p(r);
    EXPECT_EQ(p.feed(chunked_head + "5\r\nabcde\r\n5\r\nfghij\r\n"), net::errc::stopped);
    EXPECT_EQ(r.body, "abcde");
    recorder h;
    net::response_parser head_only(h);
    head_only.expect_no_body();
    ASSERT_FALSE(head_only.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"));
    EXPECT_TRUE(head_only.done());
}

TEST(NetResponseParser, KeepsOnlyAFewBytesBetweenFeeds) {
    recorder r;
    net::response_parser p(r);
    ASSERT_FALSE(p.feed(chunked_head));
    std::string big(100000, 'x');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", big.size());
    ASSERT_FALSE(p.feed(size_line + big + "\r\n1"));  // ends inside the next size line
    EXPECT_LE(p.buffered(), 3u);  // "\r\n1": the CRLF after the data belongs to the next size line
    EXPECT_EQ(r.body.size(), big.size());
}

TEST(NetRequest, SerialisesOneRequestTheSameWayForEveryone) {
    net::url u;
    ASSERT_FALSE(net::parse_url("https://api.example.test/v1/chat?x=1", u));
    const auto r = net::serialize_request("POST", u, {{"Authorization", "Bearer t"}, {"Content-Length", "99"}}, "{}");
    EXPECT_EQ(r, "POST /v1/chat?x=1 HTTP/1.1\r\nHost: api.example.test\r\nAuthorization: Bearer t\r\n"
                 "Content-Length: 2\r\n\r\n{}");
    EXPECT_EQ(net::serialize_request("GET", u, {{"host", "other"}}, ""), "GET /v1/chat?x=1 HTTP/1.1\r\nhost: other\r\n\r\n");
    EXPECT_EQ(net::serialize_request("POST", u, {}, ""), "POST /v1/chat?x=1 HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 0\r\n\r\n");
}

TEST(NetRequest, RedirectsFollowFetch) {
    EXPECT_EQ(net::after_redirect(307, "POST").method, "POST");
    EXPECT_TRUE(net::after_redirect(308, "POST").keep_body);
    EXPECT_EQ(net::after_redirect(303, "POST").method, "GET");
    EXPECT_EQ(net::after_redirect(303, "HEAD").method, "HEAD");
    EXPECT_EQ(net::after_redirect(301, "POST").method, "GET");
    EXPECT_EQ(net::after_redirect(302, "PUT").method, "PUT");
    EXPECT_FALSE(net::after_redirect(302, "POST").keep_body);
    net::header_list h = {{"Authorization", "Bearer t"}, {"Cookie", "a=b"}, {"Content-Type", "application/json"}, {"X", "y"}};
    auto same = h;
    net::strip_for_redirect(same, false, false);
    EXPECT_EQ(same, h);
    auto other = h;
    net::strip_for_redirect(other, true, true);
    EXPECT_EQ(other, (net::header_list{{"X", "y"}}));
}

TEST(NetHeader, ParsesCurlStyleLinesAndRefusesInjection) {
    std::pair<std::string, std::string> h;
    std::string error;
    ASSERT_TRUE(net::parse_header_line("Authorization:   Bearer abc  ", h, error));
    EXPECT_EQ(h, (std::pair<std::string, std::string>{"Authorization", "Bearer abc"}));
    ASSERT_TRUE(net::parse_header_line("X-Empty:", h, error));
    EXPECT_EQ(h.second, "");
    EXPECT_FALSE(net::parse_header_line("no colon here secret", h, error));
    EXPECT_EQ(error.find("secret"), std::string::npos);  // a mistyped line is not echoed
    EXPECT_FALSE(net::parse_header_line("Bad Name: v", h, error));
    EXPECT_FALSE(net::parse_header_line("X: a\r\nInjected: 1", h, error));
}

}  // namespace
