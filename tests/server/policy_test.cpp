// Server policies over loopback: slow-client resync, the subscriber token, publish id policy,
// history byte cap, and static files read per request.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server_fixture.hpp"

namespace {

using namespace sse::test;
using policy_test = server_fixture;

const std::pair<std::string, std::string> form{"Content-Type", "application/x-www-form-urlencoded"};

TEST_F(policy_test, resync_drops_a_stalled_queue_signals_and_carries_on_live) {
    sse::server::config c = test_config();
    c.queue_budget = 64 * 1024;
    c.slow_client = sse::server::slow_client_policy::resync;
    start(c);
    event_stream fast, slow;
    ASSERT_TRUE(fast.open(port(), "/events?topic=t"));
    ASSERT_TRUE(slow.open(port(), "/events?topic=t", {}, 4096));  // stops reading for a while
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));

    const std::string payload(16 * 1024, 'x');
    std::size_t published = 0;
    for (; published < 4000 && server->stats().slow_client_resyncs.load() == 0; ++published) {
        server->publish("t", payload);
        ASSERT_TRUE(fast.wait_events(published + 1)) << "fast reader stalled at " << published;
    }
    ASSERT_GE(server->stats().slow_client_resyncs.load(), 1u);
    // Still subscribed: resync is not a disconnect.
    EXPECT_EQ(server->stats().subscribers.load(), 2u);
    EXPECT_EQ(server->stats().slow_client_drops.load(), 0u);
    for (int i = 0; i < 3; ++i) server->publish("t", "after " + std::to_string(i));
    server->publish("t", "final");
    published += 4;

    // The fast reader got every event, in order.
    ASSERT_TRUE(fast.wait_events(published));
    const auto all = fast.events();
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, std::to_string(i + 1));

    // The slow reader reads again: it gets the signal and later events, and never loses an event
    // without a signal telling it where its gap starts.
    for (std::size_t n = 1; n < 10000; ++n) {
        ASSERT_TRUE(slow.wait_events(n, std::chrono::seconds(20))) << "slow reader got " << n - 1;
        if (slow.events().back().data == "final") break;
    }
    const auto got = slow.events();
    ASSERT_EQ(got.back().data, "final");
    std::uint64_t last = 0;  // the position marker's id: ids start at 1
    bool gap_allowed = false;
    std::size_t signals = 0;
    for (const record& r : got) {
        if (r.type == "sse-history-truncated") {
            ++signals;
            const auto j = nlohmann::json::parse(r.data);
            EXPECT_EQ(j.at("reason"), "slow-client");
            // The id it names is the last one the client received: its own last event ID.
            EXPECT_EQ(j.at("lastEventId").get<std::string>(), std::to_string(last));
            EXPECT_EQ(r.id, std::to_string(last));
            gap_allowed = true;
            continue;
        }
        const std::uint64_t id = std::stoull(r.id);
        if (gap_allowed) EXPECT_GT(id, last);
        else EXPECT_EQ(id, last + 1) << "an event lost without a signal";
        last = id;
        gap_allowed = false;
    }
    EXPECT_GE(signals, 1u);
    EXPECT_LT(got.size(), published + signals);  // events were dropped, not buffered
}

TEST_F(policy_test, subscriber_token_by_header_or_query_parameter) {
    sse::server::config c = test_config();
    c.subscribe_token = "s3cret";
    start(c);
    for (const auto& [target, auth] : std::vector<std::pair<std::string, std::string>>{
             {"/events?topic=t", ""},
             {"/events?topic=t", "Bearer wrong"},
             {"/events?topic=t", "Bearer s3cre"},
             {"/events?topic=t", "Basic s3cret"},
             {"/events?topic=t&token=s3cre", ""},
             {"/events?topic=t&token=s3crett", ""},
             {"/events?topic=t&token=", ""}}) {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!auth.empty()) headers.emplace_back("Authorization", auth);
        const auto r = http_request(port(), "GET", target, headers);
        ASSERT_TRUE(r) << target << " " << auth;
        EXPECT_EQ(r->status, 401) << target << " " << auth;
        EXPECT_TRUE(r->has("www-authenticate"));
    }
    EXPECT_EQ(server->stats().subscribe_unauthorized.load(), 7u);
    EXPECT_EQ(server->stats().subscribers.load(), 0u);

    event_stream by_header, by_query;
    ASSERT_TRUE(by_header.open(port(), "/events?topic=t", {{"Authorization", "bearer s3cret"}}));
    EXPECT_EQ(by_header.status(), 200);
    ASSERT_TRUE(by_query.open(port(), "/events?token=s3cret&topic=t"));
    EXPECT_EQ(by_query.status(), 200);
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));
    server->publish("t", "hello");
    ASSERT_TRUE(by_header.wait_events(1));
    ASSERT_TRUE(by_query.wait_events(1));
    EXPECT_EQ(by_query.events()[0].data, "hello");
    // `token` is not a topic.
    const auto topics = server->hub().topic_subscribers();
    ASSERT_EQ(topics.size(), 1u);
    EXPECT_EQ(topics[0].first, "t");
    // Publishing is governed by its own token (none here).
    const auto pub = http_request(port(), "POST", "/publish", {form}, "topic=t&data=x");
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->status, 200);
}

TEST_F(policy_test, publish_id_none_is_ephemeral_and_auto_is_the_default) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=t"));
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    const auto first = http_request(port(), "POST", "/publish", {form}, "topic=t&data=one&id=auto");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body, "{\"id\":\"1\"}\n");
    const auto eph = http_request(port(), "POST", "/publish", {{"Content-Type", "application/json"}},
                                  R"({"topic":"t","data":"typing","type":"presence","id":"none"})");
    ASSERT_TRUE(eph);
    EXPECT_EQ(eph->status, 200);
    EXPECT_EQ(eph->body, "{\"id\":null}\n");
    const auto second = http_request(port(), "POST", "/publish", {form}, "topic=t&data=two");
    ASSERT_TRUE(second);
    EXPECT_EQ(second->body, "{\"id\":\"2\"}\n");
    for (const std::string bad : {"topic=t&data=x&id=7", "topic=t&data=x&id=", "topic=t&data=x&id=NONE"}) {
        const auto r = http_request(port(), "POST", "/publish", {form}, bad);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 400) << bad;
        EXPECT_NE(r->body.find("id must be auto"), std::string::npos);
    }

    ASSERT_TRUE(s.wait_events(3));
    const std::vector<record> expect = {record::make_event("message", "one", "1"),
                                        record::make_event("presence", "typing", "1"),
                                        record::make_event("message", "two", "2")};
    EXPECT_EQ(s.events(), expect);
    // A resume replays the numbered events only.
    event_stream again;
    ASSERT_TRUE(again.open(port(), "/events?topic=t", {{"Last-Event-ID", "0"}}));
    ASSERT_TRUE(again.wait_events(2));
    EXPECT_EQ(again.events()[0].data, "one");
    EXPECT_EQ(again.events()[1].data, "two");
}

TEST_F(policy_test, history_byte_cap_makes_an_evicted_resume_signal_truncation) {
    sse::server::config c = test_config();
    c.history_bytes = 1000;
    start(c);
    for (int i = 0; i < 50; ++i) server->publish(i % 2 ? "a" : "b", std::string(100, 'z'));
    EXPECT_LE(server->hub().history_bytes(), 1000u);
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=a&topic=b", {{"Last-Event-ID", "1"}}));
    ASSERT_TRUE(s.wait_events(2));
    EXPECT_EQ(s.events()[0].type, "sse-history-truncated");
    EXPECT_NE(s.events()[0].data.find("\"reason\":\"expired\""), std::string::npos);
    EXPECT_EQ(server->stats().replay_misses.load(), 1u);
    const auto metrics = http_request(port(), "GET", "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("sse_history_bytes "), std::string::npos);
    EXPECT_NE(metrics->body.find("\nsse_fanout_backlog_bytes "), std::string::npos);
    EXPECT_NE(metrics->body.find("\nsse_publish_backlog_refusals_total 0\n"), std::string::npos);
}

TEST_F(policy_test, static_files_are_read_per_request_with_their_types) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() /
                          ("sse-web-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
                           std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(root);
    const auto write = [&](const std::string& name, const std::string& text) {
        std::ofstream(root / name, std::ios::binary) << text;
    };
    write("app.mjs", "export {}");
    sse::server::config c = test_config();
    c.static_dir = root.string();
    start(c);
    const auto before = http_request(port(), "GET", "/app.mjs");
    ASSERT_TRUE(before);
    EXPECT_EQ(before->body, "export {}");
    EXPECT_EQ(before->header("cache-control"), "no-cache");
    // Rebuilt and added after the server started: served as they are now.
    write("app.mjs", "export const v = 2;");
    write("late.html", "<p>late</p>");
    const auto after = http_request(port(), "GET", "/app.mjs");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->body, "export const v = 2;");
    const auto late = http_request(port(), "GET", "/late.html");
    ASSERT_TRUE(late);
    EXPECT_EQ(late->status, 200);
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::string>>{
             {"a.js", "text/javascript; charset=utf-8"}, {"a.mjs", "text/javascript; charset=utf-8"},
             {"a.wasm", "application/wasm"}, {"a.png", "image/png"}, {"a.svg", "image/svg+xml"},
             {"a.css", "text/css; charset=utf-8"}, {"a.json", "application/json"},
             {"a.html", "text/html; charset=utf-8"}}) {
        write(name, "x");
        const auto r = http_request(port(), "GET", "/" + name);
        ASSERT_TRUE(r) << name;
        EXPECT_EQ(r->header("content-type"), type) << name;
    }
    std::error_code ignored;
    fs::remove_all(root, ignored);
}

}  // namespace
