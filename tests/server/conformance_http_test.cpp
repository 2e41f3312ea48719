// The conformance routes' HTTP side: index, no-content, status (redirect checks), close-mid-event,
// request echo, methods, CORS, the off switch, and their part in write timeouts and shutdown.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "conformance_support.hpp"

namespace {

using namespace sse::test;
using conformance_http_test = server_fixture;

TEST_F(conformance_http_test, index_describes_the_contract) {
    start();
    const auto r = get(port(), "/conformance/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("content-type"), "application/json");
    const auto j = nlohmann::json::parse(r->body);
    EXPECT_EQ(j.at("contract"), 1);
    std::vector<std::string> paths;
    for (const auto& route : j.at("routes")) paths.push_back(route.at("path"));
    for (const char* p : {"/conformance/echo", "/conformance/raw", "/conformance/count",
                          "/conformance/retry", "/conformance/no-content", "/conformance/status",
                          "/conformance/close-mid-event", "/conformance/request"})
        EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
    const auto bare = get(port(), "/conformance");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->body, r->body);
}

TEST_F(conformance_http_test, no_content_is_204_without_a_body) {
    start();
    const auto r = get(port(), "/conformance/no-content");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
    EXPECT_EQ(r->body, "");
    EXPECT_FALSE(r->has("content-length"));
    expect_400(port(), "/conformance/no-content?x=1", "unknown parameter 'x'");
}

TEST_F(conformance_http_test, status_sends_the_code_and_type_with_a_fixed_body) {
    start();
    for (const int code : {200, 201, 400, 404, 500, 503, 599}) {
        const auto r = get(port(), "/conformance/status?code=" + std::to_string(code));
        ASSERT_TRUE(r) << code;
        EXPECT_EQ(r->status, code);
        EXPECT_EQ(r->header("content-type"), "text/event-stream");
        EXPECT_EQ(r->body, "data: status " + std::to_string(code) + "\n\n");
    }
    const auto typed = get(port(), "/conformance/status?code=200&type=text%2Fhtml%3B+charset%3Dutf-8");
    ASSERT_TRUE(typed);
    EXPECT_EQ(typed->header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(typed->body, "data: status 200\n\n");  // never a chosen body
    for (const int code : {204, 205, 304}) {
        const auto r = get(port(), "/conformance/status?code=" + std::to_string(code));
        ASSERT_TRUE(r) << code;
        EXPECT_EQ(r->status, code);
        EXPECT_EQ(r->body, "") << code;
        EXPECT_FALSE(r->has("content-length")) << code;
    }
}

TEST_F(conformance_http_test, status_redirects_only_to_paths_on_this_server) {
    start();
    for (const int code : {301, 302, 303, 307, 308}) {
        const auto r = get(port(), "/conformance/status?code=" + std::to_string(code) +
                                       "&location=%2Fconformance%2Fcount%3Fn%3D1");
        ASSERT_TRUE(r) << code;
        EXPECT_EQ(r->status, code);
        EXPECT_EQ(r->header("location"), "/conformance/count?n=1");
    }
    expect_400(port(), "/conformance/status?code=302", "'location' is required");
    for (const char* location : {"http%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%5Cevil.example",
                                 "evil", "%2Fa%0D%0ASet-Cookie%3A+x", "%2Fa+b", "https:evil"})
        expect_400(port(), std::string("/conformance/status?code=301&location=") + location,
                   "'location'");
    expect_400(port(), "/conformance/status?code=200&location=%2Fx", "only for 301");
    expect_400(port(), "/conformance/status", "'code' is required");
    for (const char* code : {"199", "600", "abc", "", "2000"})
        expect_400(port(), std::string("/conformance/status?code=") + code, "'code'");
    expect_400(port(), "/conformance/status?code=200&type=a%0Db", "'type'");
    expect_400(port(), "/conformance/status?code=200&type=", "'type'");
}

TEST_F(conformance_http_test, close_mid_event_leaves_a_partial_event_the_client_discards) {
    start();
    const std::string events = b64url(R"([{"id":"1","data":"whole"}])");
    const auto raw = get(port(), "/conformance/close-mid-event?events=" + events);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->body, "id: 1\ndata: whole\n\nid: never-dispatched\ndata: this event is never completed\n");

    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/close-mid-event?retry=10&events=" + events));
    ASSERT_TRUE(s.wait_closed());
    const std::vector<record> expect = {record::make_retry(10),
                                        record::make_event("message", "whole", "1")};
    EXPECT_EQ(s.records(), expect);
    EXPECT_EQ(s.last_event_id(), "1");  // the partial event's id never took effect

    const auto custom = get(port(), "/conformance/close-mid-event?events=W10&tail=" +
                                        b64url("data: half"));
    ASSERT_TRUE(custom);
    EXPECT_EQ(custom->body, "data: half");
    expect_400(port(), "/conformance/close-mid-event", "'events' is required");
    expect_400(port(), "/conformance/close-mid-event?events=W10&tail=%21", "'tail'");
    expect_400(port(), "/conformance/close-mid-event?events=W10&then=hold", "unknown parameter 'then'");
}

TEST_F(conformance_http_test, request_describes_what_the_server_received) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/request?mine=1",
                       {{"Last-Event-ID", "42"}, {"X-Test", "a"}, {"x-test", "b"}}));
    ASSERT_TRUE(s.wait_closed());
    ASSERT_EQ(s.events().size(), 1u);
    EXPECT_EQ(s.events()[0].type, "request");
    const auto j = nlohmann::json::parse(s.events()[0].data);
    EXPECT_EQ(j.at("method"), "GET");
    EXPECT_EQ(j.at("target"), "/conformance/request?mine=1");
    EXPECT_EQ(j.at("headers").at("last-event-id"), "42");
    EXPECT_EQ(j.at("headers").at("x-test"), "a, b");
    EXPECT_EQ(j.at("body"), "");

    const auto post = http_request(port(), "POST", "/conformance/request",
                                   {{"Content-Type", "text/plain"}}, "line 1\nline 2\xff");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 200);
    const std::string prefix = "event: request\ndata: ";
    ASSERT_EQ(post->body.substr(0, prefix.size()), prefix);
    const auto p = nlohmann::json::parse(post->body.substr(prefix.size()));
    EXPECT_EQ(p.at("method"), "POST");
    EXPECT_EQ(p.at("body"), "line 1\nline 2\xEF\xBF\xBD");  // invalid UTF-8 replaced
    expect_400(port(), "/conformance/request?then=x", "'then'");
}

TEST_F(conformance_http_test, methods_options_head_and_unknown_routes) {
    start();
    const auto options = http_request(port(), "OPTIONS", "/conformance/echo");
    ASSERT_TRUE(options);
    EXPECT_EQ(options->status, 204);
    EXPECT_EQ(options->header("allow"), "GET, HEAD, POST, OPTIONS");
    const auto put = http_request(port(), "PUT", "/conformance/count?n=1", {}, "x");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 405);
    EXPECT_EQ(put->header("allow"), "GET, HEAD, OPTIONS");
    const auto post_count = http_request(port(), "POST", "/conformance/count?n=1");
    ASSERT_TRUE(post_count);
    EXPECT_EQ(post_count->status, 405);
    const auto head = http_request(port(), "HEAD", "/conformance/count?n=3");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-type"), "text/event-stream");
    EXPECT_EQ(head->body, "");
    const auto missing = get(port(), "/conformance/nothing-here");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
}

TEST_F(conformance_http_test, cors_applies_to_scripted_streams_too) {
    sse::server::config c = test_config();
    c.cors_origins = {"https://app.example"};
    start(c);
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/count?n=1", {{"Origin", "https://app.example"}}));
    EXPECT_EQ(s.head().header("access-control-allow-origin"), "https://app.example");
    EXPECT_EQ(s.head().header("vary"), "Origin");
    ASSERT_TRUE(s.wait_events(1));
    const auto other = get(port(), "/conformance/count?n=1", {{"Origin", "https://evil.example"}});
    ASSERT_TRUE(other);
    EXPECT_FALSE(other->has("access-control-allow-origin"));
    const auto preflight = http_request(port(), "OPTIONS", "/conformance/echo",
                                        {{"Origin", "https://app.example"},
                                         {"Access-Control-Request-Method", "POST"}});
    ASSERT_TRUE(preflight);
    EXPECT_EQ(preflight->status, 204);
    EXPECT_EQ(preflight->header("access-control-allow-methods"), "GET, HEAD, POST, OPTIONS");
    const auto status = get(port(), "/conformance/status?code=500", {{"Origin", "https://app.example"}});
    ASSERT_TRUE(status);
    EXPECT_EQ(status->header("access-control-allow-origin"), "https://app.example");
}

TEST_F(conformance_http_test, switched_off_the_routes_are_404) {
    sse::server::config c = test_config();
    c.conformance_routes = false;
    start(c);
    for (const char* target : {"/conformance/", "/conformance/count?n=1", "/conformance/no-content"}) {
        const auto r = get(port(), target);
        ASSERT_TRUE(r) << target;
        EXPECT_EQ(r->status, 404) << target;
    }
}

TEST_F(conformance_http_test, a_client_that_stops_reading_meets_the_write_timeout) {
    sse::server::config c = test_config();
    c.write_timeout = std::chrono::milliseconds(200);
    start(c);
    event_stream dead;
    // An endless count (n far beyond what can be sent) to a client that never reads.
    ASSERT_TRUE(dead.open(port(), "/conformance/count?n=100000000000", {}, 4096));
    EXPECT_TRUE(eventually([&] { return server->stats().write_timeouts.load() == 1; },
                           std::chrono::seconds(60)));
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
}

TEST_F(conformance_http_test, shutdown_interrupts_a_delay_with_the_goodbye_comment) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/conformance/count?n=5&interval_ms=600000"));
    ASSERT_TRUE(s.wait_events(1));
    server->stop();  // bounded by shutdown_timeout; the stream must not hold it for ten minutes
    ASSERT_TRUE(s.wait_closed());
    EXPECT_EQ(s.events().size(), 1u);
    ASSERT_FALSE(s.comments().empty());
    EXPECT_EQ(s.comments().back(), " server shutting down");
}

}  // namespace
