// The hub's global history byte cap and its id policies, without any network.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "fake_subscriber.hpp"
#include "sse/server/hub.hpp"

namespace {

using sse::server::hub;
using sse::server::hub_options;
using sse::server::id_policy;
using sse::server::resume_result;
using sse::test::fake_subscriber;
using sse::test::record;

struct hub_policy_test : ::testing::Test {
    sse::server::metrics stats;

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

// Every event below encodes to the same size: "id: 10NN\ndata: <100 bytes>\n\n".
const std::string payload(100, 'x');
constexpr std::size_t event_size = 4 + 4 + 1 + 6 + 100 + 2;

TEST_F(hub_policy_test, byte_cap_evicts_the_oldest_event_of_the_whole_hub) {
    hub_options o;
    o.first_id_base = 1000;
    o.history_bytes = 3 * event_size;  // room for three events in total
    hub h(o, stats);
    h.publish("a", payload);  // 1001
    h.publish("b", payload);  // 1002
    h.publish("b", payload);  // 1003
    EXPECT_EQ(h.history_bytes(), 3 * event_size);
    h.publish("c", payload);  // 1004: 1001 (topic a, the oldest anywhere) goes
    EXPECT_EQ(h.history_bytes(), 3 * event_size);
    EXPECT_EQ(stats.history_evictions_bytes_cap.load(), 1u);
    EXPECT_EQ(stats.history_bytes.load(), 3 * event_size);

    // Topic a lost its event: a resume from before it is told. Topic b lost nothing.
    auto a = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, a, {"a"}, "1000"), resume_result::truncated);
    EXPECT_EQ(ids(a->events()), (std::vector<std::string>{"sse-history-truncated"}));
    auto b = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, b, {"b"}, "1000"), resume_result::complete);
    EXPECT_EQ(ids(b->events()), (std::vector<std::string>{"1002", "1003"}));

    // The next eviction takes b's oldest (1002), not c's newer one.
    h.publish("c", payload);  // 1005
    auto b2 = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, b2, {"b"}, "1001"), resume_result::truncated);
    auto c = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, c, {"c"}, "1000"), resume_result::complete);
    EXPECT_EQ(ids(c->events()), (std::vector<std::string>{"1004", "1005"}));
}

TEST_F(hub_policy_test, byte_cap_holds_across_many_topics) {
    hub_options o;
    o.first_id_base = 0;
    o.history_bytes = 10'000;
    hub h(o, stats);
    for (int i = 0; i < 2000; ++i) {
        const std::string topic = "topic-" + std::to_string(i % 37);
        h.publish(topic, std::string(static_cast<std::size_t>(i % 300), 'y'));
        ASSERT_LE(h.history_bytes(), o.history_bytes) << i;
    }
    EXPECT_GT(h.history_bytes(), o.history_bytes / 2);  // it retains, it does not just drop
    // A resume from the newest evicted id is complete for a topic that still has events.
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"t0"}, "1999"), resume_result::complete);
}

TEST_F(hub_policy_test, a_zero_byte_cap_keeps_nothing_and_resumes_are_told) {
    hub_options o;
    o.first_id_base = 0;
    o.history_bytes = 0;
    hub h(o, stats);
    h.publish("a", "x");
    EXPECT_EQ(h.history_bytes(), 0u);
    auto s = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, s, {"a"}, "0"), resume_result::truncated);
}

TEST_F(hub_policy_test, id_none_is_ephemeral_live_only_and_takes_no_id) {
    hub_options o;
    o.first_id_base = 1000;
    hub h(o, stats);
    auto live = std::make_shared<fake_subscriber>();
    subscribe(h, live, {"a"});
    EXPECT_EQ(h.publish("a", "one").id, 1001u);
    const auto r = h.publish("a", "typing", "presence", id_policy::none);
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.id, 0u);
    EXPECT_EQ(h.last_id(), 1001u);  // the sequence did not move
    EXPECT_EQ(h.publish("a", "two").id, 1002u);

    const std::vector<record> expect = {record::make_event("message", "one", "1001"),
                                        record::make_event("presence", "typing", "1001"),
                                        record::make_event("message", "two", "1002")};
    EXPECT_EQ(live->events(), expect);
    EXPECT_EQ(live->bytes.find("event: presence\ndata: typing\n\n") != std::string::npos, true);
    EXPECT_EQ(live->ids.back(), 1002u);
    EXPECT_EQ(live->ids[live->ids.size() - 2], 0u);  // delivered with no id

    // Not kept: a resume replays the numbered events only.
    auto late = std::make_shared<fake_subscriber>();
    EXPECT_EQ(subscribe(h, late, {"a"}, "1000"), resume_result::complete);
    EXPECT_EQ(ids(late->events()), (std::vector<std::string>{"1001", "1002"}));
    // Errors are the same as for numbered events.
    EXPECT_TRUE(h.publish("a", "x", "bad\ntype", id_policy::none).error);
    EXPECT_TRUE(h.publish("", "x", "", id_policy::none).error);
}

TEST_F(hub_policy_test, an_ephemeral_event_to_an_unfollowed_topic_leaves_no_topic_behind) {
    hub_options o;
    hub h(o, stats);
    h.publish("nobody", "x", "", id_policy::none);
    EXPECT_TRUE(h.topic_subscribers().empty());
}

}  // namespace
