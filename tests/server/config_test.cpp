// Command-line parsing of sse-server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sse/server/config.hpp"

namespace {

using sse::server::parse_command_line;

sse::server::command_line parse(std::vector<const char*> args) {
    args.insert(args.begin(), "sse-server");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(config_test, defaults_serve_loopback_8080) {
    const auto cl = parse({});
    EXPECT_TRUE(cl.error.empty());
    EXPECT_EQ(cl.settings.address, "127.0.0.1");
    EXPECT_EQ(cl.settings.port, 8080);
    EXPECT_TRUE(cl.settings.publish_token.empty());
}

TEST(config_test, flags_in_both_spellings) {
    const auto cl = parse({"--port", "9000", "--threads=3", "--heartbeat", "250", "--retry=none",
                           "--history-size", "5", "--history-age=0", "--queue-budget", "4096",
                           "--publish-token", "t", "--max-body-size=10", "--cors-origin", "*",
                           "--cors-origin=https://a.example"});
    ASSERT_TRUE(cl.error.empty()) << cl.error;
    EXPECT_EQ(cl.settings.port, 9000);
    EXPECT_EQ(cl.settings.threads, 3u);
    EXPECT_EQ(cl.settings.heartbeat.count(), 250);
    EXPECT_FALSE(cl.settings.retry_ms);
    EXPECT_EQ(cl.settings.history_size, 5u);
    EXPECT_EQ(cl.settings.history_age.count(), 0);
    EXPECT_EQ(cl.settings.queue_budget, 4096u);
    EXPECT_EQ(cl.settings.publish_token, "t");
    EXPECT_EQ(cl.settings.max_body_size, 10u);
    EXPECT_EQ(cl.settings.cors_origins, (std::vector<std::string>{"*", "https://a.example"}));
}

TEST(config_test, bad_usage_names_the_flag) {
    EXPECT_NE(parse({"--port", "70000"}).error.find("--port"), std::string::npos);
    EXPECT_NE(parse({"--heartbeat", "-5"}).error.find("--heartbeat"), std::string::npos);
    EXPECT_NE(parse({"--wat"}).error.find("--wat"), std::string::npos);
    EXPECT_NE(parse({"--retry"}).error.find("needs a value"), std::string::npos);
    EXPECT_FALSE(parse({"--publish-token-file", "/nonexistent/token"}).error.empty());
    EXPECT_TRUE(parse({"-h"}).show_help);
}

TEST(config_test, help_lists_every_flag) {
    const std::string text = sse::server::usage();
    for (const char* flag : {"--address", "--port", "--threads", "--heartbeat", "--retry",
                             "--publish-token", "--publish-token-file", "--cors-origin", "--static-dir", "--history-size",
                             "--history-age", "--queue-budget", "--write-timeout",
                             "--max-header-size", "--max-target-size", "--max-body-size",
                             "--request-timeout", "--shutdown-timeout", "--help", "--version"})
        EXPECT_NE(text.find(flag), std::string::npos) << flag;
    EXPECT_NE(text.find("default 127.0.0.1"), std::string::npos);
    EXPECT_NE(text.find("default 8080"), std::string::npos);
}

}  // namespace
