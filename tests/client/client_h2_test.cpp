// sse::client over HTTP/2 against Node's node:http2 (tests/support/h2_peer.mjs): h2c with prior
// knowledge, h2 chosen by ALPN over TLS, the fallback to HTTP/1.1 when the server does not offer
// h2, HTTP/2 required and refused, redirects, a stream reset by the server, a connection lost or
// ended by GOAWAY mid-stream, and a malformed response the client resets itself. Reconnection and
// Last-Event-ID work as over HTTP/1.1 (the peer echoes the Last-Event-ID and HTTP version it saw).
#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

#include "client_harness.hpp"
#include "sse/net/error.hpp"
#include "support/node_peer.hpp"

namespace {

using namespace std::chrono_literals;
using sse::test::client_runner;
using sse::test::code;
using sse::test::node_peer;
namespace sc = sse::client;

node_peer start_peer(const std::string& mode) {
    std::vector<std::string> args{mode};
    if (mode != "h2c") args.push_back(sse::test::tls_dir());
    return node_peer(SSE_H2_PEER_SCRIPT, args);
}

sc::options options_for(const node_peer& peer, bool tls, const std::string& path, sc::http_version v) {
    sc::options o;
    o.url = std::string(tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(peer.port()) + path;
    o.tls.ca_file = sse::test::tls_dir() + "/ca.pem";
    o.http = v;
    o.policy.initial_reconnection_time = 10ms;
    o.policy.max_attempts = 3;  // bounded: a failing peer ends the test
    return o;
}

// The peer's /events script: event 1, then (reconnected with Last-Event-ID: 1) event 2, then 204.
void expect_resumed_over(client_runner& r, const std::string& version) {
    ASSERT_TRUE(r.log.wait_line("closed")) << ::testing::PrintToString(r.log.lines());
    const std::vector<std::string> want{"event message first 1", "event message resumed-1-over-" + version + " 2"};
    EXPECT_EQ(r.log.with_prefix("event "), want) << ::testing::PrintToString(r.log.lines());
    EXPECT_EQ(r.log.with_prefix("open ").size(), 2u);
    EXPECT_EQ(r.log.with_prefix("error ").back(), "error " + code(sc::errc::bad_status) + " final");  // the 204
}

TEST(ClientH2, H2cWithPriorKnowledgeStreamsAndResumes) {
    auto peer = start_peer("h2c");
    ASSERT_NE(peer.port(), 0) << peer.log();
    client_runner r(options_for(peer, false, "/events", sc::http_version::h2c));
    r.client->start();
    expect_resumed_over(r, "2.0");
}

TEST(ClientH2, AlpnChoosesH2OverTlsByDefault) {
    for (auto v : {sc::http_version::automatic, sc::http_version::http2}) {
        auto peer = start_peer("h2");  // a fresh one each time: the peer's script counts requests
        ASSERT_NE(peer.port(), 0) << peer.log();
        client_runner r(options_for(peer, true, "/events", v));
        r.client->start();
        expect_resumed_over(r, "2.0");
    }
}

TEST(ClientH2, FallsBackToHttp11WhenTheServerDoesNotSelectH2) {
    auto peer = start_peer("h1tls");
    ASSERT_NE(peer.port(), 0) << peer.log();
    client_runner r(options_for(peer, true, "/events", sc::http_version::automatic));
    r.client->start();
    expect_resumed_over(r, "1.1");
}

TEST(ClientH2, Http2RequiredFailsClearlyWithoutIt) {
    {
        auto peer = start_peer("h1tls");
        client_runner r(options_for(peer, true, "/events", sc::http_version::http2));
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        EXPECT_EQ(r.log.with_prefix("error "),
                  std::vector<std::string>{"error " + code(sse::net::errc::h2_not_negotiated) + " final"});
        EXPECT_TRUE(r.log.with_prefix("event ").empty());
    }
    {
        auto peer = start_peer("h2c");  // http:// has no ALPN: http2 means TLS
        client_runner r(options_for(peer, false, "/events", sc::http_version::http2));
        r.log_details = true;
        r.client->start();
        ASSERT_TRUE(r.log.wait_line("closed"));
        EXPECT_EQ(r.log.with_prefix("error "),
                  std::vector<std::string>{"error " + code(sse::net::errc::h2_not_negotiated) + " final"});
        const auto details = r.log.with_prefix("detail ");
        ASSERT_EQ(details.size(), 1u);
        EXPECT_NE(details.front().find("use http_version::h2c"), std::string::npos) << details.front();
    }
}

TEST(ClientH2, FollowsRedirectsOverH2) {
    auto peer = start_peer("h2");
    ASSERT_NE(peer.port(), 0) << peer.log();
    client_runner r(options_for(peer, true, "/redirect", sc::http_version::automatic));
    r.client->start();
    expect_resumed_over(r, "2.0");
}

TEST(ClientH2, AStreamResetByTheServerIsANetworkErrorAndRetried) {
    auto peer = start_peer("h2c");
    ASSERT_NE(peer.port(), 0) << peer.log();
    client_runner r(options_for(peer, false, "/reset", sc::http_version::h2c));
    r.log_details = true;
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed")) << ::testing::PrintToString(r.log.lines());
    EXPECT_EQ(r.log.with_prefix("event "), std::vector<std::string>{"event message before-reset 7"});
    const std::vector<std::string> errors{"error " + code(sc::errc::stream_reset) + " retry",
                                          "error " + code(sc::errc::bad_status) + " final"};
    EXPECT_EQ(r.log.with_prefix("error "), errors);
    const auto details = r.log.with_prefix("detail ");
    ASSERT_FALSE(details.empty());
    EXPECT_EQ(details.front(), "detail the server reset the stream with REFUSED_STREAM");
}

// A connection that dies mid-stream (no END_STREAM) is a network error (EOF) over HTTP/2, as a
// truncated chunked body is over HTTP/1.1: not the server ending the response.
TEST(ClientH2, AConnectionLostWithoutEndStreamIsANetworkError) {
    auto peer = start_peer("h2c");
    ASSERT_NE(peer.port(), 0) << peer.log();
    client_runner r(options_for(peer, false, "/drop", sc::http_version::h2c));
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed")) << ::testing::PrintToString(r.log.lines());
    EXPECT_EQ(r.log.with_prefix("event "), std::vector<std::string>{"event message before-drop 9"});
    const std::error_code eof = boost::system::error_code(boost::asio::error::eof);
    const std::vector<std::string> errors{"error " + code(eof) + " retry",
                                          "error " + code(sc::errc::bad_status) + " final"};  // then 204
    EXPECT_EQ(r.log.with_prefix("error "), errors) << ::testing::PrintToString(r.log.lines()) << peer.log();
}

// A GOAWAY with an error code, then the connection closed: the stream was cut by the server, and
// its words (error name and debug data) reach the user through error_detail().
TEST(ClientH2, AGoawayWithAnErrorIsAResetWithTheServersWords) {
    auto peer = start_peer("h2c");
    ASSERT_NE(peer.port(), 0) << peer.log();
    client_runner r(options_for(peer, false, "/goaway", sc::http_version::h2c));
    r.log_details = true;
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed")) << ::testing::PrintToString(r.log.lines());
    const auto errors = r.log.with_prefix("error ");
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors.front(), "error " + code(sc::errc::stream_reset) + " retry") << ::testing::PrintToString(r.log.lines());
    const auto details = r.log.with_prefix("detail ");
    ASSERT_FALSE(details.empty()) << ::testing::PrintToString(r.log.lines());
    EXPECT_NE(details.front().find("ENHANCE_YOUR_CALM"), std::string::npos) << details.front();
    EXPECT_NE(details.front().find("shedding load"), std::string::npos) << details.front();
}

// A response HTTP/2 forbids (Connection: keep-alive, RFC 9113 8.2.2) is reset by the client
// itself: its own error (not the server's stream_reset), with the reason in error_detail().
TEST(ClientH2, AMalformedResponseIsTheClientsResetNotTheServers) {
    auto peer = start_peer("malformed");
    ASSERT_NE(peer.port(), 0) << peer.log();
    auto o = options_for(peer, false, "/events", sc::http_version::h2c);
    o.policy.max_attempts = 2;
    client_runner r(o);
    r.log_details = true;
    r.client->start();
    ASSERT_TRUE(r.log.wait_line("closed")) << ::testing::PrintToString(r.log.lines());
    EXPECT_TRUE(r.log.with_prefix("open ").empty());
    const auto errors = r.log.with_prefix("error ");
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors.front(), "error " + code(sc::errc::malformed_response) + " retry") << ::testing::PrintToString(r.log.lines());
    const auto details = r.log.with_prefix("detail ");
    ASSERT_FALSE(details.empty()) << ::testing::PrintToString(r.log.lines());
    EXPECT_NE(details.front().find("malformed"), std::string::npos) << details.front();
    EXPECT_NE(details.front().find("8.2.2"), std::string::npos) << details.front();
    EXPECT_NE(details.front().find("PROTOCOL_ERROR"), std::string::npos) << details.front();
}

}  // namespace
