// backplane: the Redis implementation of the hub's "where ids and events come from". Publishing
// runs one script in Redis (the id is Redis's counter, the event goes into one stream); every
// node reads the stream in order and ingests it into its hub, whose fan-out delivers it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include "../asio.hpp"
#include "backoff.hpp"
#include "redis_connection.hpp"
#include "sse/server/hub.hpp"
#include "sse/server/log.hpp"
#include "sse/server/metrics.hpp"
#include "sse/server/redis_options.hpp"

namespace sse::server::detail {

/// One node's link to the shared Redis. It runs its own thread and io_context (hiredis contexts
/// are single-threaded), with two connections: one for commands (publish, the epoch check), one
/// blocked in XREAD on the stream. Either one lost, or a failed check, takes the backplane down:
/// publishing fails at once (the HTTP layer answers 503), subscribers stay connected (they get
/// heartbeats), and it reconnects with backoff, checks the data set and reads on from the last
/// entry it ingested, so it catches up in order. See server/README.md for the guarantees.
///
/// Thread-safe: publish() and is_up() from any thread; the rest is the backplane thread's.
class backplane {
public:
    /// Called once per publish() on the backplane thread: the id Redis gave, or an error:
    /// std::errc::not_connected (the backplane is down; nothing was published),
    /// std::errc::connection_aborted (the connection broke before Redis answered: the event may
    /// or may not have been published), std::errc::io_error (Redis answered with an error).
    using publish_fn = std::function<void(publish_result)>;

    backplane(const redis_options& options, hub& events, metrics& stats, const logger& log);
    /// Calls stop().
    ~backplane();
    backplane(const backplane&) = delete;
    backplane& operator=(const backplane&) = delete;

    /// Starts the thread and the first connection attempt (returns at once).
    void start();

    /// Closes both connections (pending publishes are answered with an error) and joins the
    /// thread. Idempotent.
    void stop();

    /// Publishes through Redis; `done` gets the outcome. Validate the topic and type first
    /// (hub::validate): a node ingests what Redis holds, it cannot refuse it.
    void publish(std::string topic, std::string data, std::string type, id_policy ids,
                 publish_fn done);

    /// True while connected, checked and reading.
    bool is_up() const noexcept { return up_.load(std::memory_order_acquire); }

private:
    void connect();
    void ask_sentinel(std::uint64_t generation, std::size_t index);
    void open_links(std::uint64_t generation, const redis_endpoint& to);
    void check(std::uint64_t generation);
    void on_checked(std::uint64_t generation, const redis_reply& reply);
    void read(std::uint64_t generation);
    void ingest(const redis_reply& reply);
    void fail(std::uint64_t generation, std::string_view what, std::string_view why);
    void teardown();
    void update_lag();

    redis_options options_;
    hub& events_;
    metrics& stats_;
    const logger& log_;
    const std::string stream_key_, counter_key_, epoch_key_, replid_key_;

    net::io_context ioc_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
    std::thread thread_;
    std::atomic<bool> up_{false};
    bool stopped_ = false;

    // The backplane thread's state.
    std::uint64_t generation_ = 0;  // bumped by teardown(): callbacks of older links do nothing
    std::shared_ptr<redis_connection> commands_, reader_, sentinel_;
    redis_endpoint primary_;
    std::string sha_;         // SCRIPT LOAD of the publish script
    std::string epoch_;       // the epoch this node's history belongs to ("" before the first)
    std::string position_;    // the stream entry read last ("0-0": from the beginning)
    std::uint64_t fresh_from_ = 0;  // ephemeral entries below this counter are old news
    std::uint64_t head_ = 0;        // highest id known to exist in Redis
    backoff backoff_;
    net::steady_timer retry_timer_;
};

}  // namespace sse::server::detail
