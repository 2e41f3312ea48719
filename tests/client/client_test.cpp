// sse::client against the in-process sse-server (live topics, the scripted /conformance/ routes)
// and small scripted peers (garbage, truncated heads, chunked bodies, redirect loops).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client_harness.hpp"
#include "conformance_support.hpp"
#include "sse/error.hpp"
#include "sse/net/error.hpp"

namespace {

using namespace std::chrono_literals;
using sse::test::client_runner;
using sse::test::code;
namespace sc = sse::client;

struct ClientTest : sse::test::server_fixture {
    void SetUp() override { start(); }
    sc::options at(const std::string& target) {
        sc::options o;
        o.url = "http://127.0.0.1:" + std::to_string(port()) + target;
        o.policy.initial_reconnection_time = 20ms;  // quick reconnects; the server's retry: wins anyway
        return o;
    }
    static std::string enc(const std::string& s) {
        std::string out;
        for (char c : s) {
            if (c == '?' || c == '&' || c == '=' || c == '/' || c == '%') {
                char b[4];
                std::snprintf(b, sizeof b, "%%%02X", static_cast<unsigned char>(c));
                out += b;
            } else {
                out += c;
            }
        }
        return out;
    }
};

bool subscribed(sse::server::server& s, std::size_t n) {
    return sse::test::eventually([&] { return s.stats().subscribers.load() >= n; });
}

TEST_F(ClientTest, ReceivesLiveEventsOnOneAndSeveralTopics) {
    client_runner r(at("/events?topic=a&topic=b"));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("open 200"));
    ASSERT_TRUE(subscribed(*server, 1));
    const auto first = server->publish("a", "hello", "");
    const auto second = server->publish("b", "line1\nline2", "note");
    ASSERT_TRUE(r.log.wait_prefix("event note"));
    const auto events = r.log.with_prefix("event ");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], "event message hello " + std::to_string(first.id));
    EXPECT_EQ(events[1], "event note line1\nline2 " + std::to_string(second.id));
    EXPECT_EQ(r.client->state(), sse::ready_state::open);
    EXPECT_EQ(r.log.with_prefix("retry "), std::vector<std::string>{"retry 1500"});
}

TEST_F(ClientTest, ResumesAfterServerCloseWithNoGapAndNoDuplicate) {
    // 2 events per connection, then close; the client reconnects with Last-Event-ID until the
    // route answers 204 after event 7, which ends the client for good.
    client_runner r(at("/conformance/count?n=7&close_after=2&retry=10"));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    std::vector<std::string> expected;
    for (int i = 1; i <= 7; ++i) expected.push_back("event message " + std::to_string(i) + " " + std::to_string(i));
    EXPECT_EQ(r.log.with_prefix("event "), expected);
    EXPECT_EQ(r.log.with_prefix("open ").size(), 4u);
    const auto errors = r.log.with_prefix("error ");
    ASSERT_EQ(errors.size(), 5u);
    for (std::size_t i = 0; i + 1 < errors.size(); ++i)
        EXPECT_EQ(errors[i], "error " + code(sc::errc::end_of_stream) + " retry");
    EXPECT_EQ(errors.back(), "error " + code(sc::errc::bad_status) + " final");
    EXPECT_EQ(r.client->last_event_id(), "7");
}

TEST_F(ClientTest, StartsFromAGivenLastEventId) {
    auto o = at("/conformance/count?n=5");
    o.last_event_id = "3";
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.with_prefix("event "), (std::vector<std::string>{"event message 4 4", "event message 5 5"}));
}

TEST_F(ClientTest, NoContentStopsWithoutOpening) {
    client_runner r(at("/conformance/no-content"));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.lines(), (std::vector<std::string>{"error " + code(sc::errc::bad_status) + " final", "closed"}));
    EXPECT_EQ(r.client->state(), sse::ready_state::closed);
}

TEST_F(ClientTest, WrongContentTypeAndErrorStatusFail) {
    client_runner a(at("/conformance/status?code=200&type=text/plain"));
    client_runner b(at("/conformance/status?code=500"));
    a.client->start();
    b.client->start();
    ASSERT_TRUE(a.log.wait_line("closed"));
    ASSERT_TRUE(b.log.wait_line("closed"));
    EXPECT_EQ(a.log.lines().front(), "error " + code(sc::errc::not_event_stream) + " final");
    EXPECT_EQ(b.log.lines().front(), "error " + code(sc::errc::bad_status) + " final");
    EXPECT_TRUE(a.log.with_prefix("event").empty());
}

TEST_F(ClientTest, FollowsRedirects) {
    for (int status : {301, 302, 303, 307, 308}) {
        client_runner r(at("/conformance/status?code=" + std::to_string(status) +
                           "&location=" + enc("/conformance/count?n=2")));
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed")) << status;
        EXPECT_EQ(r.log.with_prefix("event "), (std::vector<std::string>{"event message 1 1", "event message 2 2"}))
            << status;
    }
}

TEST_F(ClientTest, PostsBodyAndHeadersAndRefreshesThemPerAttempt) {
    auto o = at("/conformance/request?retry=10");
    o.method = "POST";
    o.body = "{\"q\":1}";
    o.headers = {{"Content-Type", "application/json"}, {"X-Test", "yes"}};
    int attempts = 0;
    sc::callbacks extra;
    extra.on_before_request = [&attempts](sc::header_list& h) {
        h.emplace_back("Authorization", "Bearer token-" + std::to_string(++attempts));
    };
    client_runner r(o, extra);
    r.client->start();
    // The route closes after its event; the client reconnects: two requests, two tokens.
    ASSERT_TRUE(r.log.wait_for([](const std::string& l) { return l.find("token-2") != std::string::npos; }));
    r.client->close();
    ASSERT_TRUE(r.log.wait_line("closed"));
    const auto events = r.log.with_prefix("event request ");
    ASSERT_GE(events.size(), 2u);
    const std::string json = events[0].substr(14, events[0].rfind(' ') - 14);
    const auto j = nlohmann::json::parse(json);
    EXPECT_EQ(j["method"], "POST");
    EXPECT_EQ(j["body"], "{\"q\":1}");
    EXPECT_EQ(j["headers"]["x-test"], "yes");
    EXPECT_EQ(j["headers"]["accept"], "text/event-stream");
    EXPECT_EQ(j["headers"]["authorization"], "Bearer token-1");
    EXPECT_FALSE(j["headers"].contains("last-event-id"));
}

TEST_F(ClientTest, LineLimitFailsTheConnectionForGood) {
    auto o = at("/conformance/echo?events=" + sse::test::b64url(R"([{"data":"0123456789abcdefghij"}])") + "&then=hold");
    o.limits.max_line_length = 16;
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_TRUE(r.log.with_prefix("event").empty());
    const std::error_code limit = sse::errc::line_too_long;
    EXPECT_EQ(r.log.with_prefix("error "), std::vector<std::string>{"error " + code(limit) + " final"});
}

TEST_F(ClientTest, CloseMidStreamStopsEverythingOnce) {
    client_runner r(at("/events?topic=a"));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("open 200"));
    ASSERT_TRUE(subscribed(*server, 1));
    r.client->close();
    r.client->close();  // idempotent
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_TRUE(sse::test::eventually([&] { return server->stats().subscribers.load() == 0; }));
    server->publish("a", "after close", "");
    EXPECT_EQ(r.log.with_prefix("closed").size(), 1u);
    EXPECT_TRUE(r.log.with_prefix("error").empty());
    EXPECT_TRUE(r.log.with_prefix("event").empty());
    EXPECT_EQ(r.client->state(), sse::ready_state::closed);
}

TEST(ClientPeer, BadUrlsAreFinalErrorsNotCrashes) {
    for (const auto& [text, expected] : {std::pair{"ws://127.0.0.1:1/events", sse::net::errc::unsupported_scheme},
                                         std::pair{"http://127.0.0.1:0/", sse::net::errc::invalid_url}}) {
        sc::options o;
        o.url = text;
        client_runner r(o);
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        EXPECT_EQ(r.log.lines().front(), "error " + code(expected) + " final") << text;
    }
}

TEST(ClientPeer, RefusesHeaderInjectionAndBadMethods) {
    sse::test::scripted_peer peer([](int) { return std::string("HTTP/1.1 204 No Content\r\n\r\n"); });
    const std::string url = "http://127.0.0.1:" + std::to_string(peer.port()) + "/";
    sc::options bad_value;
    bad_value.url = url;
    bad_value.headers = {{"X-A", "a\r\nInjected: yes"}};
    sc::options bad_name = bad_value;
    bad_name.headers = {{"X A", "v"}};
    sc::options bad_method = bad_value;
    bad_method.headers.clear();
    bad_method.method = "GET / HTTP/1.1\r\nX:";
    sc::options bad_id = bad_method;
    bad_id.method = "GET";
    bad_id.last_event_id = "a\nb";
    sc::options bad_cookie = bad_id;
    bad_cookie.last_event_id.clear();
    bad_cookie.cookie = "a=b\r\nX: y";
    for (const auto& [o, expected] : {std::pair{bad_value, sc::errc::invalid_header},
                                      std::pair{bad_name, sc::errc::invalid_header},
                                      std::pair{bad_method, sc::errc::invalid_header},
                                      std::pair{bad_cookie, sc::errc::invalid_header},
                                      std::pair{bad_id, sc::errc::invalid_last_event_id}}) {
        client_runner r(o);
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        EXPECT_EQ(r.log.lines().front(), "error " + code(expected) + " final");
    }
    EXPECT_EQ(peer.connections(), 0);  // nothing was sent
}

sc::options peer_options(std::uint16_t port) {
    sc::options o;
    o.url = "http://127.0.0.1:" + std::to_string(port) + "/s";
    o.policy.initial_reconnection_time = 10ms;
    o.policy.max_attempts = 2;  // bounded: a broken peer ends the test
    return o;
}

TEST(ClientPeer, GarbageAndTruncatedHeadsAreRetriedNetworkErrors) {
    for (const std::string& reply : {std::string("garbage\r\n\r\n"), std::string("HTTP/1.1 200 OK\r\nContent-Ty")}) {
        sse::test::scripted_peer peer([reply](int) { return reply; });
        client_runner r(peer_options(peer.port()));
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        const auto errors = r.log.with_prefix("error ");
        ASSERT_EQ(errors.size(), 3u) << reply;
        EXPECT_NE(errors[0].find(" retry"), std::string::npos);
        EXPECT_EQ(errors[2], "error " + code(sc::errc::attempts_exhausted) + " final");
        EXPECT_EQ(peer.connections(), 2);
        EXPECT_TRUE(r.log.with_prefix("open").empty());
    }
}

TEST(ClientPeer, ReadsChunkedBodiesIncrementally) {
    sse::test::scripted_peer peer([](int n) -> std::string {
        if (n > 0) return "HTTP/1.1 204 No Content\r\n\r\n";
        return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nid: 1\r\n7\r\n\ndata: \r\n3\r\nab\n\r\n1\r\n\n\r\n0\r\n\r\n";
    });
    client_runner r(peer_options(peer.port()));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.with_prefix("event "), std::vector<std::string>{"event message ab 1"});
    EXPECT_EQ(r.client->last_event_id(), "1");
}

TEST(ClientPeer, RedirectLoopIsBounded) {
    sse::test::scripted_peer peer([](int) { return std::string("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"); });
    auto o = peer_options(peer.port());
    o.max_redirects = 3;
    o.policy.max_attempts = 1;
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(peer.connections(), 4);
    EXPECT_EQ(r.log.with_prefix("error ").front(), "error " + code(sc::errc::too_many_redirects) + " final");
}

TEST(ClientPeer, RefusedConnectionRetriesThenGivesUp) {
    std::uint16_t port;
    {
        sse::test::scripted_peer peer([](int) { return std::string(); });
        port = peer.port();
    }  // closed: nothing listens there now
    client_runner r(peer_options(port));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    const auto errors = r.log.with_prefix("error ");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_NE(errors[0].find(" retry"), std::string::npos);
    EXPECT_EQ(errors[2], "error " + code(sc::errc::attempts_exhausted) + " final");
}

}  // namespace
