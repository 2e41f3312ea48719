// Several nodes as one hub through the Redis backplane: same ids in the same order everywhere,
// resume on another node, and what happens when Redis connections break or Redis restarts.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "redis_nodes.hpp"

namespace sse::test {
namespace {

using namespace std::chrono_literals;

bool strictly_increasing(const std::vector<std::uint64_t>& v) {
    return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
}

using backplane = redis_nodes;

TEST_F(backplane, three_nodes_deliver_the_same_ids_in_the_same_order) {
    start_redis();
    start_nodes(3);
    event_stream on_b, on_c;
    ASSERT_TRUE(on_b.open(nodes[1]->port(), "/events?topic=t&topic=u"));
    ASSERT_TRUE(on_c.open(nodes[2]->port(), "/events?topic=t&topic=u"));
    std::vector<std::uint64_t> published;
    for (int i = 0; i < 150; ++i) {
        // Publishers on every node, topics interleaved: one sequence all the same.
        const std::uint64_t id = publish(static_cast<std::size_t>(i % 3), i % 2 ? "t" : "u",
                                         "e" + std::to_string(i));
        ASSERT_NE(id, 0u);
        published.push_back(id);
    }
    ASSERT_TRUE(on_b.wait_events(150));
    ASSERT_TRUE(on_c.wait_events(150));
    const id_list b = ids_of(on_b.events()), c = ids_of(on_c.events());
    EXPECT_EQ(b.ids, published);
    EXPECT_EQ(c.ids, published);
    EXPECT_EQ(b.truncations + c.truncations, 0u);
    EXPECT_TRUE(strictly_increasing(published));
    const auto events = on_c.events();
    EXPECT_EQ(events.front().data, "e0");
    EXPECT_EQ(events.back().data, "e149");
}

TEST_F(backplane, a_client_resumes_on_another_node_exactly_after_its_last_id) {
    start_redis();
    start_nodes(2);
    event_stream on_a;
    ASSERT_TRUE(on_a.open(nodes[0]->port(), "/events?topic=t"));
    std::vector<std::uint64_t> published;
    for (int i = 0; i < 40; ++i) published.push_back(publish(0, "t", std::to_string(i)));
    ASSERT_TRUE(on_a.wait_events(40));
    on_a.close();
    // It saw 25 of them (say) before it dropped; it resumes on the other node.
    const std::string last = std::to_string(published[24]);
    event_stream on_b;
    ASSERT_TRUE(on_b.open(nodes[1]->port(), "/events?topic=t", {{"Last-Event-ID", last}}));
    ASSERT_TRUE(on_b.wait_events(15));
    for (int i = 40; i < 45; ++i) published.push_back(publish(1, "t", std::to_string(i)));
    ASSERT_TRUE(on_b.wait_events(20));
    const id_list b = ids_of(on_b.events());
    EXPECT_EQ(b.truncations, 0u);
    EXPECT_EQ(b.ids, std::vector<std::uint64_t>(published.begin() + 25, published.end()));
}

TEST_F(backplane, an_id_from_before_the_stream_gets_the_truncation_signal) {
    start_redis();
    start_nodes(1);
    const std::uint64_t first = publish(0, "t", "x");
    ASSERT_NE(first, 0u);
    event_stream s;
    ASSERT_TRUE(s.open(nodes[0]->port(), "/events?topic=t", {{"Last-Event-ID", "7"}}));
    ASSERT_TRUE(s.wait_events(2));
    const auto events = s.events();
    EXPECT_EQ(events[0].type, "sse-history-truncated");
    EXPECT_EQ(events[1].data, "x");
}

TEST_F(backplane, killed_redis_connections_lose_no_acknowledged_event) {
    start_redis();
    start_nodes(2);
    event_stream on_b;
    ASSERT_TRUE(on_b.open(nodes[1]->port(), "/events?topic=t"));
    std::atomic<bool> done{false};
    std::vector<std::uint64_t> acknowledged;
    std::thread publisher([&] {
        for (int i = 0; i < 400; ++i) {
            const auto r = nodes[i % 2]->publish("t", std::to_string(i));
            if (!r.error) acknowledged.push_back(r.id);
            else std::this_thread::sleep_for(1ms);
        }
        done = true;
    });
    int kills = 0;
    while (!done && kills < 20) {
        // Every node's two connections (commands and the XREAD reader) at once.
        if (redis->command({"CLIENT", "KILL", "TYPE", "normal"}).value_or("0") != "0") ++kills;
        std::this_thread::sleep_for(5ms);
    }
    publisher.join();
    ASSERT_GT(kills, 0);
    ASSERT_TRUE(all_up());
    ASSERT_FALSE(acknowledged.empty());
    // The stream stayed open; after the reconnections it caught up with every acknowledged id.
    const bool caught_up = eventually([&] {
        on_b.wait_events(on_b.events().size() + 1, 50ms);
        const id_list b = ids_of(on_b.events());
        return !b.ids.empty() && b.ids.back() >= acknowledged.back();
    });
    const id_list b = ids_of(on_b.events());
    ASSERT_TRUE(caught_up) << b.ids.size() << " ids, last " << (b.ids.empty() ? 0 : b.ids.back())
                           << "; " << acknowledged.size() << " acknowledged, last "
                           << acknowledged.back() << "; closed " << on_b.closed();
    EXPECT_EQ(b.truncations, 0u);
    EXPECT_TRUE(strictly_increasing(b.ids));
    const std::set<std::uint64_t> got(b.ids.begin(), b.ids.end());
    for (const std::uint64_t id : acknowledged) EXPECT_TRUE(got.count(id)) << "lost " << id;
    EXPECT_GT(nodes[1]->stats().backplane_reconnects.load(), 0u);
}

TEST_F(backplane, redis_down_means_503_degraded_health_and_open_streams) {
    start_redis();
    auto c = node_config(*redis);
    c.heartbeat = 50ms;
    nodes.push_back(std::make_unique<sse::server::server>(c));
    ASSERT_FALSE(nodes.back()->start());
    ASSERT_TRUE(all_up());
    event_stream s;
    ASSERT_TRUE(s.open(nodes[0]->port(), "/events?topic=t"));
    redis->stop();
    ASSERT_TRUE(eventually([&] { return nodes[0]->stats().backplane_up.load() == 0; }));
    const auto refused = http_request(nodes[0]->port(), "POST", "/publish",
                                      {{"Content-Type", "application/x-www-form-urlencoded"}},
                                      "topic=t&data=x");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    EXPECT_NE(refused->body.find("unreachable"), std::string::npos) << refused->body;
    const auto health = http_request(nodes[0]->port(), "GET", "/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 503);
    EXPECT_NE(health->body.find("degraded"), std::string::npos);
    // The stream is still served: heartbeats keep coming while Redis is away.
    const std::size_t before = s.comments().size();
    EXPECT_TRUE(s.wait_comments(before + 2));
    EXPECT_FALSE(s.closed());

    ASSERT_TRUE(redis->start());
    ASSERT_TRUE(all_up());
    const auto ok = http_request(nodes[0]->port(), "POST", "/publish",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}},
                                 "topic=t&data=back");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    // (The restarted Redis has a new data set: a truncation signal may come first.)
    ASSERT_TRUE(eventually([&] {
        s.wait_events(s.events().size() + 1, 50ms);
        return !s.events().empty() && s.events().back().data == "back";
    }));
    const auto metrics = http_request(nodes[0]->port(), "GET", "/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find("sse_backplane_up 1"), std::string::npos);
    EXPECT_EQ(metrics->body.find("sse_backplane_reconnects_total 0\n"), std::string::npos);
    EXPECT_GT(nodes[0]->stats().backplane_publish_failures.load(), 0u);
}

TEST_F(backplane, redis_restarted_without_persistence_starts_a_new_epoch_and_reuses_no_id) {
    start_redis();
    start_nodes(2);
    event_stream on_b;
    ASSERT_TRUE(on_b.open(nodes[1]->port(), "/events?topic=t"));
    std::vector<std::uint64_t> before;
    for (int i = 0; i < 10; ++i) before.push_back(publish(0, "t", "old" + std::to_string(i)));
    ASSERT_TRUE(on_b.wait_events(10));
    const std::string old_epoch = redis->command({"GET", "sse:epoch"}).value_or("");
    ASSERT_TRUE(redis->restart());  // --save '': everything is gone
    ASSERT_TRUE(all_up());
    std::vector<std::uint64_t> after;
    for (int i = 0; i < 10; ++i) after.push_back(publish(0, "t", "new" + std::to_string(i)));
    ASSERT_NE(redis->command({"GET", "sse:epoch"}).value_or(""), old_epoch);
    EXPECT_GT(after.front(), before.back());  // never an id issued before
    // The live stream got the signal between the two epochs.
    ASSERT_TRUE(on_b.wait_events(21));
    const auto events = on_b.events();
    const auto signal = std::find_if(events.begin(), events.end(), [](const record& r) {
        return r.type == "sse-history-truncated";
    });
    ASSERT_NE(signal, events.end());
    EXPECT_EQ(signal - events.begin(), 10);
    EXPECT_NE(signal->data.find(std::to_string(before.back())), std::string::npos) << signal->data;
    const id_list b = ids_of(events);
    EXPECT_TRUE(strictly_increasing(b.ids));
    // A client resuming from the old epoch on the other node is told too.
    event_stream resumed;
    ASSERT_TRUE(resumed.open(nodes[0]->port(), "/events?topic=t",
                             {{"Last-Event-ID", std::to_string(before[4])}}));
    ASSERT_TRUE(resumed.wait_events(11));
    EXPECT_EQ(resumed.events().front().type, "sse-history-truncated");
    EXPECT_EQ(ids_of(resumed.events()).ids, after);
    EXPECT_GE(nodes[0]->stats().backplane_truncations.load(), 1u);
}

TEST_F(backplane, with_appendfsync_always_a_killed_redis_loses_nothing) {
    start_redis({"--appendonly", "yes", "--appendfsync", "always"});
    start_nodes(2);
    event_stream on_b;
    ASSERT_TRUE(on_b.open(nodes[1]->port(), "/events?topic=t"));
    std::vector<std::uint64_t> published;
    for (int i = 0; i < 10; ++i) published.push_back(publish(0, "t", std::to_string(i)));
    redis->kill9();
    ASSERT_TRUE(redis->start());
    ASSERT_TRUE(all_up());
    for (int i = 10; i < 20; ++i) published.push_back(publish(1, "t", std::to_string(i)));
    ASSERT_TRUE(on_b.wait_events(20));
    const id_list b = ids_of(on_b.events());
    EXPECT_EQ(b.truncations, 0u);
    EXPECT_EQ(b.ids, published);
    for (std::size_t i = 1; i < published.size(); ++i) EXPECT_EQ(published[i], published[i - 1] + 1);
    EXPECT_EQ(nodes[0]->stats().backplane_truncations.load(), 0u);
}

}  // namespace
}  // namespace sse::test

namespace sse::test {
namespace {

TEST_F(redis_nodes, a_reconnect_storm_across_nodes_resumes_every_client_exactly) {
    // A bounded storm: 2,000 clients resume at once, spread over three nodes, each from its own
    // point of a 100-event history, while events keep being published. All in this process, a
    // client takes five descriptors: its own io_context's epoll, eventfd and timerfd, its socket,
    // and its node's socket.
    constexpr std::size_t clients = 2000;
    constexpr rlim_t needed = 5 * clients + 512;
    rlimit files{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &files), 0);
    if (files.rlim_cur < needed) {
        if (files.rlim_max != RLIM_INFINITY && files.rlim_max < needed)
            GTEST_SKIP() << clients << " clients need " << needed
                         << " open files; the hard limit (ulimit -Hn) is " << files.rlim_max;
        files.rlim_cur = needed;
        ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &files), 0);
    }
    start_redis();
    start_nodes(3);
    std::vector<std::uint64_t> published;
    for (int i = 0; i < 100; ++i) published.push_back(publish(i % 3, "t", std::to_string(i)));
    // Four threads open the streams (at once, as a storm would; one thread would spend most of
    // the test waiting on each response head in turn); this one publishes an event every 100
    // streams opened.
    const std::vector<std::uint64_t> history = published;  // read by the openers
    std::vector<std::unique_ptr<event_stream>> streams(clients);
    std::vector<char> opened_ok(clients, 0);
    std::atomic<std::size_t> opened{0};
    constexpr std::size_t openers = 4;
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < openers; ++t)
        threads.emplace_back([&, t] {
            for (std::size_t i = t; i < clients; i += openers) {
                streams[i] = std::make_unique<event_stream>();
                opened_ok[i] = streams[i]->open(nodes[i % 3]->port(), "/events?topic=t",
                                                {{"Last-Event-ID",
                                                  std::to_string(history[i % 100])}});
                ++opened;
            }
        });
    for (std::size_t k = 1; k * 100 <= clients; ++k) {
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (opened < k * 100 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);
        published.push_back(publish(k % 3, "t", "during"));
    }
    for (std::thread& t : threads) t.join();
    for (std::size_t i = 0; i < clients; ++i) ASSERT_TRUE(opened_ok[i]) << i;
    for (int i = 0; i < 5; ++i) published.push_back(publish(0, "t", "after"));
    for (std::size_t i = 0; i < clients; ++i) {
        const std::size_t from = i % 100;
        const std::vector<std::uint64_t> expected(published.begin() + static_cast<long>(from) + 1,
                                                  published.end());
        ASSERT_TRUE(streams[i]->wait_events(expected.size())) << i;
        const id_list got = ids_of(streams[i]->events());
        EXPECT_EQ(got.truncations, 0u) << i;
        EXPECT_EQ(got.ids, expected) << i;
    }
}

}  // namespace
}  // namespace sse::test
