// sse::client over https:// (scripted TLS peers with the test certificates), with POST bodies,
// cookies, and the redirect policy: fetch's method rules, credentials dropped across origins.
#include <gtest/gtest.h>

#include "client_harness.hpp"
#include "sse/net/error.hpp"

namespace {

using namespace std::chrono_literals;
using sse::test::client_runner;
using sse::test::code;
using sse::test::scripted_peer;
using sse::test::server_tls;
namespace sc = sse::client;

// One event, then the end of the stream; later connections get 204 (stop).
std::string one_event(int n) {
    if (n > 0) return "HTTP/1.1 204 No Content\r\n\r\n";
    return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
           "10\r\nid: 1\ndata: hi\n\n\r\n0\r\n\r\n";
}

sc::options https_options(std::uint16_t port, const std::string& host = "localhost") {
    sc::options o;
    o.url = "https://" + host + ":" + std::to_string(port) + "/stream";
    o.tls.ca_file = sse::test::tls_dir() + "/ca.pem";
    o.policy.initial_reconnection_time = 10ms;
    o.policy.max_attempts = 2;  // bounded: a failing peer ends the test
    return o;
}

TEST(ClientTls, PostsOverHttpsWithHeadersBodyAndCookie) {
    scripted_peer peer(one_event, server_tls("server"));
    auto o = https_options(peer.port());
    o.method = "POST";
    o.body = R"({"model":"m","stream":true})";
    o.headers = {{"Authorization", "Bearer sk-test"}, {"Content-Type", "application/json"}};
    o.cookie = "session=abc; theme=dark";
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.with_prefix("event "), std::vector<std::string>{"event message hi 1"});
    const auto requests = peer.requests();
    ASSERT_EQ(requests.size(), 2u);  // the stream, then the reconnection that got 204
    for (const auto& q : requests) {
        EXPECT_EQ(q.method_string(), "POST");
        EXPECT_EQ(q.target(), "/stream");
        EXPECT_EQ(q.body(), o.body);
        EXPECT_EQ(q["Authorization"], "Bearer sk-test");
        EXPECT_EQ(q["Cookie"], "session=abc; theme=dark");
        EXPECT_EQ(q["Host"], "localhost:" + std::to_string(peer.port()));
        EXPECT_EQ(q["Accept"], "text/event-stream");
    }
    EXPECT_EQ(requests[1]["Last-Event-ID"], "1");
}

TEST(ClientTls, AnUnknownCaIsANamedNetworkError) {
    scripted_peer peer(one_event, server_tls("server"));
    auto o = https_options(peer.port());
    o.tls.ca_file = sse::test::tls_dir() + "/other-ca.pem";
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    const auto errors = r.log.with_prefix("error ");
    ASSERT_EQ(errors.size(), 3u);
    EXPECT_EQ(errors[0], "error " + code(sse::net::errc::tls_unknown_ca) + " retry");
    EXPECT_EQ(errors[2], "error " + code(sc::errc::attempts_exhausted) + " final");
    EXPECT_TRUE(peer.requests().empty());
}

TEST(ClientTls, NameMismatchAndVerificationOff) {
    scripted_peer peer(one_event, server_tls("wrongname"));
    {
        client_runner r(https_options(peer.port()));
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        EXPECT_EQ(r.log.with_prefix("error ").front(), "error " + code(sse::net::errc::tls_name_mismatch) + " retry");
    }
    scripted_peer fresh(one_event, server_tls("wrongname"));  // counts connections from 0 again
    auto o = https_options(fresh.port());
    o.tls.verify = false;
    o.tls.ca_file.clear();
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.with_prefix("event "), std::vector<std::string>{"event message hi 1"});
}

TEST(ClientTls, AMissingCaFileIsFinal) {
    auto o = https_options(1);
    o.tls.ca_file = "/nonexistent/ca.pem";
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.lines().front(), "error " + code(sse::net::errc::tls_ca_file) + " final");
}

TEST(ClientRedirect, KeepsMethodAndBodyOn307AndDropsThemOn303) {
    for (int status : {307, 308, 303}) {
        scripted_peer peer([status](int n) -> std::string {
            if (n == 0) return "HTTP/1.1 " + std::to_string(status) + " Moved\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n";
            return one_event(n - 1);
        }, server_tls("server"));
        auto o = https_options(peer.port());
        o.method = "POST";
        o.body = "{}";
        o.headers = {{"Content-Type", "application/json"}, {"Authorization", "Bearer t"}};
        o.policy.max_attempts = 1;
        std::vector<std::string> seen;
        sc::callbacks cb;
        cb.on_redirect = [&seen](int s, std::string_view location, bool followed) {
            seen.push_back(std::to_string(s) + " " + std::string(location) + (followed ? " followed" : " refused"));
        };
        client_runner r(o, cb);
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed")) << status;
        EXPECT_EQ(r.log.with_prefix("event ").size(), 1u) << status;
        EXPECT_EQ(seen, std::vector<std::string>{std::to_string(status) + " /next followed"});
        const auto q = peer.requests();
        ASSERT_GE(q.size(), 2u);
        EXPECT_EQ(q[1].target(), "/next");
        EXPECT_EQ(q[1]["Authorization"], "Bearer t") << "same origin keeps credentials";
        if (status == 303) {
            EXPECT_EQ(q[1].method_string(), "GET");
            EXPECT_EQ(q[1].body(), "");
            EXPECT_EQ(q[1].count("Content-Type"), 0u);
        } else {
            EXPECT_EQ(q[1].method_string(), "POST") << status;
            EXPECT_EQ(q[1].body(), "{}") << status;
            EXPECT_EQ(q[1]["Content-Type"], "application/json") << status;
        }
    }
}

TEST(ClientRedirect, CrossOriginDropsCredentialsAndRefuseStops) {
    scripted_peer target(one_event, server_tls("server"));
    const std::string there = "https://127.0.0.1:" + std::to_string(target.port()) + "/s";
    scripted_peer origin([there](int) { return "HTTP/1.1 302 Found\r\nLocation: " + there + "\r\nContent-Length: 0\r\n\r\n"; });
    sc::options o;
    o.url = "http://127.0.0.1:" + std::to_string(origin.port()) + "/";
    o.tls.ca_file = sse::test::tls_dir() + "/ca.pem";
    o.headers = {{"Authorization", "Bearer t"}, {"X-Keep", "1"}};
    o.cookie = "s=1";
    o.policy.max_attempts = 1;
    o.policy.initial_reconnection_time = 10ms;
    {
        client_runner r(o);
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        EXPECT_EQ(r.log.with_prefix("event ").size(), 1u);  // http -> https followed
        const auto q = target.requests();
        ASSERT_FALSE(q.empty());
        EXPECT_EQ(q[0].count("Authorization"), 0u);
        EXPECT_EQ(q[0].count("Cookie"), 0u);
        EXPECT_EQ(q[0]["X-Keep"], "1");
    }
    o.redirects = sc::redirect_mode::refuse;
    client_runner r(o);
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed"));
    EXPECT_EQ(r.log.lines().front(), "error " + code(sc::errc::redirect_refused) + " final");
}

}  // namespace
