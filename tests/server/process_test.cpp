// sse-server as a process: starts with flags, serves, publishes over HTTP, and exits 0 on SIGTERM
// and SIGINT after closing its streams.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "server_process.hpp"
#include "test_client.hpp"

namespace {

using namespace sse::test;

TEST(server_process_test, help_exits_zero) {
    server_process p({"--help"});
    ASSERT_TRUE(p.running());
    // --help writes to stdout (discarded here); the text itself is checked in config_test.
    const auto code = p.stop(0);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

TEST(server_process_test, serves_publishes_and_exits_zero_on_sigterm_and_sigint) {
    for (const int sig : {SIGTERM, SIGINT}) {
        server_process p({"--port", "0", "--threads", "2", "--publish-token", "tok"});
        ASSERT_TRUE(p.running());
        const std::uint16_t port = p.wait_port();
        ASSERT_NE(port, 0) << p.log();

        event_stream s;
        ASSERT_TRUE(s.open(port, "/events?topic=t"));
        ASSERT_EQ(s.status(), 200);
        const auto denied = http_request(port, "POST", "/publish",
                                         {{"Content-Type", "application/x-www-form-urlencoded"}},
                                         "topic=t&data=x");
        ASSERT_TRUE(denied);
        EXPECT_EQ(denied->status, 401);
        const auto ok = http_request(port, "POST", "/publish",
                                     {{"Content-Type", "application/x-www-form-urlencoded"},
                                      {"Authorization", "Bearer tok"}},
                                     "topic=t&data=hello");
        ASSERT_TRUE(ok);
        EXPECT_EQ(ok->status, 200);
        ASSERT_TRUE(s.wait_events(1));
        EXPECT_EQ(s.events()[0].data, "hello");

        const auto code = p.stop(sig);
        ASSERT_TRUE(code) << "did not exit after signal " << sig << "\n" << p.log();
        EXPECT_EQ(*code, 0);
        EXPECT_TRUE(s.wait_closed());
        ASSERT_FALSE(s.comments().empty());
        EXPECT_EQ(s.comments().back(), " server shutting down");
    }
}

TEST(server_process_test, config_file_and_json_logs) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("sse-process-" + std::to_string(getpid()) + ".conf"))
                                 .string();
    std::ofstream(path) << "# test server\nport = 0\nthreads = 2\nlog-format = json\n"
                           "static-dir = \"\"\n";
    server_process p({"--config", path, "--log-level", "info"});
    ASSERT_TRUE(p.running());
    const std::uint16_t port = p.wait_port();
    ASSERT_NE(port, 0) << p.log();
    EXPECT_NE(p.log().find("{\"time\":"), std::string::npos) << p.log();
    EXPECT_NE(p.log().find("\"msg\":\"listening\""), std::string::npos) << p.log();
    EXPECT_NE(p.log().find("\"port\":" + std::to_string(port)), std::string::npos) << p.log();
    const auto r = http_request(port, "GET", "/conformance/count?n=1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "id: 1\ndata: 1\n\n");
    const auto code = p.stop(SIGTERM);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
    EXPECT_NE(p.log().find("\"msg\":\"stopped\""), std::string::npos) << p.log();

    std::ofstream(path) << "port = 0\nwat = 1\n";
    server_process bad({"--config", path});
    const auto bad_code = bad.stop(0);
    ASSERT_TRUE(bad_code);
    EXPECT_EQ(*bad_code, 2);
    EXPECT_NE(bad.log().find(path + ":2: unknown key 'wat'"), std::string::npos) << bad.log();
    std::filesystem::remove(path);
}

TEST(server_process_test, with_no_static_dir_flag_it_serves_the_demo_pages_if_built) {
    server_process p({"--port", "0", "--threads", "1"});
    ASSERT_TRUE(p.running());
    const std::uint16_t port = p.wait_port();
    ASSERT_NE(port, 0) << p.log();
    std::error_code ec;
    const std::filesystem::path root = SSE_DEFAULT_WEB_ROOT;
    if (std::filesystem::is_directory(root, ec)) {
        EXPECT_NE(p.log().find("msg=\"serving static files\" dir=" + root.string()), std::string::npos)
            << p.log();
        if (std::filesystem::is_regular_file(root / "index.html", ec)) {
            const auto page = http_request(port, "GET", "/");
            ASSERT_TRUE(page);
            EXPECT_EQ(page->status, 200);
            EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
        }
    } else {
        // Not built yet: the server says where it looked and how to fix it, and still runs.
        EXPECT_NE(p.log().find("msg=\"no static files: the demo pages are not built\""),
                  std::string::npos)
            << p.log();
        EXPECT_NE(p.log().find(root.string()), std::string::npos) << p.log();
        const auto page = http_request(port, "GET", "/");
        ASSERT_TRUE(page);
        EXPECT_EQ(page->status, 404);
    }
    const auto code = p.stop(SIGINT);
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
}

TEST(server_process_test, bad_flags_exit_2) {
    for (const char* bad : {"--nope", "--port=notanumber", "--threads"}) {
        server_process p({bad});
        ASSERT_TRUE(p.running());
        const auto code = p.stop(0);
        ASSERT_TRUE(code) << bad;
        EXPECT_EQ(*code, 2) << bad;
    }
}

}  // namespace
