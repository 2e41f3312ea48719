// Fan-out shards whose passes the test runs by hand: each shard's posted tasks wait in a queue
// until step() or drain() runs them, so a test decides exactly how far each shard lags and where
// its passes interleave with publishes, subscribes and unsubscribes, with no thread at all.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <vector>

#include "sse/server/fanout.hpp"

namespace sse::test {

class manual_shards {
public:
    explicit manual_shards(std::size_t n) : queues_(n) {}

    /// One poster per shard, for hub_options::shards. They refer to this object.
    std::vector<sse::server::shard_poster> posters() {
        std::vector<sse::server::shard_poster> out;
        for (std::size_t k = 0; k < queues_.size(); ++k)
            out.emplace_back([this, k](std::function<void()> task) {
                queues_[k].push_back(std::move(task));
            });
        return out;
    }

    /// Runs shard k's oldest task; false if it had none.
    bool step(std::size_t k) {
        if (queues_[k].empty()) return false;
        std::function<void()> task = std::move(queues_[k].front());
        queues_[k].pop_front();
        task();
        return true;
    }

    /// Runs shard k's tasks until none is left (each task takes log entries, which are finite).
    void drain(std::size_t k) {
        while (step(k)) {
        }
    }

    void drain_all() {
        for (std::size_t k = 0; k < queues_.size(); ++k) drain(k);
    }

    std::size_t pending(std::size_t k) const { return queues_[k].size(); }

private:
    std::vector<std::deque<std::function<void()>>> queues_;
};

}  // namespace sse::test
