// The backplane through Sentinel: discovery of the primary, and a failover (the promoted replica
// may lack acknowledged writes) turned into a new epoch and the truncation signal, never an id
// issued twice.
#include <gtest/gtest.h>

#include <algorithm>

#include "redis_nodes.hpp"
#include "support/redis_sentinel.hpp"

namespace sse::test {
namespace {

using namespace std::chrono_literals;

struct sentinel_nodes : redis_nodes {
    std::unique_ptr<redis_sentinel> sentinel;

    void start_sentinel_nodes(std::size_t n) {
        sentinel = std::make_unique<redis_sentinel>("hub", redis->port());
        ASSERT_EQ(sentinel->primary_port_now("hub"), redis->port());
        for (std::size_t i = 0; i < n; ++i) {
            auto c = node_config(*redis);
            c.redis.host.clear();
            c.redis.sentinels = {sentinel->address()};
            c.redis.master = "hub";
            nodes.push_back(std::make_unique<sse::server::server>(c));
            ASSERT_FALSE(nodes.back()->start());
        }
        ASSERT_TRUE(all_up());
    }
};

TEST_F(sentinel_nodes, nodes_find_the_primary_through_sentinel) {
    start_redis();
    start_sentinel_nodes(2);
    event_stream s;
    ASSERT_TRUE(s.open(nodes[1]->port(), "/events?topic=t"));
    const std::uint64_t id = publish(0, "t", "via sentinel");
    ASSERT_NE(id, 0u);
    ASSERT_TRUE(s.wait_events(1));
    EXPECT_EQ(s.events()[0].id, std::to_string(id));
    EXPECT_EQ(redis->command({"GET", "sse:counter"}).value_or(""), std::to_string(id));
}

TEST_F(sentinel_nodes, a_failover_starts_a_new_epoch_with_the_signal_and_no_reused_id) {
    start_redis();
    redis_server replica({"--replicaof", "127.0.0.1", std::to_string(redis->port())});
    ASSERT_TRUE(replica.running());
    ASSERT_TRUE(eventually([&] {
        return redis->command({"INFO", "replication"}).value_or("").find("connected_slaves:1") !=
               std::string::npos;
    }));
    start_sentinel_nodes(2);
    event_stream s;
    ASSERT_TRUE(s.open(nodes[1]->port(), "/events?topic=t"));
    std::vector<std::uint64_t> before;
    for (int i = 0; i < 5; ++i) before.push_back(publish(0, "t", "before"));
    ASSERT_TRUE(s.wait_events(5));
    ASSERT_TRUE(eventually([&] {
        return replica.command({"GET", "sse:counter"}).value_or("") == std::to_string(before.back());
    }));
    redis->kill9();
    ASSERT_TRUE(eventually([&] { return sentinel->primary_port_now("hub") == replica.port(); },
                           30s));
    ASSERT_TRUE(all_up(30s));
    const std::uint64_t after = publish(0, "t", "after");
    ASSERT_NE(after, 0u);
    EXPECT_GT(after, before.back());
    ASSERT_TRUE(eventually([&] {
        s.wait_events(s.events().size() + 1, 50ms);
        return !s.events().empty() && s.events().back().data == "after";
    }, 20s));
    const auto events = s.events();
    ASSERT_EQ(events.size(), 7u);
    EXPECT_EQ(events[5].type, "sse-history-truncated");
    EXPECT_NE(events[5].data.find("failover"), std::string::npos) << events[5].data;
    EXPECT_EQ(events[6].id, std::to_string(after));
}

}  // namespace
}  // namespace sse::test
