// The hiredis + Asio adapter against a real redis-server: connect, AUTH, SELECT, binary-safe
// commands, pipelining, a connection killed by Redis, and the open() deadline.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "redis/redis_connection.hpp"
#include "support/redis_server.hpp"

namespace {

using sse::server::detail::redis_connection;
using sse::server::detail::redis_endpoint;
using sse::server::detail::redis_reply;
using namespace std::chrono_literals;

struct adapter : ::testing::Test {
    boost::asio::io_context ioc;

    // Runs the io_context until `done` holds or 10 s pass.
    bool run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            ioc.run_one_for(10ms);
        }
        return true;
    }

    std::shared_ptr<redis_connection> open(const redis_endpoint& to, std::string& error,
                                           std::string* closed = nullptr) {
        auto c = std::make_shared<redis_connection>(ioc.get_executor());
        bool opened = false;
        c->open(
            to, 2s,
            [&](std::string_view e) {
                error = e;
                opened = true;
            },
            [closed](std::string_view why) {
                if (closed) *closed = why.empty() ? "?" : std::string(why);
            });
        EXPECT_TRUE(run_until([&] { return opened; }));
        return c;
    }

    redis_reply call(redis_connection& c, const std::vector<std::string>& argv) {
        redis_reply out;
        bool done = false;
        EXPECT_TRUE(c.command(argv, [&](const redis_reply& r, std::string_view error) {
            EXPECT_TRUE(error.empty()) << error;
            out = r;
            done = true;
        }));
        EXPECT_TRUE(run_until([&] { return done; }));
        return out;
    }
};

TEST_F(adapter, commands_are_binary_safe_and_answered_in_order) {
    sse::test::redis_server redis;
    ASSERT_TRUE(redis.running());
    std::string error;
    auto c = open({.port = redis.port()}, error);
    ASSERT_EQ(error, "");
    ASSERT_TRUE(c->is_open());
    const std::string value("a\0b\r\nc", 6);
    EXPECT_EQ(call(*c, {"SET", "k", value}).text, "OK");
    const redis_reply got = call(*c, {"GET", "k"});
    EXPECT_EQ(got.type, redis_reply::kind::string);
    EXPECT_EQ(got.text, value);
    EXPECT_TRUE(call(*c, {"GET", "missing"}).is_nil());
    EXPECT_TRUE(call(*c, {"NOSUCHCOMMAND"}).is_error());

    // Many commands in flight at once: every callback, in order.
    std::vector<long long> seen;
    for (int i = 0; i < 5000; ++i)
        ASSERT_TRUE(c->command({"INCR", "n"}, [&](const redis_reply& r, std::string_view) {
            seen.push_back(r.integer);
        }));
    ASSERT_TRUE(run_until([&] { return seen.size() == 5000; }));
    for (std::size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], static_cast<long long>(i + 1));
    c->close();
    EXPECT_FALSE(c->is_open());
    EXPECT_FALSE(c->command({"PING"}, [](const redis_reply&, std::string_view) {}));
}

TEST_F(adapter, auth_and_select_run_before_the_connection_is_open) {
    sse::test::redis_server redis({"--requirepass", "s3cret"});
    ASSERT_TRUE(redis.running());
    std::string error;
    auto wrong = open({.port = redis.port(), .password = "nope"}, error);
    EXPECT_NE(error.find("AUTH failed"), std::string::npos) << error;
    EXPECT_FALSE(wrong->is_open());

    auto c = open({.port = redis.port(), .db = 3, .password = "s3cret"}, error);
    ASSERT_EQ(error, "");
    const redis_reply info = call(*c, {"CLIENT", "INFO"});
    EXPECT_NE(info.text.find(" db=3 "), std::string::npos) << info.text;
}

TEST_F(adapter, a_refused_connection_reports_an_error) {
    std::string error;
    auto c = open({.port = sse::test::free_port()}, error);
    EXPECT_NE(error, "");
    EXPECT_FALSE(c->is_open());
}

TEST_F(adapter, open_gives_up_at_its_deadline) {
    // A peer that accepts and never answers: AUTH waits, the deadline ends it.
    boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    boost::asio::ip::tcp::socket peer(ioc);
    silent.async_accept(peer, [](const boost::system::error_code&) {});
    auto c = std::make_shared<redis_connection>(ioc.get_executor());
    std::string error;
    bool opened = false;
    c->open({.port = silent.local_endpoint().port(), .password = "x"}, 200ms,
            [&](std::string_view e) {
                error = e;
                opened = true;
            },
            {});
    ASSERT_TRUE(run_until([&] { return opened; }));
    EXPECT_NE(error.find("timed out"), std::string::npos) << error;
    EXPECT_FALSE(c->is_open());
}

TEST_F(adapter, a_killed_connection_fails_pending_commands_and_reports_once) {
    sse::test::redis_server redis;
    ASSERT_TRUE(redis.running());
    std::string error, closed;
    auto c = open({.port = redis.port()}, error, &closed);
    ASSERT_EQ(error, "");
    call(*c, {"CLIENT", "SETNAME", "victim"});
    // A command that blocks, then the server kills the connection under it.
    std::string pending_error;
    bool answered = false;
    ASSERT_TRUE(c->command({"BLPOP", "never", "0"}, [&](const redis_reply&, std::string_view e) {
        pending_error = e;
        answered = true;
    }));
    ASSERT_TRUE(run_until([&] {
        return redis.command({"CLIENT", "LIST"}).value_or("").find("cmd=blpop") != std::string::npos;
    }));
    EXPECT_EQ(redis.command({"CLIENT", "KILL", "TYPE", "normal"}).value_or(""), "1");
    ASSERT_TRUE(run_until([&] { return answered && !closed.empty(); }));
    EXPECT_NE(pending_error, "");
    EXPECT_FALSE(c->is_open());
}

}  // namespace
