// The hub without any network: ids, replay, truncation, budgets, errors.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_subscriber.hpp"
#include "sse/error.hpp"
#include "sse/server/hub.hpp"

namespace {

using sse::server::hub;
using sse::server::hub_options;
using sse::server::resume_result;
using sse::test::fake_subscriber;
using sse::test::record;

struct hub_fixture : ::testing::Test {
    sse::server::metrics stats;

    static hub_options options(std::size_t history = 100) {
        hub_options o;
        o.first_id_base = 1000;
        o.history_size = history;
        return o;
    }

    static resume_result subscribe(hub& h, const std::shared_ptr<fake_subscriber>& s,
                                   std::vector<std::string> topics,
                                   std::optional<std::string> last = std::nullopt) {
        std::error_code ec;
        std::optional<std::string_view> id;
        if (last) id = *last;
        const resume_result r = h.subscribe(s, topics, id, ec);
        EXPECT_FALSE(ec) << ec.message();
        return r;
    }

    static std::vector<std::string> ids(const std::vector<record>& events) {
        std::vector<std::string> out;
        for (const record& r : events) out.push_back(r.type == "message" ? r.id : r.type);
        return out;
    }
};

TEST_F(hub_fixture, ids_increase_across_topics_from_the_base) {
    hub h(options(), stats);
    EXPECT_EQ(h.publish("a", "1").id, 1001u);
    EXPECT_EQ(h.publish("b", "2").id, 1002u);
    EXPECT_EQ(h.publish("a", "3").id, 1003u);
    EXPECT_EQ(h.last_id(), 1003u);
    EXPECT_EQ(stats.events_published.load(), 3u);
}

TEST_F(hub_fixture, live_subscriber_gets_only_its_topics_encoded_once) {
    hub h(options(), stats);
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a", "b", "a"}), resume_result::live);
    h.publish("a", "one", "greet");
    h.publish("c", "not mine");
    h.publish("b", "two\nlines");
    const std::vector<record> expect = {record::make_event("greet", "one", "1001"),
                                        record::make_event("message", "two\nlines", "1003")};
    EXPECT_EQ(s->events(), expect);
    EXPECT_EQ(stats.events_delivered.load(), 2u);
}

TEST_F(hub_fixture, resume_replays_every_later_event_of_every_topic_in_id_order) {
    hub h(options(), stats);
    for (int i = 0; i < 6; ++i) h.publish(i % 2 ? "b" : "a", std::to_string(i));  // 1001..1006
    h.publish("c", "other topic");                                                // 1007
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"b", "a"}, "1002"), resume_result::complete);
    h.publish("a", "live");  // 1008
    EXPECT_EQ(ids(s->events()), (std::vector<std::string>{"1003", "1004", "1005", "1006", "1008"}));
    EXPECT_EQ(stats.replay_hits.load(), 1u);
}

TEST_F(hub_fixture, resume_from_the_last_id_replays_nothing_and_continues_live) {
    hub h(options(), stats);
    h.publish("a", "x");
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "1001"), resume_result::complete);
    EXPECT_TRUE(s->events().empty());
    h.publish("a", "y");
    EXPECT_EQ(ids(s->events()), (std::vector<std::string>{"1002"}));
}

TEST_F(hub_fixture, resume_older_than_history_signals_first_then_replays_what_is_left) {
    hub h(options(3), stats);
    for (int i = 0; i < 6; ++i) h.publish("a", std::to_string(i));  // 1001..1006, keeps 1004..
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "1001"), resume_result::truncated);
    EXPECT_EQ(ids(s->events()),
              (std::vector<std::string>{"sse-history-truncated", "1004", "1005", "1006"}));
    EXPECT_NE(s->events()[0].data.find("\"lastEventId\":\"1001\""), std::string::npos);
    // The signal carries no id line, so the client's last event id is untouched by it.
    const std::string signal = s->bytes.substr(0, s->bytes.find("\n\n"));
    EXPECT_EQ(signal.rfind("event: sse-history-truncated\n", 0), 0u) << signal;
    EXPECT_EQ(signal.find("id:"), std::string::npos) << signal;
    EXPECT_EQ(stats.replay_misses.load(), 1u);
}

TEST_F(hub_fixture, resume_at_the_edge_of_history_is_complete) {
    hub h(options(3), stats);
    for (int i = 0; i < 6; ++i) h.publish("a", std::to_string(i));  // evicted 1001..1003
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "1003"), resume_result::complete);
    EXPECT_EQ(ids(s->events()), (std::vector<std::string>{"1004", "1005", "1006"}));
}

TEST_F(hub_fixture, ids_before_the_server_started_are_truncated) {
    hub h(options(), stats);
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "999"), resume_result::truncated);
}

TEST_F(hub_fixture, unknown_ids_are_signalled_and_the_stream_continues_live) {
    for (const char* bad : {"abc", "12x", "99999999", "-1"}) {
        hub h(options(), stats);
        h.publish("a", "old");
        auto s = std::make_shared<fake_subscriber>();
        EXPECT_EQ(subscribe(h, s, {"a"}, bad), resume_result::truncated) << bad;
        h.publish("a", "new");
        EXPECT_EQ(ids(s->events()), (std::vector<std::string>{"sse-history-truncated", "1002"}))
            << bad;
    }
}

TEST_F(hub_fixture, history_expires_by_age) {
    auto now = sse::server::history::clock::time_point{};
    hub_options o = options();
    o.history_age = std::chrono::milliseconds(1000);
    o.now = [&now] { return now; };
    hub h(o, stats);
    h.publish("a", "old");  // 1001 at t=0
    now += std::chrono::milliseconds(600);
    h.publish("a", "new");  // 1002 at t=600
    now += std::chrono::milliseconds(600);
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "1000"), resume_result::truncated);
    EXPECT_EQ(ids(s->events()), (std::vector<std::string>{"sse-history-truncated", "1002"}));
    auto t = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, t, {"a"}, "1001"), resume_result::complete);
}

TEST_F(hub_fixture, a_subscriber_over_budget_is_dropped_and_others_keep_receiving) {
    hub h(options(), stats);
    auto slow = std::make_shared<fake_subscriber>(100);
    auto fast = std::make_shared<fake_subscriber>();
    subscribe(h, slow, {"a"});
    subscribe(h, fast, {"a"});
    const std::string payload(60, 'x');
    for (int i = 0; i < 5; ++i) h.publish("a", payload);
    EXPECT_TRUE(slow->refused);
    EXPECT_EQ(slow->events().size(), 1u);  // the second frame did not fit, nothing after it came
    EXPECT_EQ(fast->events().size(), 5u);
    EXPECT_EQ(stats.slow_client_drops.load(), 1u);
    EXPECT_EQ(h.subscriber_count(), 1u);
}

TEST_F(hub_fixture, replay_is_exempt_from_the_budget) {
    hub h(options(), stats);
    const std::string payload(60, 'x');
    for (int i = 0; i < 5; ++i) h.publish("a", payload);
    auto s = std::make_shared<fake_subscriber>(100);
    EXPECT_EQ(subscribe(h, s, {"a"}, "1000"), resume_result::complete);
    EXPECT_EQ(s->events().size(), 5u);
    EXPECT_FALSE(s->refused);
}

TEST_F(hub_fixture, publish_errors_are_reported_and_consume_no_id) {
    hub h(options(), stats);
    EXPECT_EQ(h.publish("", "x").error, std::errc::invalid_argument);
    EXPECT_EQ(h.publish(std::string(300, 't'), "x").error, std::errc::invalid_argument);
    EXPECT_EQ(h.publish("a", "x", "bad\ntype").error, sse::errc::type_has_line_break);
    EXPECT_EQ(h.publish("a", "x").id, 1001u);
}

TEST_F(hub_fixture, topic_limit_refuses_new_topics) {
    hub_options o = options();
    o.max_topics = 2;
    hub h(o, stats);
    EXPECT_FALSE(h.publish("a", "x").error);
    EXPECT_FALSE(h.publish("b", "x").error);
    EXPECT_EQ(h.publish("c", "x").error, std::errc::no_buffer_space);
    auto s = std::make_shared<fake_subscriber>();
    std::error_code ec;
    const std::vector<std::string> topics{"d"};
    h.subscribe(s, topics, std::nullopt, ec);
    EXPECT_EQ(ec, std::errc::no_buffer_space);
    EXPECT_EQ(h.subscriber_count(), 0u);
}

TEST_F(hub_fixture, unsubscribe_and_close_all) {
    hub h(options(), stats);
    auto a = std::make_shared<fake_subscriber>();
    auto b = std::make_shared<fake_subscriber>();
    subscribe(h, a, {"t"});
    subscribe(h, b, {"t"});
    EXPECT_EQ(stats.subscribers.load(), 2u);
    h.unsubscribe(a.get());
    h.unsubscribe(a.get());  // idempotent
    h.publish("t", "x");
    EXPECT_TRUE(a->events().empty());
    EXPECT_EQ(b->events().size(), 1u);
    h.close_all(sse::server::make_frame(": bye\n"));
    EXPECT_EQ(b->closes, 1);
    EXPECT_EQ(a->closes, 0);
    EXPECT_EQ(h.subscriber_count(), 0u);
    EXPECT_EQ(stats.subscribers.load(), 0u);
}

TEST_F(hub_fixture, broadcast_reaches_everyone_as_a_comment) {
    hub h(options(), stats);
    auto a = std::make_shared<fake_subscriber>();
    auto b = std::make_shared<fake_subscriber>();
    subscribe(h, a, {"x"});
    subscribe(h, b, {"y"});
    h.broadcast(sse::server::make_frame(": ping\n"));
    EXPECT_EQ(a->comments(), std::vector<std::string>{" ping"});
    EXPECT_EQ(b->comments(), std::vector<std::string>{" ping"});
}

TEST_F(hub_fixture, a_forgotten_topic_never_hides_a_loss) {
    auto now = sse::server::history::clock::time_point{};
    hub_options o = options();
    o.history_age = std::chrono::milliseconds(1000);
    o.now = [&now] { return now; };
    hub h(o, stats);
    h.publish("a", "1");  // 1001
    now += std::chrono::milliseconds(2000);
    h.sweep();  // 1001 expires; "a" has neither history nor subscribers: forgotten
    EXPECT_TRUE(h.topic_subscribers().empty());
    // Recreated, "a" cannot know it once held 1001, so a resume from before it is truncated.
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "1000"), resume_result::truncated);
    auto t = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, t, {"a"}, "1001"), resume_result::complete);
}

TEST_F(hub_fixture, ephemeral_event_that_drops_the_last_subscriber_forgets_the_topic) {
    hub h(options(), stats);
    auto s = std::make_shared<fake_subscriber>(1);  // refuses any counted frame
    subscribe(h, s, {"a"});
    // No history (id=none), and the only subscriber is dropped: the topic goes away while
    // publish() is still running, which it must not touch afterwards (ASan checks).
    const auto r = h.publish("a", "typing", "", sse::server::id_policy::none);
    EXPECT_FALSE(r.error);
    EXPECT_TRUE(s->refused);
    EXPECT_EQ(stats.slow_client_drops.load(), 1u);
    EXPECT_EQ(h.subscriber_count(), 0u);
    EXPECT_TRUE(h.topic_subscribers().empty());
}

TEST_F(hub_fixture, subscribing_the_same_subscriber_twice_is_refused) {
    hub h(options(), stats);
    auto s = std::make_shared<fake_subscriber>();
    auto other = std::make_shared<fake_subscriber>();
    subscribe(h, s, {"a"});
    subscribe(h, other, {"a"});
    std::error_code ec;
    const std::vector<std::string> topics{"b"};
    h.subscribe(s, topics, std::nullopt, ec);
    EXPECT_EQ(ec, std::errc::already_connected);
    EXPECT_EQ(h.subscriber_count(), 2u);
    h.unsubscribe(s.get());
    h.publish("a", "x");
    h.publish("b", "y");
    EXPECT_TRUE(s->events().empty());
    EXPECT_EQ(ids(other->events()), (std::vector<std::string>{"1001"}));
}

TEST_F(hub_fixture, removal_from_the_middle_keeps_every_other_subscriber_of_every_topic) {
    hub h(options(), stats);
    std::vector<std::shared_ptr<fake_subscriber>> subs;
    for (int i = 0; i < 5; ++i) {
        subs.push_back(std::make_shared<fake_subscriber>());
        // Different topic orders, so a member moved into a gap belongs to several topics.
        subscribe(h, subs.back(), i % 2 ? std::vector<std::string>{"b", "a"}
                                        : std::vector<std::string>{"a", "b"});
    }
    h.unsubscribe(subs[1].get());
    h.unsubscribe(subs[0].get());
    h.publish("a", "1");  // 1001
    h.unsubscribe(subs[4].get());
    h.publish("b", "2");  // 1002
    const std::vector<std::vector<std::string>> expect = {
        {}, {}, {"1001", "1002"}, {"1001", "1002"}, {"1001"}};
    for (std::size_t i = 0; i < subs.size(); ++i) EXPECT_EQ(ids(subs[i]->events()), expect[i]) << i;
    EXPECT_EQ(h.topic_subscribers(),
              (std::vector<std::pair<std::string, std::size_t>>{{"a", 2}, {"b", 2}}));
}

}  // namespace
