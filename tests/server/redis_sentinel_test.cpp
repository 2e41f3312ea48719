// The backplane through Sentinel: discovery of the primary, and a failover (the promoted replica
// may lack acknowledged writes) turned into a new epoch and the truncation signal, never an id
// issued twice.
#include <gtest/gtest.h>

#include <algorithm>

#include "redis_nodes.hpp"
#include "support/redis_sentinel.hpp"
#include "support/tcp_proxy.hpp"

namespace sse::test {
namespace {

using namespace std::chrono_literals;

struct sentinel_nodes : redis_nodes {
    std::unique_ptr<redis_sentinel> sentinel;

    void start_sentinel_nodes(std::size_t n,
                              std::chrono::milliseconds failover_timeout = 2000ms) {
        sentinel = std::make_unique<redis_sentinel>("hub", redis->port(), failover_timeout);
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

TEST_F(sentinel_nodes, a_failover_to_a_replica_that_lagged_signals_the_loss_and_reuses_no_id) {
    start_redis();
    // The replica replicates through a proxy, so the test decides what reaches it. Paused, the
    // proxy holds the link open and silent: the replica's link stays "up" (it would time out only
    // after --repl-timeout, set well beyond the test), so its INFO shows no
    // master_link_down_since and Sentinel, whose down-after-milliseconds is 400, does not rule it
    // out as too stale to promote. replica-serve-stale-data (the default) keeps it answering.
    // Sentinel also "fixes" a replica that names another primary address than the one it
    // monitors (here: the proxy's) by pointing it at the primary directly, once failover-timeout
    // has passed: a failover-timeout of 60 s keeps it from doing so during the test (a failover
    // with no other replica to reconfigure does not wait for it).
    tcp_proxy link(redis->port());
    redis_server replica({"--replicaof", "127.0.0.1", std::to_string(link.port()),
                          "--repl-timeout", "120", "--replica-serve-stale-data", "yes"});
    ASSERT_TRUE(replica.running());
    ASSERT_TRUE(eventually([&] {
        return redis->command({"INFO", "replication"}).value_or("").find("connected_slaves:1") !=
               std::string::npos;
    }));
    start_sentinel_nodes(2, 60s);
    event_stream s;
    ASSERT_TRUE(s.open(nodes[1]->port(), "/events?topic=t"));
    std::vector<std::uint64_t> kept, lost;
    for (int i = 0; i < 5; ++i) kept.push_back(publish(0, "t", "kept" + std::to_string(i)));
    ASSERT_TRUE(eventually([&] {
        return replica.command({"GET", "sse:counter"}).value_or("") == std::to_string(kept.back());
    }));
    link.pause();
    // Acknowledged by the primary and delivered, but never on the replica.
    for (int i = 0; i < 5; ++i) lost.push_back(publish(1, "t", "lost" + std::to_string(i)));
    ASSERT_TRUE(s.wait_events(10));
    ASSERT_EQ(replica.command({"GET", "sse:counter"}).value_or(""), std::to_string(kept.back()))
        << "the paused proxy let writes through";
    redis->kill9();
    ASSERT_TRUE(eventually([&] { return sentinel->primary_port_now("hub") == replica.port(); },
                           30s));
    ASSERT_TRUE(all_up(30s));
    std::vector<std::uint64_t> after;
    for (int i = 0; i < 3; ++i) after.push_back(publish(0, "t", "after" + std::to_string(i)));
    ASSERT_TRUE(eventually([&] {
        s.wait_events(s.events().size() + 1, 50ms);
        return !s.events().empty() && s.events().back().data == "after2";
    }, 20s));

    // Every event once, in order; then the signal; then only ids above every id delivered.
    const auto events = s.events();
    ASSERT_EQ(events.size(), 14u);
    std::vector<std::uint64_t> delivered = kept;
    delivered.insert(delivered.end(), lost.begin(), lost.end());
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(events[i].id, std::to_string(delivered[i])) << i;
        EXPECT_EQ(events[i].data, (i < 5 ? "kept" : "lost") + std::to_string(i % 5)) << i;
    }
    EXPECT_EQ(events[10].type, "sse-history-truncated");
    EXPECT_NE(events[10].data.find("failover"), std::string::npos) << events[10].data;
    EXPECT_NE(events[10].data.find("\"" + std::to_string(lost.back()) + "\""), std::string::npos)
        << events[10].data;
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(events[11 + i].id, std::to_string(after[i]));
        EXPECT_GT(after[i], lost.back()) << "an id issued again";
    }
    EXPECT_EQ(ids_of(events).truncations, 1u);
    // The promoted replica never had the lost events (so the loss above was real).
    EXPECT_EQ(replica.command({"XRANGE", "sse:stream", std::to_string(lost.front()) + "-0",
                               std::to_string(lost.back()) + "-0"}),
              "");

    // Resuming from a lost event, on either node: the signal first, never a silent gap.
    for (std::size_t k = 0; k < 2; ++k) {
        event_stream resumed;
        ASSERT_TRUE(resumed.open(nodes[k]->port(), "/events?topic=t",
                                 {{"Last-Event-ID", std::to_string(lost[2])}}));
        ASSERT_TRUE(resumed.wait_events(4)) << k;
        const auto got = resumed.events();
        EXPECT_EQ(got[0].type, "sse-history-truncated") << k;
        EXPECT_EQ(ids_of(got).ids, after) << k;
    }
}

}  // namespace
}  // namespace sse::test
