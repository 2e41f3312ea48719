// sse-load as a process against the in-process sse-server: every published event reaches every
// subscriber (counts, not timings), and a subscribe URL that does not stream is counted as errors.
// Over HTTP/2 against Node's node:http2 (support/h2_peer.mjs): subscribers multiplexed as streams,
// the same report; subscribers the server rejects fail the run, and a lost connection is said so.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "server_fixture.hpp"
#include "support/node_peer.hpp"
#include "support/scripted_peer.hpp"

namespace {

// What one sse-load run gave: its --json report (null on failure), exit status and all output.
struct load_run {
    nlohmann::json report;
    int status = -1;
    std::string out;
};

load_run run_load_full(const std::string& args) {
    load_run r;
    const std::string command = std::string(SSE_LOAD_BINARY) + " --quiet --json " + args + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, pipe)) r.out.append(buf, n);
    const int w = ::pclose(pipe);
    r.status = WIFEXITED(w) ? WEXITSTATUS(w) : -1;
    const auto start = r.out.find('{');
    auto j = nlohmann::json::parse(start == std::string::npos ? std::string() : r.out.substr(start), nullptr, false);
    if (j.is_discarded()) ADD_FAILURE() << "sse-load printed no report:\n" << r.out;
    else r.report = std::move(j);
    return r;
}

// Runs sse-load with `args` and returns its --json report (null on failure).
nlohmann::json run_load(const std::string& args) { return run_load_full(args).report; }

struct LoadProcess : sse::test::server_fixture {
    void SetUp() override { start(); }
    std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
};

TEST_F(LoadProcess, EveryPublishedEventReachesEverySubscriber) {
    const auto j = run_load("--url '" + origin() + "/events?topic=load' --publish-url " + origin() +
                            "/publish --connections 20 --rate 20 --duration 1 --drain 2");
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["connections"]["open_at_end"], 20);
    EXPECT_GT(j["publish"]["published"].get<int>(), 0);
    EXPECT_EQ(j["deliveries"]["total"], j["deliveries"]["expected"]);
    EXPECT_EQ(j["deliveries"]["untimed"], 0);
    for (const char* e : {"closed", "connect", "parse", "status"}) EXPECT_EQ(j["errors"][e], 0) << e;
}

TEST_F(LoadProcess, AStreamThatIsNotThereIsAStatusError) {
    const auto j = run_load("--url '" + origin() + "/no-such-route' --idle --connections 5 --duration 0.5 --drain 0");
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["errors"]["status"], 5);
    EXPECT_EQ(j["connections"]["open_at_end"], 0);
}

// The peer allows 7 streams per connection: 25 subscribers asking for 10 per connection need at
// least 4 connections, and every one of them must still get every event.
TEST(LoadH2, SubscribersMultiplexedOverH2cGetEveryEvent) {
    sse::test::node_peer peer(SSE_H2_PEER_SCRIPT, {"h2c", "--max-streams", "7"});
    ASSERT_NE(peer.port(), 0) << peer.log();
    const std::string origin = "http://127.0.0.1:" + std::to_string(peer.port());
    const std::string publish = "http://127.0.0.1:" + std::to_string(peer.publish_port()) + "/publish";
    const auto j = run_load("--h2c --url " + origin + "/hub --publish-url " + publish +
                            " --connections 25 --streams-per-connection 10 --rate 20 --duration 1 --drain 2");
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["protocol"], "h2c");
    EXPECT_EQ(j["connections"]["open_at_end"], 25);
    EXPECT_GT(j["publish"]["published"].get<int>(), 0);
    EXPECT_EQ(j["deliveries"]["total"], j["deliveries"]["expected"]);
    EXPECT_EQ(j["deliveries"]["untimed"], 0);
    for (const char* e : {"closed", "connect", "parse", "status"}) EXPECT_EQ(j["errors"][e], 0) << e;
}

TEST(LoadH2, Http2OverTlsAndAServerWithoutIt) {
    {
        sse::test::node_peer peer(SSE_H2_PEER_SCRIPT, {"h2", sse::test::tls_dir()});
        ASSERT_NE(peer.port(), 0) << peer.log();
        const auto j = run_load("--http2 --cacert " + sse::test::tls_dir() + "/ca.pem --url https://localhost:" +
                                std::to_string(peer.port()) + "/hub --idle --connections 12 --processes 2 "
                                "--duration 0.5 --drain 0");
        ASSERT_TRUE(j.is_object());
        EXPECT_EQ(j["protocol"], "h2");
        EXPECT_EQ(j["connections"]["open_at_end"], 12);
        EXPECT_EQ(j["errors"]["connect"], 0);
    }
    {
        sse::test::node_peer peer(SSE_H2_PEER_SCRIPT, {"h1tls", sse::test::tls_dir()});
        ASSERT_NE(peer.port(), 0) << peer.log();
        const auto j = run_load("--http2 --cacert " + sse::test::tls_dir() + "/ca.pem --url https://localhost:" +
                                std::to_string(peer.port()) + "/hub --idle --connections 5 --duration 0.5 --drain 0");
        ASSERT_TRUE(j.is_object());
        EXPECT_EQ(j["errors"]["connect"], 5);  // the server does not select h2: every subscriber failed
        EXPECT_EQ(j["connections"]["open_at_end"], 0);
    }
}

// Every subscriber rejected over HTTP/2 (the server's RST_STREAM before any head, or a response
// nghttp2 resets as malformed) is a status error and fails the run, as a bad status over HTTP/1.1.
TEST(LoadH2, SubscribersRejectedBeforeTheirHeadFailTheRun) {
    {
        sse::test::node_peer peer(SSE_H2_PEER_SCRIPT, {"h2c"});
        ASSERT_NE(peer.port(), 0) << peer.log();
        const auto r = run_load_full("--h2c --url http://127.0.0.1:" + std::to_string(peer.port()) +
                                     "/refuse --idle --connections 4 --duration 0.5 --drain 0");
        ASSERT_TRUE(r.report.is_object()) << r.out;
        EXPECT_EQ(r.report["errors"]["status"], 4) << r.out;
        EXPECT_EQ(r.report["connections"]["open_at_end"], 0);
        EXPECT_NE(r.status, 0) << r.out;
        EXPECT_NE(r.out.find("REFUSED_STREAM"), std::string::npos) << r.out;
    }
    {
        sse::test::node_peer peer(SSE_H2_PEER_SCRIPT, {"malformed"});
        ASSERT_NE(peer.port(), 0) << peer.log();
        const auto r = run_load_full("--h2c --url http://127.0.0.1:" + std::to_string(peer.port()) +
                                     "/hub --idle --connections 4 --duration 0.5 --drain 0");
        ASSERT_TRUE(r.report.is_object()) << r.out;
        EXPECT_EQ(r.report["errors"]["status"], 4) << r.out;
        EXPECT_NE(r.status, 0) << r.out;
        EXPECT_NE(r.out.find("malformed"), std::string::npos) << r.out;
    }
}

// A connection lost mid-stream is said as such (with the session's words when it has any), not
// as the server ending the stream with an error code. (The lost subscriber never counts as open
// at the end of the ramp, hence the short --connect-timeout.)
TEST(LoadH2, AConnectionLostMidStreamIsSaidSo) {
    sse::test::node_peer peer(SSE_H2_PEER_SCRIPT, {"h2c"});
    ASSERT_NE(peer.port(), 0) << peer.log();
    const auto r = run_load_full("--h2c --url http://127.0.0.1:" + std::to_string(peer.port()) +
                                 "/drop --idle --connections 1 --duration 0.5 --drain 0 --connect-timeout 2");
    ASSERT_TRUE(r.report.is_object()) << r.out;
    EXPECT_EQ(r.report["errors"]["closed"], 1) << r.out;
    EXPECT_NE(r.out.find("sse-load: the connection ended"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("error code"), std::string::npos) << r.out;
}

}  // namespace
