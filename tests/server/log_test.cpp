// Structured logging: level filtering, logfmt and JSON lines, thread safety, and the server's
// "listening" line that tools read the port from.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.hpp"
#include "sse/server/log.hpp"

namespace {

using namespace sse::test;
using sse::server::log_format;
using sse::server::log_level;
using sse::server::logger;

struct captured {
    std::mutex mutex;
    std::vector<std::string> lines;
    logger::sink sink() {
        return [this](std::string_view line) {
            std::lock_guard lock(mutex);
            lines.emplace_back(line);
        };
    }
    std::vector<std::string> take() {
        std::lock_guard lock(mutex);
        return lines;
    }
};

TEST(log_test, levels_filter_lines) {
    captured out;
    logger log(log_level::warn, log_format::text, out.sink());
    EXPECT_FALSE(log.enabled(log_level::debug));
    EXPECT_FALSE(log.enabled(log_level::info));
    EXPECT_TRUE(log.enabled(log_level::warn));
    EXPECT_TRUE(log.enabled(log_level::error));
    log.write(log_level::debug, "d");
    log.write(log_level::info, "i");
    log.write(log_level::warn, "w");
    log.write(log_level::error, "e");
    const auto lines = out.take();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[0].find(" level=warn msg=w"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find(" level=error msg=e"), std::string::npos) << lines[1];

    captured none;
    logger off(log_level::off, log_format::text, none.sink());
    off.write(log_level::error, "e");
    EXPECT_FALSE(off.enabled(log_level::error));
    EXPECT_TRUE(none.take().empty());
}

TEST(log_test, text_lines_are_logfmt_with_quoting) {
    captured out;
    logger log(log_level::debug, log_format::text, out.sink());
    log.write(log_level::info, "stream open",
              {{"topics", "a,b"}, {"port", 8080}, {"odd", "say \"hi\"\nnow"}, {"empty", ""}});
    const auto lines = out.take();
    ASSERT_EQ(lines.size(), 1u);
    const std::string& l = lines[0];
    EXPECT_EQ(l.rfind("time=", 0), 0u) << l;
    EXPECT_EQ(l.back(), '\n');
    EXPECT_EQ(l.find('\n'), l.size() - 1) << "one line";
    EXPECT_NE(l.find(" level=info msg=\"stream open\" topics=a,b port=8080 "
                     "odd=\"say \\\"hi\\\"\\nnow\" empty=\"\"\n"),
              std::string::npos)
        << l;
}

TEST(log_test, json_lines_parse_and_keep_field_order) {
    captured out;
    logger log(log_level::info, log_format::json, out.sink());
    log.write(log_level::warn, "slow client", {{"queued_bytes", 123}, {"topic", "t\x01\xff"}});
    const auto lines = out.take();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].find('\n'), lines[0].size() - 1);
    const auto j = nlohmann::ordered_json::parse(lines[0]);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"time", "level", "msg", "queued_bytes", "topic"}));
    EXPECT_EQ(j.at("level"), "warn");
    EXPECT_EQ(j.at("msg"), "slow client");
    EXPECT_EQ(j.at("queued_bytes"), 123);
    EXPECT_EQ(j.at("topic"), "t\x01\xEF\xBF\xBD");  // invalid UTF-8 replaced, JSON stays valid
}

TEST(log_test, lines_from_many_threads_never_interleave) {
    captured out;
    logger log(log_level::info, log_format::json, out.sink());
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&log, t] {
            for (int i = 0; i < 200; ++i)
                log.write(log_level::info, "tick", {{"thread", t}, {"i", i}, {"pad", std::string(100, 'p')}});
        });
    for (auto& th : threads) th.join();
    const auto lines = out.take();
    ASSERT_EQ(lines.size(), 800u);
    for (const std::string& l : lines) EXPECT_TRUE(nlohmann::json::accept(l)) << l;
}

TEST(log_test, parse_names) {
    EXPECT_EQ(sse::server::parse_log_level("debug"), log_level::debug);
    EXPECT_EQ(sse::server::parse_log_level("off"), log_level::off);
    EXPECT_FALSE(sse::server::parse_log_level("verbose"));
    EXPECT_EQ(sse::server::parse_log_format("json"), log_format::json);
    EXPECT_FALSE(sse::server::parse_log_format("xml"));
}

TEST(log_test, the_server_logs_listening_with_its_port_and_streams_at_debug) {
    captured out;
    sse::server::config c = test_config();
    c.logging = {log_level::debug, log_format::json, out.sink()};
    {
        sse::server::server s(c);
        ASSERT_FALSE(s.start());
        event_stream e;
        ASSERT_TRUE(e.open(s.port(), "/events?topic=news"));
        ASSERT_TRUE(eventually([&] { return s.stats().subscribers.load() == 1; }));
        e.close();
        ASSERT_TRUE(eventually([&] { return s.stats().subscribers.load() == 0; }));
        s.stop();
        const auto lines = out.take();
        bool listening = false, opened = false, closed = false, stopping = false;
        for (const std::string& l : lines) {
            const auto j = nlohmann::json::parse(l);
            const std::string msg = j.at("msg");
            if (msg == "listening") {
                listening = true;
                EXPECT_EQ(j.at("port"), s.port());
                EXPECT_EQ(j.at("url"), "http://127.0.0.1:" + std::to_string(s.port()) + "/");
            }
            if (msg == "stream open") opened = j.at("topics") == "news";
            if (msg == "stream closed") closed = j.at("reason") == "peer-closed";
            if (msg == "shutting down") stopping = j.at("level") == "info";
        }
        EXPECT_TRUE(listening && opened && closed && stopping) << ::testing::PrintToString(lines);
    }
    // At info, the stream lines are filtered out.
    captured quiet;
    c.logging = {log_level::info, log_format::text, quiet.sink()};
    sse::server::server s(c);
    ASSERT_FALSE(s.start());
    event_stream e;
    ASSERT_TRUE(e.open(s.port(), "/events?topic=news"));
    ASSERT_TRUE(eventually([&] { return s.stats().subscribers.load() == 1; }));
    s.stop();
    for (const std::string& l : quiet.take()) EXPECT_EQ(l.find("stream open"), std::string::npos) << l;
}

TEST(log_test, a_slow_client_drop_is_a_warning) {
    captured out;
    sse::server::config c = test_config();
    c.queue_budget = 1;  // any live event is over budget
    c.logging = {log_level::warn, log_format::text, out.sink()};
    sse::server::server s(c);
    ASSERT_FALSE(s.start());
    event_stream e;
    ASSERT_TRUE(e.open(s.port(), "/events?topic=t"));
    ASSERT_TRUE(eventually([&] { return s.stats().subscribers.load() == 1; }));
    s.publish("t", "x");
    ASSERT_TRUE(eventually([&] { return s.stats().slow_client_drops.load() == 1; }));
    s.stop();
    const auto lines = out.take();
    ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
    EXPECT_NE(lines[0].find("level=warn msg=\"slow client disconnected\" topics=t"), std::string::npos)
        << lines[0];
}

TEST(log_test, a_write_timeout_is_a_warning) {
    captured out;
    sse::server::config c = test_config();
    c.write_timeout = std::chrono::milliseconds(200);
    c.logging = {log_level::warn, log_format::json, out.sink()};
    sse::server::server s(c);
    ASSERT_FALSE(s.start());
    event_stream dead;  // an endless scripted count to a client that never reads
    ASSERT_TRUE(dead.open(s.port(), "/conformance/count?n=100000000000", {}, 4096));
    ASSERT_TRUE(eventually([&] { return s.stats().write_timeouts.load() == 1; },
                           std::chrono::seconds(60)));
    s.stop();
    const auto lines = out.take();
    ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(lines);
    const auto j = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(j.at("level"), "warn");
    EXPECT_EQ(j.at("msg"), "write timeout");
    EXPECT_EQ(j.at("timeout_ms"), 200);
}

}  // namespace
