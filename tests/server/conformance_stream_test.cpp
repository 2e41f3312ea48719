// The scripted streams under /conformance/ (server/README.md, "Conformance routes"): echo, raw,
// count and retry, read with ssekit's own parser and as raw bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "conformance_support.hpp"
#include "sse/content_type.hpp"

namespace {

using namespace sse::test;
using conformance_stream_test = server_fixture;

std::vector<std::string> ids_of(const std::vector<record>& events) {
    std::vector<std::string> out;
    for (const record& r : events) out.push_back(r.id);
    return out;
}

TEST_F(conformance_stream_test, echo_sends_each_element_as_the_encoder_writes_it) {
    start();
    const std::string list =
        R"([{"comment":" hi"},{"id":"7","event":"x","data":"a\nb\r\nc"},{"retry":250},)"
        R"({"data":""},{"id":""},{"data":"z","retry":9}])";
    const auto r = get(port(), "/conformance/echo?events=" + b64url(list));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(sse::is_event_stream(r->header("content-type")));
    EXPECT_EQ(r->header("cache-control"), "no-cache");
    EXPECT_EQ(r->header("x-accel-buffering"), "no");
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_FALSE(r->has("content-length"));
    EXPECT_EQ(r->body,
              ": hi\n"
              "id: 7\nevent: x\ndata: a\ndata: b\ndata: c\n\n"
              "retry: 250\n"
              "data: \n\n"
              "id: \n\n"
              "retry: 9\ndata: z\n\n");
}

TEST_F(conformance_stream_test, echo_with_retry_first_parsed_by_a_client) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/echo?retry=40&events=" +
                                   b64url(R"([{"id":"1","data":"one"},{"event":"e","data":"two"}])")));
    EXPECT_EQ(s.status(), 200);
    ASSERT_TRUE(s.wait_closed());
    const std::vector<record> expect = {record::make_retry(40),
                                        record::make_event("message", "one", "1"),
                                        record::make_event("e", "two", "1")};
    EXPECT_EQ(s.records(), expect);
}

TEST_F(conformance_stream_test, echo_by_post_takes_the_list_as_a_json_body) {
    start();
    const auto r = http_request(port(), "POST", "/conformance/echo?retry=5",
                                {{"Content-Type", "application/json; charset=utf-8"}},
                                R"([{"data":"posted"}])");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "retry: 5\ndata: posted\n\n");
    const auto wrong_type = http_request(port(), "POST", "/conformance/echo",
                                         {{"Content-Type", "text/plain"}}, R"([{"data":"x"}])");
    ASSERT_TRUE(wrong_type);
    EXPECT_EQ(wrong_type->status, 415);
    const auto both = http_request(port(), "POST", "/conformance/echo?events=" + b64url("[]"),
                                   {{"Content-Type", "application/json"}}, "[]");
    ASSERT_TRUE(both);
    EXPECT_EQ(both->status, 400);
}

TEST_F(conformance_stream_test, echo_refuses_what_the_encoder_refuses_and_malformed_lists) {
    start();
    const auto echo = [](const std::string& json) { return "/conformance/echo?events=" + b64url(json); };
    expect_400(port(), echo(R"([{"event":"a\rb","data":"x"}])"), "event type");
    expect_400(port(), echo(R"([{"event":"a\nb","data":"x"}])"), "element 0");
    expect_400(port(), echo(R"([{"data":"ok"},{"id":"a\nb","data":"x"}])"), "element 1");
    expect_400(port(), echo(R"([{"id":"a\u0000b","data":"x"}])"), "encoder");
    expect_400(port(), echo(R"([{"event":"t"}])"), "encoder");
    expect_400(port(), echo(R"([{"comment":"c","data":"x"}])"), "comment");
    expect_400(port(), echo(R"([{"retry":-1}])"), "retry");
    expect_400(port(), echo(R"([{"retry":1.5}])"), "retry");
    expect_400(port(), echo(R"([{"data":1}])"), "'data' must be a string");
    expect_400(port(), echo(R"([{"nope":"x"}])"), "unknown field 'nope'");
    expect_400(port(), echo(R"([1])"), "not an object");
    expect_400(port(), echo(R"({"data":"x"})"), "array");
    expect_400(port(), echo("[{"), "JSON");
    expect_400(port(), "/conformance/echo?events=%%%", "malformed");
    expect_400(port(), "/conformance/echo?events=a", "base64url");
    expect_400(port(), "/conformance/echo?events=ab+c", "base64url");
    expect_400(port(), "/conformance/echo", "'events' is required");
    expect_400(port(), "/conformance/echo?events=W10&then=later", "'then'");
    expect_400(port(), "/conformance/echo?events=W10&retry=x", "'retry'");
    expect_400(port(), "/conformance/echo?events=W10&extra=1", "unknown parameter 'extra'");
    expect_400(port(), "/conformance/echo?events=W10&events=W10", "given twice");
    // A name starting with '_' is a nonce and ignored; padding is optional.
    const auto ok = get(port(), "/conformance/echo?events=W10=&_=123");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, "");
}

TEST_F(conformance_stream_test, raw_sends_the_bytes_verbatim) {
    start();
    const std::string bytes = "\xEF\xBB\xBFretry: abc\rdata: \xFF\r\r: c\r\ndata: x";
    const auto r = get(port(), "/conformance/raw?bytes=" + b64url(bytes));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, bytes);
    const auto chunked = get(port(), "/conformance/raw?chunk=3&delay_ms=1&bytes=" + b64url(bytes));
    ASSERT_TRUE(chunked);
    EXPECT_EQ(chunked->body, bytes);
    const auto empty = get(port(), "/conformance/raw?bytes=");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->status, 200);
    EXPECT_EQ(empty->body, "");
}

TEST_F(conformance_stream_test, raw_chunks_arrive_separately) {
    start();
    // The second chunk is a minute away: the client sees the first event with the second still
    // to come (no timing is measured: a minute cannot pass during the test).
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/raw?chunk=9&delay_ms=60000&bytes=" +
                                   b64url("data: a\n\ndata: b\n\n")));
    ASSERT_TRUE(s.wait_events(1));
    EXPECT_EQ(s.events()[0].data, "a");
    EXPECT_EQ(s.events().size(), 1u);
    EXPECT_FALSE(s.closed());
    // Leaving during the delay ends the session.
    s.close();
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
}

TEST_F(conformance_stream_test, raw_parameters_are_checked) {
    start();
    expect_400(port(), "/conformance/raw", "'bytes' is required");
    expect_400(port(), "/conformance/raw?bytes=*", "base64url");
    expect_400(port(), "/conformance/raw?bytes=YQ&chunk=0", "'chunk'");
    expect_400(port(), "/conformance/raw?bytes=YQ&delay_ms=3600001", "'delay_ms'");
    expect_400(port(), "/conformance/raw?bytes=YQ&retry=1", "unknown parameter 'retry'");
}

TEST_F(conformance_stream_test, count_sends_one_to_n_then_closes) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/count?n=3&retry=20&interval_ms=1"));
    ASSERT_TRUE(s.wait_closed());
    const std::vector<record> expect = {record::make_retry(20), record::make_event("message", "1", "1"),
                                        record::make_event("message", "2", "2"),
                                        record::make_event("message", "3", "3")};
    EXPECT_EQ(s.records(), expect);
}

TEST_F(conformance_stream_test, count_resumes_from_the_header_or_the_parameter) {
    start();
    const auto from_header = get(port(), "/conformance/count?n=4", {{"Last-Event-ID", "2"}});
    ASSERT_TRUE(from_header);
    EXPECT_EQ(from_header->body, "id: 3\ndata: 3\n\nid: 4\ndata: 4\n\n");
    const auto from_param = get(port(), "/conformance/count?n=4&lastEventId=3");
    ASSERT_TRUE(from_param);
    EXPECT_EQ(from_param->body, "id: 4\ndata: 4\n\n");
    // The header wins over the parameter.
    const auto both = get(port(), "/conformance/count?n=4&lastEventId=1", {{"Last-Event-ID", "3"}});
    ASSERT_TRUE(both);
    EXPECT_EQ(both->body, "id: 4\ndata: 4\n\n");
    // Not a decimal number: from 1.
    const auto garbage = get(port(), "/conformance/count?n=2", {{"Last-Event-ID", "x7"}});
    ASSERT_TRUE(garbage);
    EXPECT_EQ(garbage->body, "id: 1\ndata: 1\n\nid: 2\ndata: 2\n\n");
}

TEST_F(conformance_stream_test, count_past_the_end_is_204_without_a_body) {
    start();
    for (const auto& [target, id] : std::vector<std::pair<std::string, std::string>>{
             {"/conformance/count?n=3&retry=5", "3"},
             {"/conformance/count?n=3&lastEventId=9", ""},
             {"/conformance/count?n=0", ""},
             {"/conformance/count?n=5", "18446744073709551615"}}) {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!id.empty()) headers.emplace_back("Last-Event-ID", id);
        const auto r = get(port(), target, headers);
        ASSERT_TRUE(r) << target;
        EXPECT_EQ(r->status, 204) << target;
        EXPECT_EQ(r->body, "") << target;
        EXPECT_FALSE(r->has("content-length")) << target;
    }
}

TEST_F(conformance_stream_test, count_with_close_after_resumes_like_an_event_source_until_204) {
    start();
    // What EventSource does: reconnect with the last event ID until the server answers 204.
    std::vector<std::string> seen;
    std::string last;
    int connections = 0;
    for (; connections < 10; ++connections) {
        event_stream s;
        std::vector<std::pair<std::string, std::string>> headers;
        if (!last.empty()) headers.emplace_back("Last-Event-ID", last);
        ASSERT_TRUE(s.open(port(), "/conformance/count?n=5&close_after=2", headers));
        if (s.status() == 204) break;
        ASSERT_EQ(s.status(), 200);
        ASSERT_TRUE(s.wait_closed());
        EXPECT_LE(s.events().size(), 2u);
        for (const std::string& id : ids_of(s.events())) seen.push_back(id);
        last = s.last_event_id();
    }
    EXPECT_EQ(connections, 3);
    EXPECT_EQ(seen, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
}

TEST_F(conformance_stream_test, count_parameters_are_checked) {
    start();
    expect_400(port(), "/conformance/count", "'n' is required");
    expect_400(port(), "/conformance/count?n=-1", "'n'");
    expect_400(port(), "/conformance/count?n=1x", "'n'");
    expect_400(port(), "/conformance/count?n=3&close_after=0", "'close_after'");
    expect_400(port(), "/conformance/count?n=3&interval_ms=99999999", "'interval_ms'");
    expect_400(port(), "/conformance/count?n=3&then=stay", "'then'");
    expect_400(port(), "/conformance/count?n=3&m=1", "unknown parameter 'm'");
}

TEST_F(conformance_stream_test, then_hold_keeps_the_stream_open_with_heartbeats) {
    sse::server::config c = test_config();
    c.heartbeat = std::chrono::milliseconds(20);
    start(c);
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/count?n=2&then=hold"));
    ASSERT_TRUE(s.wait_events(2));
    ASSERT_TRUE(s.wait_comments(2));
    EXPECT_FALSE(s.closed());
    EXPECT_EQ(s.comments()[0], " keep-alive");
    // Server shutdown ends a holding stream with the goodbye comment.
    server->stop();
    ASSERT_TRUE(s.wait_closed());
    EXPECT_EQ(s.comments().back(), " server shutting down");
    EXPECT_EQ(ids_of(s.events()), (std::vector<std::string>{"1", "2"}));
}

TEST_F(conformance_stream_test, every_route_with_then_hold_stays_open_after_its_items) {
    sse::server::config c = test_config();
    c.heartbeat = std::chrono::milliseconds(20);
    start(c);
    for (const std::string& target :
         {"/conformance/echo?then=hold&events=" + b64url(R"([{"data":"e"}])"),
          "/conformance/raw?then=hold&bytes=" + b64url("data: r\n\n"),
          std::string("/conformance/retry?then=hold&ms=5"),
          std::string("/conformance/request?then=hold")}) {
        event_stream s;
        ASSERT_TRUE(s.open(port(), target)) << target;
        ASSERT_TRUE(s.wait_events(1)) << target;
        ASSERT_TRUE(s.wait_comments(1)) << target;  // heartbeats come only after the last item
        EXPECT_EQ(s.comments()[0], " keep-alive");
        EXPECT_FALSE(s.closed()) << target;
        EXPECT_EQ(s.events().size(), 1u) << target;
    }
    // Each left (closed by the client): the server notices and lets the connections go.
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
}

TEST_F(conformance_stream_test, retry_route_sends_the_retry_then_one_event) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/retry?ms=250"));
    ASSERT_TRUE(s.wait_closed());
    const std::vector<record> expect = {record::make_retry(250),
                                        record::make_event("message", "250", "")};
    EXPECT_EQ(s.records(), expect);
    expect_400(port(), "/conformance/retry", "'ms' is required");
    expect_400(port(), "/conformance/retry?ms=abc", "'ms'");
    expect_400(port(), "/conformance/retry?ms=1&retry=2", "unknown parameter 'retry'");
}

}  // namespace
