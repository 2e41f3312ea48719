// Command-line parsing of sse-server.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
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
                           "--cors-origin=https://a.example", "--flush-interval=0"});
    ASSERT_TRUE(cl.error.empty()) << cl.error;
    EXPECT_EQ(cl.settings.flush_interval.count(), 0);
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

TEST(config_test, new_flags_and_boolean_switches) {
    const auto cl = parse({"--no-conformance-routes", "--slow-client", "resync", "--history-bytes=4096",
                           "--subscribe-token", "sub", "--log-level", "debug", "--log-format=json"});
    ASSERT_TRUE(cl.error.empty()) << cl.error;
    EXPECT_FALSE(cl.settings.conformance_routes);
    EXPECT_EQ(cl.settings.slow_client, sse::server::slow_client_policy::resync);
    EXPECT_EQ(cl.settings.history_bytes, 4096u);
    EXPECT_EQ(cl.settings.subscribe_token, "sub");
    EXPECT_EQ(cl.settings.logging.level, sse::server::log_level::debug);
    EXPECT_EQ(cl.settings.logging.format, sse::server::log_format::json);
    const auto defaults = parse({});
    EXPECT_TRUE(defaults.settings.conformance_routes);
    EXPECT_EQ(defaults.settings.slow_client, sse::server::slow_client_policy::disconnect);
    EXPECT_EQ(defaults.settings.history_bytes, std::size_t{64} << 20);
    EXPECT_EQ(defaults.settings.logging.level, sse::server::log_level::info);
    EXPECT_EQ(defaults.settings.logging.format, sse::server::log_format::text);
    EXPECT_TRUE(parse({"--no-conformance-routes", "--conformance-routes"}).settings.conformance_routes);
    EXPECT_EQ(defaults.settings.fanout_backlog, std::size_t{64} << 20);
    EXPECT_EQ(parse({"--fanout-backlog", "65536"}).settings.fanout_backlog, 65536u);
    EXPECT_NE(parse({"--fanout-backlog", "0"}).error.find("--fanout-backlog"), std::string::npos);
    EXPECT_NE(parse({"--slow-client", "drop"}).error.find("--slow-client"), std::string::npos);
    EXPECT_NE(parse({"--log-level", "verbose"}).error.find("--log-level"), std::string::npos);
    EXPECT_NE(parse({"--log-format", "xml"}).error.find("--log-format"), std::string::npos);
    EXPECT_NE(parse({"--no-conformance-routes=maybe"}).error.find("--no-conformance-routes"),
              std::string::npos);
}

TEST(config_test, static_dir_defaults_to_the_demo_pages_when_they_exist) {
    const std::string root(sse::server::default_web_root());
    ASSERT_FALSE(root.empty());  // compiled in by server/CMakeLists.txt
    std::error_code ec;
    const bool exists = std::filesystem::is_directory(root, ec);
    const auto cl = parse({});
    EXPECT_EQ(cl.settings.static_dir, exists ? root : std::string());
    EXPECT_FALSE(cl.static_dir_given);
    const auto off = parse({"--static-dir", ""});
    ASSERT_TRUE(off.error.empty()) << off.error;
    EXPECT_EQ(off.settings.static_dir, "");
    EXPECT_TRUE(off.static_dir_given);
    EXPECT_FALSE(parse({"--static-dir", "/nonexistent/dir"}).error.empty());
}

struct temp_file {
    std::filesystem::path path;
    explicit temp_file(const std::string& text) {
        path = std::filesystem::temp_directory_path() /
               ("sse-config-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".conf");
        std::ofstream(path) << text;
    }
    ~temp_file() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
};

TEST(config_test, config_file_sets_keys_and_the_command_line_overrides) {
    temp_file f("# a comment\n"
                "\n"
                "port = 9100\n"
                "  threads=3  \n"
                "cors-origin = https://a.example\n"
                "cors-origin = https://b.example\n"
                "publish-token = \"two words\"\n"
                "no-conformance-routes\n"
                "static-dir = \"\"\n"
                "log-format = json\n"
                "history-age = 0\r\n");
    const std::string path = f.path.string();
    const auto cl = parse({"--config", path.c_str(), "--port", "9200"});
    ASSERT_TRUE(cl.error.empty()) << cl.error;
    EXPECT_EQ(cl.settings.port, 9200);  // the command line wins, wherever --config is
    EXPECT_EQ(cl.settings.threads, 3u);
    EXPECT_EQ(cl.settings.cors_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
    EXPECT_EQ(cl.settings.publish_token, "two words");
    EXPECT_FALSE(cl.settings.conformance_routes);
    EXPECT_EQ(cl.settings.static_dir, "");
    EXPECT_TRUE(cl.static_dir_given);
    EXPECT_EQ(cl.settings.logging.format, sse::server::log_format::json);
    EXPECT_EQ(cl.settings.history_age.count(), 0);
    // A repeatable flag on the command line replaces the file's list.
    const std::string eq = "--config=" + path;
    const auto replaced = parse({"--cors-origin", "https://c.example", eq.c_str()});
    ASSERT_TRUE(replaced.error.empty()) << replaced.error;
    EXPECT_EQ(replaced.settings.cors_origins, (std::vector<std::string>{"https://c.example"}));
    EXPECT_EQ(replaced.settings.port, 9100);
}

TEST(config_test, config_file_errors_name_the_file_line_and_key) {
    const auto error_of = [](const std::string& text) {
        temp_file f(text);
        const std::string path = f.path.string();
        const auto cl = parse({"--config", path.c_str()});
        return std::make_pair(cl.error, path);
    };
    {
        const auto [error, path] = error_of("port = 1\nbogus = 2\n");
        EXPECT_EQ(error, path + ":2: unknown key 'bogus'");
    }
    {
        const auto [error, path] = error_of("# x\n\nport = many\n");
        EXPECT_EQ(error, path + ":3: bad value 'many' for key 'port'");
    }
    {
        const auto [error, path] = error_of("port\n");
        EXPECT_NE(error.find(path + ":1: key 'port' needs a value"), std::string::npos) << error;
    }
    {
        const auto [error, path] = error_of("--port = 1\n");
        EXPECT_NE(error.find(":1: unknown key '--port'"), std::string::npos) << error;
    }
    {
        const auto [error, path] = error_of("config = other.conf\n");
        EXPECT_NE(error.find(":1: config files do not nest"), std::string::npos) << error;
    }
    const auto missing = parse({"--config", "/nonexistent/sse.conf"});
    EXPECT_NE(missing.error.find("cannot read config file '/nonexistent/sse.conf'"), std::string::npos)
        << missing.error;
    EXPECT_NE(parse({"--config"}).error.find("needs a value"), std::string::npos);
}

TEST(config_test, tls_flags_and_keys_and_the_combinations_they_need) {
    const auto cl = parse({"--tls-cert", "c.pem", "--tls-key=k.pem", "--tls-port", "8443"});
    ASSERT_TRUE(cl.error.empty()) << cl.error;
    EXPECT_EQ(cl.settings.tls_cert_file, "c.pem");
    EXPECT_EQ(cl.settings.tls_key_file, "k.pem");
    EXPECT_EQ(cl.settings.tls_port, std::optional<std::uint16_t>(8443));
    EXPECT_FALSE(parse({}).settings.tls_port);

    temp_file f("tls-cert = /etc/ssl/fullchain.pem\ntls-key = /etc/ssl/key.pem\n");
    const std::string path = f.path.string();
    const auto from_file = parse({"--config", path.c_str(), "--tls-key", "other.pem"});
    ASSERT_TRUE(from_file.error.empty()) << from_file.error;
    EXPECT_EQ(from_file.settings.tls_cert_file, "/etc/ssl/fullchain.pem");
    EXPECT_EQ(from_file.settings.tls_key_file, "other.pem");
    EXPECT_FALSE(from_file.settings.tls_port);  // HTTPS on --port

    EXPECT_EQ(parse({"--tls-cert", "c.pem"}).error,
              "--tls-cert needs --tls-key (the certificate's private key)");
    EXPECT_EQ(parse({"--tls-key", "k.pem"}).error,
              "--tls-key needs --tls-cert (the certificate it belongs to)");
    EXPECT_EQ(parse({"--tls-port", "8443"}).error, "--tls-port needs --tls-cert and --tls-key");
    EXPECT_NE(parse({"--tls-cert", "c", "--tls-key", "k", "--port", "9000", "--tls-port", "9000"})
                  .error.find("--tls-port must differ from --port"),
              std::string::npos);
    EXPECT_NE(parse({"--tls-port", "65536"}).error.find("--tls-port"), std::string::npos);
    EXPECT_NE(parse({"--tls-cert", ""}).error.find("--tls-cert"), std::string::npos);
}

TEST(config_test, redis_flags) {
    EXPECT_FALSE(parse({}).settings.redis.enabled());
    const auto cl = parse({"--redis", "redis://10.0.0.5:6380/2", "--redis-backlog", "500",
                           "--redis-key-prefix", "hub1"});
    ASSERT_TRUE(cl.error.empty()) << cl.error;
    EXPECT_TRUE(cl.settings.redis.enabled());
    EXPECT_EQ(cl.settings.redis.host, "10.0.0.5");
    EXPECT_EQ(cl.settings.redis.port, 6380);
    EXPECT_EQ(cl.settings.redis.db, 2);
    EXPECT_EQ(cl.settings.redis.backlog, 500u);
    EXPECT_EQ(cl.settings.redis.key_prefix, "hub1");
    const auto plain = parse({"--redis", "redis://cache"});
    EXPECT_EQ(plain.settings.redis.host, "cache");
    EXPECT_EQ(plain.settings.redis.port, 6379);
    EXPECT_EQ(plain.settings.redis.db, 0);
    const auto v6 = parse({"--redis", "redis://[::1]:7000"});
    EXPECT_EQ(v6.settings.redis.host, "::1");
    EXPECT_EQ(v6.settings.redis.port, 7000);
    for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999",
                            "redis://user:pw@h", "redis://h/x"})
        EXPECT_NE(parse({"--redis", bad}).error.find("--redis"), std::string::npos) << bad;
    const auto sentinel = parse({"--redis-sentinel", "s1:26379", "--redis-sentinel=s2:26380",
                                 "--redis-master", "hub"});
    ASSERT_TRUE(sentinel.error.empty()) << sentinel.error;
    EXPECT_TRUE(sentinel.settings.redis.enabled());
    EXPECT_EQ(sentinel.settings.redis.sentinels,
              (std::vector<std::string>{"s1:26379", "s2:26380"}));
    EXPECT_EQ(sentinel.settings.redis.master, "hub");
    EXPECT_FALSE(parse({"--redis-sentinel", "nocolon"}).error.empty());
    EXPECT_FALSE(parse({"--redis-password-file", "/nonexistent/pw"}).error.empty());
}

TEST(config_test, help_lists_every_flag) {
    const std::string text = sse::server::usage();
    for (const char* flag : {"--address", "--port", "--threads", "--heartbeat", "--retry",
                             "--publish-token", "--publish-token-file", "--cors-origin", "--static-dir", "--history-size",
                             "--history-age", "--queue-budget", "--write-timeout", "--flush-interval",
                             "--max-header-size", "--max-target-size", "--max-body-size",
                             "--request-timeout", "--shutdown-timeout", "--help", "--version",
                             "--config", "--subscribe-token", "--subscribe-token-file",
                             "--no-conformance-routes", "--history-bytes", "--slow-client",
                             "--log-level", "--log-format", "--tls-cert", "--tls-key",
                             "--tls-port", "--fanout-backlog", "--redis", "--redis-password-file",
                             "--redis-sentinel", "--redis-master", "--redis-key-prefix",
                             "--redis-backlog"})
        EXPECT_NE(text.find(flag), std::string::npos) << flag;
    EXPECT_NE(text.find("default 127.0.0.1"), std::string::npos);
    EXPECT_NE(text.find("default 8080"), std::string::npos);
    EXPECT_NE(text.find("https"), std::string::npos);
}

}  // namespace
