// Starts an in-process sse::server::server on 127.0.0.1, port 0, for one test.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "sse/server/server.hpp"
#include "test_client.hpp"

namespace sse::test {

/// Settings for tests: loopback, any port, two I/O threads, ids from 0, no heartbeat.
inline sse::server::config test_config() {
    sse::server::config c;
    c.address = "127.0.0.1";
    c.port = 0;
    c.threads = 2;
    c.heartbeat = std::chrono::milliseconds(0);
    c.retry_ms = 1500;
    c.first_id_base = 0;
    c.shutdown_timeout = std::chrono::milliseconds(5000);
    return c;
}

/// Polls `condition` until it holds or `timeout` passes (for server-side state with no event to
/// wait on, such as a gauge going down after a disconnect). Returns the final value.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

struct server_fixture : ::testing::Test {
    std::unique_ptr<sse::server::server> server;

    void start(sse::server::config c = test_config()) {
        server = std::make_unique<sse::server::server>(std::move(c));
        const std::error_code ec = server->start();
        ASSERT_FALSE(ec) << ec.message();
        ASSERT_NE(server->port(), 0);
    }
    std::uint16_t port() const { return server->port(); }

    /// With one subscriber on topic "t" that has stopped reading: publishes more than the kernel's
    /// socket buffers hold, and expects the write timeout (not the queue budget) to close it.
    void expect_the_write_timeout_to_close_the_stalled_subscriber() {
        const std::string payload(64 * 1024, 'x');
        for (int i = 0; i < 256 && server->stats().subscribers.load() == 1; ++i)
            server->publish("t", payload);
        EXPECT_TRUE(eventually([&] { return server->stats().write_timeouts.load() == 1; }));
        EXPECT_TRUE(eventually([&] { return server->stats().subscribers.load() == 0; }));
        EXPECT_EQ(server->stats().slow_client_drops.load(), 0u);
    }
    void TearDown() override {
        if (server) server->stop();
    }
};

}  // namespace sse::test
