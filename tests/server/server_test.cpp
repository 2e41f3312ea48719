// The server over loopback, with ssekit's own parser as the client.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "server_fixture.hpp"
#include "sse/content_type.hpp"

namespace {

using namespace sse::test;
using sse::test::record;

std::vector<std::string> ids_of(const std::vector<record>& events) {
    std::vector<std::string> out;
    for (const record& r : events) out.push_back(r.type == "message" ? r.id : r.type);
    return out;
}

using server_test = server_fixture;

TEST_F(server_test, stream_head_is_an_unbounded_event_stream_with_retry_first) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=news"));
    EXPECT_EQ(s.status(), 200);
    EXPECT_TRUE(sse::is_event_stream(s.head().header("content-type")));
    EXPECT_EQ(s.head().header("cache-control"), "no-cache");
    EXPECT_EQ(s.head().header("x-accel-buffering"), "no");
    EXPECT_FALSE(s.head().has("content-length"));
    EXPECT_FALSE(s.head().has("transfer-encoding"));
    // The head is flushed before any event exists; then the retry hint.
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    server->publish("news", "first");
    ASSERT_TRUE(s.wait_events(1));
    ASSERT_GE(s.records().size(), 2u);
    EXPECT_EQ(s.records()[0], record::make_retry(1500));
}

TEST_F(server_test, publish_subscribe_round_trip_through_the_api_and_http) {
    sse::server::config c = test_config();
    c.publish_token = "s3cret";
    start(c);
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=news"));
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));

    EXPECT_EQ(server->publish("news", "from the api", "note").id, 1u);
    const auto form = http_request(port(), "POST", "/publish",
                                   {{"Authorization", "Bearer s3cret"},
                                    {"Content-Type", "application/x-www-form-urlencoded"}},
                                   "topic=news&data=two%0Alines+here&type=form");
    ASSERT_TRUE(form);
    EXPECT_EQ(form->status, 200);
    EXPECT_EQ(form->body, "{\"id\":\"2\"}\n");
    const auto json = http_request(port(), "POST", "/publish",
                                   {{"authorization", "bearer s3cret"},
                                    {"Content-Type", "application/json; charset=utf-8"}},
                                   R"({"topic":"news","data":"{\"k\":1}"})");
    ASSERT_TRUE(json);
    EXPECT_EQ(json->status, 200);

    ASSERT_TRUE(s.wait_events(3));
    const std::vector<record> expect = {record::make_event("note", "from the api", "1"),
                                        record::make_event("form", "two\nlines here", "2"),
                                        record::make_event("message", "{\"k\":1}", "3")};
    EXPECT_EQ(s.events(), expect);
}

TEST_F(server_test, publish_without_the_right_token_is_401) {
    sse::server::config c = test_config();
    c.publish_token = "s3cret";
    start(c);
    const std::string body = "topic=a&data=x";
    const std::pair<std::string, std::string> form{"Content-Type",
                                                   "application/x-www-form-urlencoded"};
    for (const auto& auth : std::vector<std::string>{"", "Bearer wrong", "Bearer s3cre",
                                                     "Bearer s3crett", "Basic s3cret", "s3cret"}) {
        std::vector<std::pair<std::string, std::string>> headers{form};
        if (!auth.empty()) headers.emplace_back("Authorization", auth);
        const auto r = http_request(port(), "POST", "/publish", headers, body);
        ASSERT_TRUE(r) << auth;
        EXPECT_EQ(r->status, 401) << auth;
        EXPECT_TRUE(r->has("www-authenticate"));
    }
    EXPECT_EQ(server->stats().events_published.load(), 0u);
    EXPECT_EQ(server->stats().publish_unauthorized.load(), 6u);
}

TEST_F(server_test, multi_topic_subscriber_gets_its_topics_in_id_order) {
    start();
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=a&topic=b"));
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    server->publish("a", "1");
    server->publish("c", "2");
    server->publish("b", "3");
    server->publish("a", "4");
    ASSERT_TRUE(s.wait_events(3));
    EXPECT_EQ(ids_of(s.events()), (std::vector<std::string>{"1", "3", "4"}));
}

TEST_F(server_test, last_event_id_header_resumes_with_no_gap_and_no_duplicate) {
    start();
    for (int i = 1; i <= 5; ++i) server->publish(i % 2 ? "a" : "b", std::to_string(i));
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=a&topic=b", {{"Last-Event-ID", "2"}}));
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    server->publish("b", "6");
    ASSERT_TRUE(s.wait_events(4));
    EXPECT_EQ(ids_of(s.events()), (std::vector<std::string>{"3", "4", "5", "6"}));
    EXPECT_EQ(server->stats().replay_hits.load(), 1u);
}

TEST_F(server_test, last_event_id_query_parameter_resumes_too) {
    start();
    for (int i = 1; i <= 3; ++i) server->publish("a", std::to_string(i));
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=a&lastEventId=1"));
    ASSERT_TRUE(s.wait_events(2));
    EXPECT_EQ(ids_of(s.events()), (std::vector<std::string>{"2", "3"}));
}

TEST_F(server_test, resume_older_than_history_gets_the_truncation_signal_first) {
    sse::server::config c = test_config();
    c.history_size = 2;
    start(c);
    for (int i = 1; i <= 5; ++i) server->publish("a", std::to_string(i));
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=a", {{"Last-Event-ID", "1"}}));
    ASSERT_TRUE(s.wait_events(3));
    EXPECT_EQ(ids_of(s.events()), (std::vector<std::string>{"sse-history-truncated", "4", "5"}));
    EXPECT_EQ(server->stats().replay_misses.load(), 1u);
}

TEST_F(server_test, heartbeat_comments_arrive) {
    sse::server::config c = test_config();
    c.heartbeat = std::chrono::milliseconds(20);
    start(c);
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=a"));
    ASSERT_TRUE(s.wait_comments(2));
    EXPECT_EQ(s.comments()[0], " keep-alive");
    EXPECT_TRUE(s.events().empty());
}

TEST_F(server_test, disconnected_subscribers_are_cleaned_up) {
    start();
    {
        event_stream s;
        ASSERT_TRUE(s.open(port(), "/events?topic=a"));
        ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    }
    // No write is pending: the server learns of the close by watching the idle socket.
    EXPECT_TRUE(eventually([&] { return server->stats().subscribers.load() == 0; }));
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
}

TEST_F(server_test, graceful_shutdown_sends_a_final_comment_and_closes_streams) {
    start();
    event_stream a, b;
    ASSERT_TRUE(a.open(port(), "/events?topic=a"));
    ASSERT_TRUE(b.open(port(), "/events?topic=b"));
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));
    // An idle connection (no request yet) must not hold shutdown up either: stop() closes it
    // rather than waiting for its request timeout.
    event_stream idle;
    ASSERT_TRUE(idle.connect(port()));
    ASSERT_TRUE(eventually([&] { return server->stats().connections_open.load() == 3; }));
    server->publish("a", "before");
    server->stop();
    EXPECT_TRUE(idle.wait_closed(std::chrono::seconds(1)));
    for (event_stream* s : {&a, &b}) {
        EXPECT_TRUE(s->wait_closed());
        ASSERT_FALSE(s->comments().empty());
        EXPECT_EQ(s->comments().back(), " server shutting down");
    }
    EXPECT_EQ(ids_of(a.events()), std::vector<std::string>{"1"});
    EXPECT_FALSE(http_request(port(), "GET", "/healthz"));  // no longer listening
}

TEST_F(server_test, slow_reader_is_disconnected_while_a_fast_one_keeps_receiving) {
    sse::server::config c = test_config();
    c.queue_budget = 64 * 1024;
    start(c);
    event_stream fast, slow;
    ASSERT_TRUE(fast.open(port(), "/events?topic=t"));
    ASSERT_TRUE(slow.open(port(), "/events?topic=t", {}, 4096));  // then never reads
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));

    // Kernel buffers absorb a few MiB before the slow reader's queue grows; the bound on the loop
    // is in events, not time.
    const std::string payload(16 * 1024, 'x');
    std::size_t published = 0;
    for (; published < 4000 && server->stats().slow_client_drops.load() == 0; ++published) {
        server->publish("t", payload);
        ASSERT_TRUE(fast.wait_events(published + 1)) << "fast reader stalled at " << published;
    }
    EXPECT_EQ(server->stats().slow_client_drops.load(), 1u);
    std::printf("slow reader dropped after %zu events of %zu bytes\n", published, payload.size());
    // The fast reader got every event, in order, and keeps getting them.
    server->publish("t", "after");
    ASSERT_TRUE(fast.wait_events(published + 1));
    const auto events = fast.events();
    for (std::size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].id, std::to_string(i + 1));
    EXPECT_EQ(events.back().data, "after");
    EXPECT_EQ(server->stats().subscribers.load(), 1u);
    // The slow reader finds its stream closed once it drains what the kernel held.
    EXPECT_TRUE(slow.wait_closed(std::chrono::seconds(20)));
    EXPECT_LT(slow.events().size(), published);
}

TEST_F(server_test, a_peer_that_stops_reading_is_closed_by_the_write_timeout) {
    sse::server::config c = test_config();
    c.queue_budget = std::size_t{256} << 20;  // the budget must not be what ends it
    c.write_timeout = std::chrono::milliseconds(200);
    start(c);
    event_stream dead;
    ASSERT_TRUE(dead.open(port(), "/events?topic=t", {}, 4096));  // then never reads
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    expect_the_write_timeout_to_close_the_stalled_subscriber();
}

// The flush window batches writes; it must never reorder, lose or hold events.
TEST_F(server_test, every_flush_interval_delivers_a_burst_complete_and_in_order) {
    for (const int ms : {0, 1, 40}) {
        sse::server::config c = test_config();
        c.flush_interval = std::chrono::milliseconds(ms);
        start(c);
        event_stream a, b;
        ASSERT_TRUE(a.open(port(), "/events?topic=t"));
        ASSERT_TRUE(b.open(port(), "/events?topic=t&topic=u"));
        ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));
        std::vector<std::string> expect;
        for (int i = 1; i <= 300; ++i) {
            server->publish(i % 3 == 0 ? "u" : "t", "event " + std::to_string(i));
            if (i % 3 != 0) expect.push_back(std::to_string(i));
        }
        ASSERT_TRUE(a.wait_events(expect.size())) << "flush interval " << ms;
        EXPECT_EQ(ids_of(a.events()), expect) << "flush interval " << ms;
        ASSERT_TRUE(b.wait_events(300)) << "flush interval " << ms;
        EXPECT_EQ(b.events().size(), 300u);
        EXPECT_EQ(b.events().back().id, "300");
        server->stop();
        server.reset();
    }
}

TEST_F(server_test, shutdown_does_not_wait_for_the_flush_window) {
    sse::server::config c = test_config();
    c.flush_interval = std::chrono::hours(1);  // only stop() can end this window
    start(c);
    event_stream s;
    ASSERT_TRUE(s.open(port(), "/events?topic=t"));  // the head is not held by the window
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    server->publish("t", "held by the window");
    server->stop();
    EXPECT_TRUE(s.wait_closed());
    EXPECT_EQ(ids_of(s.events()), std::vector<std::string>{"1"});
    ASSERT_FALSE(s.comments().empty());
    EXPECT_EQ(s.comments().back(), " server shutting down");
}

}  // namespace
