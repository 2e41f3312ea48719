// The hub's fan-out with posted shards, driven by hand (manual_shards): publish returns before any
// delivery, each shard delivers on its own, and replay + live stay exact however far a shard lags
// or wherever its pass is interrupted.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_subscriber.hpp"
#include "manual_shards.hpp"
#include "sse/server/hub.hpp"

namespace {

using sse::server::hub;
using sse::server::hub_options;
using sse::server::resume_result;
using sse::test::fake_subscriber;
using sse::test::manual_shards;
using sse::test::record;

struct hub_fanout_test : ::testing::Test {
    sse::server::metrics stats;
    manual_shards shards{2};

    hub_options options(std::size_t slice = 512) {
        hub_options o;
        o.first_id_base = 1000;
        o.shards = shards.posters();
        o.fanout_slice = slice;
        return o;
    }

    static std::shared_ptr<fake_subscriber> join(hub& h, std::size_t shard,
                                                 std::vector<std::string> topics,
                                                 std::optional<std::string> last = std::nullopt,
                                                 resume_result* how = nullptr) {
        auto s = std::make_shared<fake_subscriber>();
        std::error_code ec;
        std::optional<std::string_view> id;
        if (last) id = *last;
        const resume_result r = h.subscribe(s, topics, id, ec, shard);
        EXPECT_FALSE(ec) << ec.message();
        if (how) *how = r;
        return s;
    }

    static std::vector<std::string> ids(const fake_subscriber& s) {
        std::vector<std::string> out;
        for (const record& r : s.events()) out.push_back(r.type == "message" ? r.id : r.type);
        return out;
    }
};

TEST_F(hub_fanout_test, publish_returns_before_any_delivery_and_each_shard_delivers_its_own) {
    hub h(options(), stats);
    auto a = join(h, 0, {"t"});
    auto b = join(h, 1, {"t"});
    EXPECT_EQ(h.publish("t", "x").id, 1001u);
    EXPECT_EQ(h.publish("t", "y").id, 1002u);
    // Sequenced and answered, delivered to nobody yet: no shard has run.
    EXPECT_TRUE(a->events().empty());
    EXPECT_TRUE(b->events().empty());
    EXPECT_EQ(h.last_id(), 1002u);
    EXPECT_EQ(shards.pending(0), 1u);  // one pass per shard for both events
    EXPECT_EQ(shards.pending(1), 1u);
    shards.drain(1);
    EXPECT_TRUE(a->events().empty());
    EXPECT_EQ(ids(*b), (std::vector<std::string>{"1001", "1002"}));
    shards.drain(0);
    EXPECT_EQ(ids(*a), (std::vector<std::string>{"1001", "1002"}));
    EXPECT_EQ(stats.events_delivered.load(), 4u);
}

TEST_F(hub_fanout_test, a_subscriber_joining_a_lagging_shard_gets_the_rest_live_not_twice) {
    hub h(options(), stats);
    for (int i = 0; i < 3; ++i) h.publish("t", std::to_string(i));  // 1001..1003
    shards.drain(1);
    // Shard 0 has passed nothing: a resume from the start replays nothing and its marker says
    // 1000; the three events come live.
    resume_result how{};
    auto lagging = join(h, 0, {"t"}, "1000", &how);
    EXPECT_EQ(how, resume_result::complete);
    EXPECT_EQ(lagging->last_event_id(), "1000");
    EXPECT_TRUE(lagging->events().empty());
    // Shard 1 passed all three: the same resume replays them and its marker says 1003.
    auto caught_up = join(h, 1, {"t"}, "1000");
    EXPECT_EQ(ids(*caught_up), (std::vector<std::string>{"1001", "1002", "1003"}));
    EXPECT_EQ(caught_up->last_event_id(), "1003");
    h.publish("t", "live");  // 1004
    shards.drain_all();
    const std::vector<std::string> all{"1001", "1002", "1003", "1004"};
    EXPECT_EQ(ids(*lagging), all);
    EXPECT_EQ(ids(*caught_up), all);
}

TEST_F(hub_fanout_test, resuming_from_an_id_the_new_shard_has_not_reached_skips_it_live) {
    hub h(options(), stats);
    auto first = join(h, 0, {"t"});
    for (int i = 0; i < 3; ++i) h.publish("t", std::to_string(i));  // 1001..1003
    shards.drain(0);
    ASSERT_EQ(first->last_event_id(), "1003");
    h.unsubscribe(first.get());
    // The client reconnects to shard 1, which has not passed 1001..1003 yet.
    resume_result how{};
    auto again = join(h, 1, {"t"}, first->last_event_id(), &how);
    EXPECT_EQ(how, resume_result::complete);
    EXPECT_TRUE(again->events().empty());
    EXPECT_EQ(again->last_event_id(), "1003");  // the marker never moves a client backwards
    h.publish("t", "next");  // 1004
    shards.drain(1);
    EXPECT_EQ(ids(*again), (std::vector<std::string>{"1004"}));
}

TEST_F(hub_fanout_test, a_pass_interrupted_mid_event_keeps_joiners_and_leavers_exact) {
    hub h(options(/*slice=*/1), stats);
    auto a = join(h, 0, {"t"});
    auto b = join(h, 0, {"t"});
    auto c = join(h, 0, {"t"});
    h.publish("t", "x");  // 1001
    ASSERT_TRUE(shards.step(0));  // one delivery, then the pass yields
    std::size_t got = 0;
    for (const auto& s : {a, b, c}) got += s->events().size();
    EXPECT_EQ(got, 1u);
    // Mid-event: one who has not received it leaves, a newcomer joins from before it.
    const auto& leaver = a->events().empty() ? a : b;
    h.unsubscribe(leaver.get());
    auto late = join(h, 0, {"t"}, "1000");
    EXPECT_EQ(ids(*late), (std::vector<std::string>{"1001"}));  // from history: the pass took it
    shards.drain(0);
    EXPECT_TRUE(leaver->events().empty());
    EXPECT_EQ(ids(*late), (std::vector<std::string>{"1001"}));  // and not a second time live
    for (const auto& s : {a, b, c}) {
        if (s != leaver) {
            EXPECT_EQ(ids(*s), (std::vector<std::string>{"1001"}));
        }
    }
    h.publish("t", "y");  // 1002
    shards.drain(0);
    EXPECT_EQ(ids(*late), (std::vector<std::string>{"1001", "1002"}));
}

TEST_F(hub_fanout_test, close_all_closes_after_the_events_published_before_it) {
    hub h(options(), stats);
    auto s = join(h, 1, {"t"});
    h.publish("t", "last words");
    h.close_all(sse::server::make_frame(": bye\n\n"));
    EXPECT_EQ(s->closes, 0);  // in order, on the shard's thread
    EXPECT_EQ(h.subscriber_count(), 1u);
    shards.drain(1);
    EXPECT_EQ(ids(*s), (std::vector<std::string>{"1001"}));
    EXPECT_EQ(s->closes, 1);
    EXPECT_EQ(s->bytes.substr(s->bytes.size() - 7), ": bye\n\n");
    EXPECT_EQ(h.subscriber_count(), 0u);
    EXPECT_EQ(h.topic_subscribers(),
              (std::vector<std::pair<std::string, std::size_t>>{{"t", 0}}));  // history remains
}

TEST_F(hub_fanout_test, heartbeats_go_through_each_shard) {
    hub h(options(), stats);
    auto a = join(h, 0, {"x"});
    auto b = join(h, 1, {"y"});
    h.broadcast(sse::server::make_frame(": ping\n\n"));
    EXPECT_TRUE(a->comments().empty());
    shards.drain_all();
    EXPECT_EQ(a->comments(), std::vector<std::string>{" ping"});
    EXPECT_EQ(b->comments(), std::vector<std::string>{" ping"});
    EXPECT_EQ(stats.events_delivered.load(), 0u);  // a comment is not an event
}

TEST_F(hub_fanout_test, a_full_backlog_refuses_publishing_without_taking_an_id) {
    hub_options o = options();
    o.fanout_backlog = 500;  // each event below encodes to 117 bytes: the sixth finds 585
    hub h(o, stats);
    auto s = join(h, 0, {"t"});
    const std::string payload(100, 'x');
    std::size_t accepted = 0;
    sse::server::publish_result r;
    for (int i = 0; i < 100; ++i) {
        r = h.publish("t", payload);
        if (r.error) break;
        ++accepted;
    }
    ASSERT_EQ(r.error, std::errc::resource_unavailable_try_again);
    EXPECT_EQ(accepted, 5u);
    EXPECT_EQ(h.last_id(), 1000u + accepted);  // the refused event took no id
    EXPECT_EQ(stats.publish_backlog_refusals.load(), 1u);
    EXPECT_EQ(stats.fanout_backlog_bytes.load(), 5u * 117u);
    // The shards catch up, and publishing works again.
    shards.drain_all();
    EXPECT_EQ(s->events().size(), accepted);
    EXPECT_EQ(stats.fanout_backlog_bytes.load(), 0u);
    EXPECT_EQ(h.publish("t", payload).id, 1001u + accepted);
}

TEST_F(hub_fanout_test, a_subscriber_dropped_during_a_pass_leaves_its_topics) {
    hub h(options(), stats);
    auto slow = std::make_shared<fake_subscriber>(100);
    std::error_code ec;
    const std::vector<std::string> topics{"t"};
    h.subscribe(slow, topics, std::nullopt, ec, 1);
    ASSERT_FALSE(ec);
    for (int i = 0; i < 3; ++i) h.publish("t", std::string(60, 'x'));
    shards.drain_all();
    EXPECT_TRUE(slow->refused);
    EXPECT_EQ(slow->events().size(), 1u);
    EXPECT_EQ(stats.slow_client_drops.load(), 1u);
    EXPECT_EQ(h.subscriber_count(), 0u);
    EXPECT_EQ(h.topic_subscribers(),
              (std::vector<std::pair<std::string, std::size_t>>{{"t", 0}}));  // history remains
}

TEST_F(hub_fanout_test, a_shard_that_does_not_exist_is_refused) {
    hub h(options(), stats);
    auto s = std::make_shared<fake_subscriber>();
    std::error_code ec;
    const std::vector<std::string> topics{"t"};
    h.subscribe(s, topics, std::nullopt, ec, 2);
    EXPECT_EQ(ec, std::errc::invalid_argument);
    EXPECT_EQ(h.subscriber_count(), 0u);
}

}  // namespace
