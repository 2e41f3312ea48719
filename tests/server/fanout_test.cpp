// Publishing does not wait for fan-out: over the embedding API with a subscriber whose deliver()
// blocks its I/O thread, and over HTTP with a stalled reader whose queue is full.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server_fixture.hpp"

namespace {

using namespace sse::test;
using fanout_test = server_fixture;

// Records each live delivery and the thread it came on; with the gate closed, holds that thread
// inside deliver() until the test opens it (at most 30 s, so a regression fails, never hangs).
class gated_subscriber final : public sse::server::subscriber {
public:
    explicit gated_subscriber(bool gate_open) : open_(gate_open) {}

    bool deliver(const sse::server::frame&, std::uint64_t id, bool exempt) override {
        if (exempt) return true;  // the subscription's start, on the subscribing thread
        std::unique_lock lock(mutex_);
        ids_.push_back(id);
        threads_.push_back(std::this_thread::get_id());
        changed_.notify_all();
        if (!changed_.wait_for(lock, std::chrono::seconds(30), [&] { return open_; }))
            timed_out_ = true;
        return true;
    }
    void close(const sse::server::frame&) override {}

    void open_gate() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }
    std::vector<std::uint64_t> ids() const {
        std::lock_guard lock(mutex_);
        return ids_;
    }
    std::vector<std::thread::id> threads() const {
        std::lock_guard lock(mutex_);
        return threads_;
    }
    bool timed_out() const {
        std::lock_guard lock(mutex_);
        return timed_out_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool open_;
    bool timed_out_ = false;
    std::vector<std::uint64_t> ids_;
    std::vector<std::thread::id> threads_;
};

TEST_F(fanout_test, publish_returns_while_a_subscribers_delivery_is_blocked) {
    start();  // two I/O threads: two shards
    auto& h = server->hub();
    ASSERT_EQ(h.shard_count(), 2u);
    auto blocked = std::make_shared<gated_subscriber>(false);
    auto free = std::make_shared<gated_subscriber>(true);
    struct opener {
        gated_subscriber& g;
        ~opener() { g.open_gate(); }  // whatever fails below, shutdown is not held up
    } open_at_exit{*blocked};
    const std::vector<std::string> topics{"t"};
    std::error_code ec;
    h.subscribe(blocked, topics, std::nullopt, ec, 1);
    ASSERT_FALSE(ec);
    h.subscribe(free, topics, std::nullopt, ec, 0);
    ASSERT_FALSE(ec);

    const auto first = server->publish("t", "1");
    ASSERT_FALSE(first.error);
    // Shard 1's thread is now held inside deliver() of the first event.
    ASSERT_TRUE(eventually([&] { return blocked->ids().size() == 1; }));
    const auto second = server->publish("t", "2");
    const auto third = server->publish("t", "3");
    // Both were answered while the delivery of an earlier event was still blocked: publishing
    // did not wait for it, nor walk that subscriber.
    EXPECT_EQ(second.id, first.id + 1);
    EXPECT_EQ(third.id, first.id + 2);
    EXPECT_EQ(blocked->ids(), std::vector<std::uint64_t>{first.id});
    // The other shard delivers on its own thread meanwhile.
    ASSERT_TRUE(eventually([&] { return free->ids().size() == 3; }));
    EXPECT_EQ(blocked->ids().size(), 1u);

    blocked->open_gate();
    ASSERT_TRUE(eventually([&] { return blocked->ids().size() == 3; }));
    EXPECT_EQ(blocked->ids(), (std::vector<std::uint64_t>{first.id, second.id, third.id}));
    EXPECT_EQ(free->ids(), blocked->ids());
    EXPECT_FALSE(blocked->timed_out());
    // Each shard delivers on one thread of its own, never the publisher's.
    const auto me = std::this_thread::get_id();
    const auto b = blocked->threads();
    const auto f = free->threads();
    for (const auto& t : b) EXPECT_EQ(t, b.front());
    for (const auto& t : f) EXPECT_EQ(t, f.front());
    EXPECT_NE(b.front(), me);
    EXPECT_NE(f.front(), me);
    EXPECT_NE(b.front(), f.front());
}

TEST_F(fanout_test, a_publish_answers_while_a_slow_subscribers_queue_is_full) {
    sse::server::config c = test_config();
    c.queue_budget = 64 * 1024;
    c.slow_client = sse::server::slow_client_policy::resync;  // it stays, with its queue full
    start(c);
    event_stream fast, slow;
    ASSERT_TRUE(fast.open(port(), "/events?topic=t"));
    ASSERT_TRUE(slow.open(port(), "/events?topic=t", {}, 4096));  // never reads
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));

    // Until its queue went over the budget twice: it is full and stays so, as it does not read.
    const std::string payload(16 * 1024, 'x');
    std::size_t published = 0;
    for (; published < 4000 && server->stats().slow_client_resyncs.load() < 2; ++published) {
        ASSERT_FALSE(server->publish("t", payload).error);
        ASSERT_TRUE(fast.wait_events(published + 1)) << "fast reader stalled at " << published;
    }
    ASSERT_GE(server->stats().slow_client_resyncs.load(), 2u);

    const auto r = http_request(port(), "POST", "/publish",
                                {{"Content-Type", "application/x-www-form-urlencoded"}},
                                "topic=t&data=still+answered");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "{\"id\":\"" + std::to_string(published + 1) + "\"}\n");
    ASSERT_TRUE(fast.wait_events(published + 1));
    EXPECT_EQ(fast.events().back().data, "still answered");
    EXPECT_EQ(server->stats().subscribers.load(), 2u);  // the slow one is still there
}

TEST_F(fanout_test, an_event_larger_than_the_queue_budget_is_refused_before_it_takes_an_id) {
    // No subscriber could ever queue it: publishing it would cut every subscriber off and replay
    // it to each on resume. The publisher gets 413 and a reason; the stream goes on.
    sse::server::config c = test_config();
    c.queue_budget = 4096;
    c.max_body_size = 64 * 1024;
    start(c);
    event_stream reader;
    ASSERT_TRUE(reader.open(port(), "/events?topic=t"));
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    const auto form = std::vector<std::pair<std::string, std::string>>{
        {"Content-Type", "application/x-www-form-urlencoded"}};
    const auto big = http_request(port(), "POST", "/publish", form, "topic=t&data=" + std::string(8192, 'x'));
    ASSERT_TRUE(big);
    EXPECT_EQ(big->status, 413);
    EXPECT_NE(big->body.find("--queue-budget 4096"), std::string::npos) << big->body;
    const auto fits = http_request(port(), "POST", "/publish", form, "topic=t&data=" + std::string(1000, 'y'));
    ASSERT_TRUE(fits);
    EXPECT_EQ(fits->status, 200);
    EXPECT_EQ(fits->body, "{\"id\":\"1\"}\n");  // the refused event took no id
    ASSERT_TRUE(reader.wait_events(1));
    EXPECT_EQ(reader.events()[0].data, std::string(1000, 'y'));
    EXPECT_EQ(server->stats().slow_client_drops.load(), 0u);
    EXPECT_EQ(server->stats().subscribers.load(), 1u);
}

}  // namespace
