// sse-server over HTTP/2, as a process, with independent clients as child processes: curl
// (--http2 over TLS with ALPN, --http2-prior-knowledge for h2c) and Node's node:http2
// (h2_client_peer.mjs: many streams on one connection, a reset stream, SETTINGS, a closed
// flow-control window, an idle connection). Also HTTP/1.1 beside it: ALPN http/1.1 on TLS, HTTP/1.1 on an --h2c port, --no-http2.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "server_process.hpp"
#include "sse/server/config.hpp"

namespace {

using namespace sse::test;

std::string tls_file(const std::string& name) { return std::string(SSE_TEST_TLS_DIR) + "/" + name; }

struct ran {
    int status = -1;  // the exit code, -1 when it did not exit normally
    std::string output;
};

// Runs `command` in a shell (each command bounds itself: curl --max-time, `timeout` for node);
// stdout and stderr together.
ran run(const std::string& command) {
    ran r;
    FILE* p = popen((command + " 2>&1").c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
    const int status = pclose(p);
    if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
    return r;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Polls `path` until it contains `needle`; false after 20 s.
bool wait_file(const std::string& path, const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (read_file(path).find(needle) == std::string::npos) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

std::string curl(const std::string& args) {
    return run("curl -sS --max-time 20 " + args).output;
}

ran peer(const std::string& args) {
    return run(std::string("timeout 60 ") + SSE_NODE + " " + SSE_H2_PEER + " " + args);
}

std::vector<std::string> tls_args() {
    return {"--tls-cert", tls_file("server-chain.pem"), "--tls-key", tls_file("server.key")};
}

// A server with `extra` flags; `scheme` is the URL scheme of the port to wait for.
struct started {
    server_process process;
    std::uint16_t port = 0;
    std::string base;
    started(std::vector<std::string> extra, const std::string& scheme)
        : process([&] {
              std::vector<std::string> args{"--port", "0", "--threads", "2", "--log-level", "debug"};
              args.insert(args.end(), extra.begin(), extra.end());
              return args;
          }()) {
        port = process.wait_port(std::chrono::seconds(20), scheme);
        base = scheme + "://127.0.0.1:" + std::to_string(port);
    }
};

// The head fields RFC 9113 8.2.2 forbids in HTTP/2, as curl prints them (lower case).
void expect_no_connection_fields(const std::string& head) {
    for (const char* name : {"\nconnection:", "\nkeep-alive:", "\ntransfer-encoding:",
                             "\nproxy-connection:", "\nupgrade:"})
        EXPECT_EQ(head.find(name), std::string::npos) << name << " in\n" << head;
}

TEST(h2_test, curl_http2_streams_events_over_tls_and_a_shutdown_ends_the_stream) {
    started s(tls_args(), "https");
    ASSERT_NE(s.port, 0) << s.process.log();
    // The stream runs until the server shuts down; its head and body land in `file` as they
    // arrive (-N), curl's own messages in `stream`.
    const std::string file = std::string(::testing::TempDir()) + "h2_stream_" +
                             std::to_string(getpid()) + ".txt";
    auto stream = std::async(std::launch::async, [&] {
        return curl("-k --http2 -N -D " + file + ".head -o " + file + " '" + s.base +
                    "/events?topic=t'");
    });
    ASSERT_TRUE(s.process.wait_log("msg=\"stream open\"")) << s.process.log();
    const std::string published = curl(
        "-k --http2 -D - -d 'topic=t&data=hello-h2' " + s.base + "/publish");
    EXPECT_NE(published.find("HTTP/2 200"), std::string::npos) << published;
    EXPECT_NE(published.find("{\"id\":\""), std::string::npos) << published;
    expect_no_connection_fields(published);
    ASSERT_TRUE(wait_file(file, "data: hello-h2\n")) << read_file(file);

    EXPECT_EQ(s.process.stop(SIGTERM), 0);
    ASSERT_EQ(stream.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    const std::string messages = stream.get();
    EXPECT_EQ(messages.find("curl:"), std::string::npos) << messages;
    const std::string out = read_file(file + ".head") + read_file(file);
    std::remove(file.c_str());
    std::remove((file + ".head").c_str());
    EXPECT_EQ(out.rfind("HTTP/2 200", 0), 0u) << out;
    EXPECT_NE(out.find("content-type: text/event-stream"), std::string::npos) << out;
    expect_no_connection_fields(out.substr(0, out.find("\r\n\r\n") + 2));
    EXPECT_NE(out.find("data: hello-h2\n"), std::string::npos) << out;
    // Shutdown: the goodbye comment, then END_STREAM (curl exits without an error).
    EXPECT_NE(out.find(": server shutting down\n"), std::string::npos) << out;
}

TEST(h2_test, head_on_events_over_h2_is_the_head_alone) {
    started s(tls_args(), "https");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::string head = curl("-k --http2 -I '" + s.base + "/events?topic=t'");
    EXPECT_EQ(head.rfind("HTTP/2 200", 0), 0u) << head;
    EXPECT_NE(head.find("content-type: text/event-stream"), std::string::npos) << head;
    expect_no_connection_fields(head);
}

TEST(h2_test, http11_over_tls_still_works_by_alpn_or_without_it) {
    started s(tls_args(), "https");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::string alpn = curl("-k -v --http1.1 " + s.base + "/healthz");
    EXPECT_NE(alpn.find("ALPN: server accepted http/1.1"), std::string::npos) << alpn;
    EXPECT_NE(alpn.find("< HTTP/1.1 200 OK"), std::string::npos) << alpn;
    const std::string none = curl("-k -v --no-alpn --http1.1 " + s.base + "/healthz");
    EXPECT_NE(none.find("< HTTP/1.1 200 OK"), std::string::npos) << none;
    EXPECT_NE(none.find("\nok"), std::string::npos) << none;
}

TEST(h2_test, no_http2_makes_alpn_fall_back_to_http11) {
    std::vector<std::string> args = tls_args();
    args.push_back("--no-http2");
    started s(args, "https");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::string out = curl("-k -v --http2 " + s.base + "/healthz");
    EXPECT_NE(out.find("ALPN: server accepted http/1.1"), std::string::npos) << out;
    EXPECT_NE(out.find("< HTTP/1.1 200 OK"), std::string::npos) << out;
}

TEST(h2_test, h2c_prior_knowledge_and_http11_share_the_plain_port) {
    started s({"--h2c"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::string h2 = curl("-D - --http2-prior-knowledge " + s.base + "/healthz");
    EXPECT_EQ(h2.rfind("HTTP/2 200", 0), 0u) << h2;
    const std::string h1 = curl("-D - --http1.1 " + s.base + "/healthz");
    EXPECT_EQ(h1.rfind("HTTP/1.1 200 OK", 0), 0u) << h1;
    // Without --h2c the preface is not HTTP/1.1 and gets 400.
    started plain({}, "http");
    ASSERT_NE(plain.port, 0) << plain.process.log();
    const std::string refused = curl("-D - --http2-prior-knowledge " + plain.base + "/healthz");
    EXPECT_EQ(refused.find("HTTP/2 200"), std::string::npos) << refused;
}

TEST(h2_test, fifty_streams_on_one_connection_all_get_the_event_over_tls_and_h2c) {
    std::vector<std::string> args = tls_args();
    args.insert(args.end(), {"--tls-port", "0", "--h2c"});
    started s(args, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::uint16_t tls_port = s.process.wait_port(std::chrono::seconds(20), "https");
    ASSERT_NE(tls_port, 0) << s.process.log();
    for (const std::string& base :
         {s.base, std::string("https://127.0.0.1:") + std::to_string(tls_port)}) {
        const ran r = peer("streams " + base + " 50");
        EXPECT_EQ(r.status, 0) << base << ": " << r.output;
        EXPECT_NE(r.output.find("\"streams\":50"), std::string::npos) << r.output;
        EXPECT_NE(r.output.find("\"forbidden\":[]"), std::string::npos) << r.output;
    }
    const std::string metrics = curl(s.base + "/metrics");
    // Two HTTP/2 connections (one per peer run) carried 50 streams and a publish each.
    EXPECT_NE(metrics.find("sse_h2_connections_total 2\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("sse_h2_streams_total 102\n"), std::string::npos) << metrics;
}

TEST(h2_test, a_stream_reset_by_the_client_leaves_the_others_alone) {
    started s({"--h2c"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const ran r = peer("reset " + s.base);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"server_subscribers\":2}"), std::string::npos) << r.output;
}

TEST(h2_test, max_concurrent_streams_and_max_header_list_size_are_the_configured_values) {
    started d({"--h2c"}, "http");
    ASSERT_NE(d.port, 0) << d.process.log();
    EXPECT_NE(peer("settings " + d.base).output.find("\"max_concurrent_streams\":100}"),
              std::string::npos);
    started s({"--h2c", "--h2-max-streams", "7", "--max-header-size", "3000"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const ran r = peer("settings " + s.base);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"max_concurrent_streams\":7}"), std::string::npos) << r.output;
    // The header limit is advertised, so a peer knows it before it meets 431.
    EXPECT_NE(r.output.find("\"max_header_list_size\":3000,"), std::string::npos) << r.output;
}

TEST(h2_test, a_closed_flow_control_window_is_a_slow_client) {
    started s({"--h2c", "--queue-budget", "4096", "--slow-client", "disconnect"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    // Window 0: nothing of the stream can go out, so its queue grows past the budget and the
    // server resets that stream (CANCEL = 8); the connection stays up.
    const ran r = peer("window " + s.base + " 20000");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"rst_code\":8"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"received\":0"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"reader_open\":true"), std::string::npos) << r.output;
    EXPECT_TRUE(s.process.wait_log("msg=\"slow client disconnected\"")) << s.process.log();
}

TEST(h2_test, with_resync_a_closed_window_gets_the_resync_signal_when_it_opens) {
    started s({"--h2c", "--queue-budget", "4096", "--slow-client", "resync"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const ran r = peer("reopen " + s.base + " 20000");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"truncated\":true"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"slow_client\":true"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"open\":true"), std::string::npos) << r.output;
    EXPECT_TRUE(s.process.wait_log("msg=\"slow client resynced\"")) << s.process.log();
    // Of 20 events of 1000 bytes, no more than the 4096-byte budget's worth were kept.
    const auto at = r.output.find("\"events\":");
    ASSERT_NE(at, std::string::npos) << r.output;
    EXPECT_LE(std::stoi(r.output.substr(at + 9)), 4) << r.output;
}

TEST(h2_test, a_write_stuck_on_a_closed_window_meets_the_write_timeout) {
    // A budget the few events never reach: the stream ends by the write timeout instead.
    started s({"--h2c", "--queue-budget", "1000000", "--write-timeout", "300"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const ran r = peer("window " + s.base + " 3000");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"rst_code\":8"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"reader_open\":true"), std::string::npos) << r.output;
    EXPECT_TRUE(s.process.wait_log("msg=\"write timeout\" kind=stream")) << s.process.log();
}

TEST(h2_test, an_idle_connection_gets_goaway_after_the_request_timeout) {
    started s({"--h2c", "--request-timeout", "200"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const ran r = peer("idle " + s.base);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"goaway_code\":0"), std::string::npos) << r.output;  // NO_ERROR
}

TEST(h2_test, request_limits_answer_as_on_http11) {
    started s({"--h2c", "--max-body-size", "10", "--max-header-size", "200"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::string body = curl("-D - --http2-prior-knowledge -d 'topic=t&data=far-too-long' " +
                                  s.base + "/publish");
    EXPECT_EQ(body.rfind("HTTP/2 413", 0), 0u) << body;
    const std::string head = curl("-D - --http2-prior-knowledge -H 'X-Big: " + std::string(300, 'a') +
                                  "' " + s.base + "/healthz");
    EXPECT_EQ(head.rfind("HTTP/2 431", 0), 0u) << head;
    expect_no_connection_fields(head);
    // The connection's other requests are unaffected.
    EXPECT_EQ(curl("-D - --http2-prior-knowledge " + s.base + "/healthz").rfind("HTTP/2 200", 0), 0u);
}

TEST(h2_test, a_conformance_script_plays_over_h2_and_ends_the_stream) {
    started s(tls_args(), "https");
    ASSERT_NE(s.port, 0) << s.process.log();
    const std::string out = curl("-k --http2 -D - '" + s.base + "/conformance/count?n=3'");
    EXPECT_EQ(out.rfind("HTTP/2 200", 0), 0u) << out;
    expect_no_connection_fields(out.substr(0, out.find("\r\n\r\n") + 2));
    EXPECT_NE(out.find("data: 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("data: 3\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("curl:"), std::string::npos) << out;  // ended with END_STREAM, no error
}

// A directory with one file of `bytes` zero bytes, big.bin, for --static-dir.
std::string static_dir_with_big_file(std::size_t bytes) {
    const std::string dir = std::string(::testing::TempDir()) + "h2_static_" + std::to_string(getpid());
    run("mkdir -p " + dir);
    std::ofstream(dir + "/big.bin", std::ios::binary) << std::string(bytes, '\0');
    return dir;
}

TEST(h2_test, a_plain_reply_stuck_on_a_closed_window_meets_the_write_timeout) {
    started s({"--h2c", "--write-timeout", "300"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    // Window 0: the reply's HEADERS go out, its DATA cannot; the server resets the stream
    // (CANCEL = 8) instead of holding the body forever, and counts a write timeout.
    const ran r = peer("stuck " + s.base + " /metrics");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"status\":200"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"rst_code\":8"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"session_open\":true"), std::string::npos) << r.output;
    EXPECT_TRUE(s.process.wait_log("msg=\"write timeout\" kind=\"http/2 reply\"")) << s.process.log();
    EXPECT_NE(curl(s.base + "/metrics").find("sse_write_timeouts_total 1\n"), std::string::npos);
}

TEST(h2_test, replies_a_connection_holds_are_capped_with_503) {
    // Two 3 MiB files behind a closed window: the first is held, the second would take the
    // connection over its 4 MiB and is refused.
    const std::string dir = static_dir_with_big_file(3u << 20);
    started s({"--h2c", "--static-dir", dir}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    const ran r = peer("held " + s.base + " /big.bin");
    run("rm -rf " + dir);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"statuses\":[200,503]"), std::string::npos) << r.output;
}

TEST(h2_test, an_unfinished_request_gets_408_and_its_stream_ends) {
    started s({"--h2c", "--request-timeout", "300"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    // The body never ends: after --request-timeout the stream is answered 408 and reset with
    // NO_ERROR (0); with no stream left the connection then idles out with GOAWAY NO_ERROR.
    const ran r = peer("unfinished " + s.base);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"status\":408"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"rst_code\":0"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"goaway_code\":0"), std::string::npos) << r.output;
}

TEST(h2_test, an_early_answer_resets_the_unfinished_request_with_no_error) {
    started s({"--h2c", "--max-body-size", "10"}, "http");
    ASSERT_NE(s.port, 0) << s.process.log();
    // 100 body bytes, the request left open: 413, then RST_STREAM NO_ERROR so the peer stops
    // uploading; the connection stays.
    const ran r = peer("early " + s.base);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("\"status\":413"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"rst_code\":0"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("\"session_open\":true"), std::string::npos) << r.output;
}

TEST(h2_test, options_are_validated) {
    const auto parse = [](std::vector<const char*> args) {
        args.insert(args.begin(), "sse-server");
        return sse::server::parse_command_line(static_cast<int>(args.size()), args.data());
    };
    EXPECT_EQ(parse({"--h2-max-streams", "7"}).settings.h2_max_streams, 7u);
    EXPECT_FALSE(parse({"--h2-max-streams", "0"}).error.empty());
    EXPECT_FALSE(parse({"--h2-max-streams", "2147483648"}).error.empty());
    EXPECT_FALSE(parse({"--h2c", "--no-http2"}).error.empty());
    EXPECT_FALSE(parse({"--no-http2"}).settings.http2);
    EXPECT_TRUE(parse({"--h2c"}).settings.h2c);
    EXPECT_TRUE(parse({}).settings.http2);
}

}  // namespace
