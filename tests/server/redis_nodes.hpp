// Several in-process sse-server nodes sharing one redis-server: the backplane tests' fixture.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server_fixture.hpp"
#include "support/redis_server.hpp"
#include "test_client.hpp"

namespace sse::test {

/// A node's settings: test_config() plus the backplane at `redis`, quick reconnection.
inline sse::server::config node_config(const redis_server& redis) {
    sse::server::config c = test_config();
    c.redis.host = "127.0.0.1";
    c.redis.port = redis.port();
    c.redis.reconnect_min = std::chrono::milliseconds(20);
    c.redis.reconnect_max = std::chrono::milliseconds(200);
    c.redis.connect_timeout = std::chrono::milliseconds(1000);
    c.logging.level = sse::server::log_level::off;
    return c;
}

/// The ids of `events` (numbers), and whether any is the truncation signal.
struct id_list {
    std::vector<std::uint64_t> ids;
    std::size_t truncations = 0;
};

inline id_list ids_of(const std::vector<record>& events) {
    id_list out;
    for (const record& r : events) {
        if (r.type == "sse-history-truncated") {
            ++out.truncations;
            continue;
        }
        out.ids.push_back(std::stoull(r.id));
    }
    return out;
}

struct redis_nodes : ::testing::Test {
    std::unique_ptr<redis_server> redis;
    std::vector<std::unique_ptr<sse::server::server>> nodes;

    void start_redis(std::vector<std::string> flags = {}) {
        redis = std::make_unique<redis_server>(std::move(flags));
        ASSERT_TRUE(redis->running());
    }

    /// Starts `n` nodes and waits until each one's backplane is up.
    void start_nodes(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            nodes.push_back(std::make_unique<sse::server::server>(node_config(*redis)));
            ASSERT_FALSE(nodes.back()->start());
        }
        ASSERT_TRUE(all_up());
    }

    bool all_up(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
        return eventually(
            [&] {
                for (const auto& n : nodes)
                    if (n->stats().backplane_up.load() != 1) return false;
                return true;
            },
            timeout);
    }

    /// Publishes through node `k`, retrying (bounded) while the backplane is down. Returns the
    /// id, or 0 if it never got one.
    std::uint64_t publish(std::size_t k, const std::string& topic, const std::string& data) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto r = nodes[k]->publish(topic, data);
            if (!r.error) return r.id;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return 0;
    }

    void TearDown() override {
        for (auto& n : nodes) n->stop();
    }
};

}  // namespace sse::test
