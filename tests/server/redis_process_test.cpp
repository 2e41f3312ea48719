// sse-server processes sharing one Redis: a node killed with SIGKILL mid-stream, its client
// resuming on another node, gets every event exactly once and in order (or the truncation
// signal); and the --redis flags as a user gives them.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <thread>

#include "redis_nodes.hpp"
#include "server_process.hpp"

namespace sse::test {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> node_flags(const redis_server& redis) {
    return {"--port", "0", "--threads", "1", "--static-dir", "", "--redis", redis.url()};
}

TEST(redis_process, a_client_of_a_killed_node_resumes_on_another_exactly_once) {
    redis_server redis;
    ASSERT_TRUE(redis.running());
    server_process doomed(node_flags(redis)), survivor(node_flags(redis));
    const std::uint16_t doomed_port = doomed.wait_port(), survivor_port = survivor.wait_port();
    ASSERT_NE(doomed_port, 0);
    ASSERT_NE(survivor_port, 0);
    ASSERT_TRUE(doomed.wait_log("redis connected"));
    ASSERT_TRUE(survivor.wait_log("redis connected"));

    event_stream first;
    ASSERT_TRUE(first.open(doomed_port, "/events?topic=t"));
    std::atomic<bool> done{false};
    std::vector<std::uint64_t> acknowledged;
    std::thread publisher([&] {
        for (int i = 0; i < 300; ++i) {
            const auto r = http_request(survivor_port, "POST", "/publish",
                                        {{"Content-Type", "application/x-www-form-urlencoded"}},
                                        "topic=t&data=" + std::to_string(i));
            if (r && r->status == 200)
                acknowledged.push_back(std::stoull(r->body.substr(7, r->body.find('"', 7) - 7)));
        }
        done = true;
    });
    ASSERT_TRUE(first.wait_events(50));
    doomed.stop(SIGKILL);
    EXPECT_TRUE(first.wait_closed());
    const std::string last = first.last_event_id();
    ASSERT_FALSE(last.empty());

    event_stream second;
    ASSERT_TRUE(second.open(survivor_port, "/events?topic=t", {{"Last-Event-ID", last}}));
    publisher.join();
    ASSERT_EQ(acknowledged.size(), 300u);
    ASSERT_TRUE(eventually([&] {
        second.wait_events(second.events().size() + 1, 50ms);
        const id_list s = ids_of(second.events());
        return !s.ids.empty() && s.ids.back() == acknowledged.back();
    }));
    const id_list a = ids_of(first.events()), b = ids_of(second.events());
    EXPECT_EQ(a.truncations + b.truncations, 0u);
    std::vector<std::uint64_t> all = a.ids;
    all.insert(all.end(), b.ids.begin(), b.ids.end());
    // Exactly once, in order: what the client saw across both nodes is what was published.
    EXPECT_EQ(all, acknowledged);
}

TEST(redis_process, publish_answers_503_while_redis_is_unreachable_and_recovers) {
    redis_server redis;
    ASSERT_TRUE(redis.running());
    redis.stop();
    server_process node(node_flags(redis));
    const std::uint16_t port = node.wait_port();
    ASSERT_NE(port, 0);
    ASSERT_TRUE(node.wait_log("redis connect failed"));
    const auto refused = http_request(port, "POST", "/publish",
                                      {{"Content-Type", "application/x-www-form-urlencoded"}},
                                      "topic=t&data=x");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    EXPECT_EQ(refused->header("retry-after"), "1");
    ASSERT_TRUE(redis.start());
    ASSERT_TRUE(node.wait_log("redis connected"));
    const auto ok = http_request(port, "POST", "/publish",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}},
                                 "topic=t&data=x");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(node.stop(SIGTERM), 0);
}

TEST(redis_process, the_password_file_is_used_for_auth) {
    redis_server redis({"--requirepass", "pa ss"});
    ASSERT_TRUE(redis.running());
    const std::string file = redis.dir() + "/password";
    {
        FILE* f = std::fopen(file.c_str(), "w");
        ASSERT_TRUE(f);
        std::fputs("pa ss\n", f);
        std::fclose(f);
    }
    auto flags = node_flags(redis);
    flags.insert(flags.end(), {"--redis-password-file", file});
    server_process node(flags);
    ASSERT_NE(node.wait_port(), 0);
    EXPECT_TRUE(node.wait_log("redis connected"));
    EXPECT_EQ(node.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace sse::test
