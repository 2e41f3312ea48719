// redis_connection: one hiredis asynchronous connection (redisAsyncContext) driven by Boost.Asio.
// hiredis does the protocol (RESP encoding and parsing); this adapter only tells it when its
// socket is readable or writable, through the event-library hooks hiredis exposes
// (ev.addRead/delRead/addWrite/delWrite/cleanup), with a posix::stream_descriptor's async_wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "../asio.hpp"
#include "redis_reply.hpp"

struct redisAsyncContext;

namespace sse::server::detail {

/// Where and how to connect.
struct redis_endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    int db = 0;            ///< SELECT after connecting when not 0
    std::string password{};  ///< AUTH after connecting when not empty
};

/// One connection to Redis. Every member function, and every callback, runs on the thread of
/// the executor given at construction (the backplane's own thread): hiredis contexts are not
/// thread-safe. Create it with std::make_shared (pending socket waits hold a reference).
///
/// Lifetime: the hiredis context lives from open() until close(), the connection's loss, or the
/// destructor. When it goes, every command still waiting for its reply gets an error callback
/// ("connection closed"), then, unless close() was called, `on_closed` runs once. The socket is
/// hiredis's: the adapter never closes it, it only stops watching it (stream_descriptor::release).
///
/// Host names are resolved by hiredis with a blocking getaddrinfo() on the calling thread.
class redis_connection : public std::enable_shared_from_this<redis_connection> {
public:
    /// A reply, or an error: `error` is non-empty when the command got no reply (the connection
    /// closed or broke first); a Redis error reply comes as a reply of kind::error.
    using reply_fn = std::function<void(const redis_reply& reply, std::string_view error)>;
    /// Called once when an open connection is lost (not after close()); `why` says how.
    using closed_fn = std::function<void(std::string_view why)>;
    /// The outcome of open(): empty on success, else what failed.
    using opened_fn = std::function<void(std::string_view error)>;

    explicit redis_connection(net::any_io_executor executor);
    ~redis_connection();
    redis_connection(const redis_connection&) = delete;
    redis_connection& operator=(const redis_connection&) = delete;

    /// Connects to `to`, then AUTHs and SELECTs as it says, all within `timeout`, and calls
    /// `done` once (with an error on failure, after which the connection is closed). Then
    /// `on_closed` reports a later loss. Call once per object.
    void open(const redis_endpoint& to, std::chrono::milliseconds timeout, opened_fn done,
              closed_fn on_closed);

    /// Sends one command (each argument binary-safe). Returns false, and never calls `done`, if
    /// the connection is not open; otherwise `done` is called exactly once.
    bool command(const std::vector<std::string>& argv, reply_fn done);

    /// Closes now: pending commands get their error callback, `on_closed` is not called.
    /// Idempotent.
    void close();

    /// True from a successful open() until the connection is closed or lost.
    bool is_open() const noexcept { return context_ != nullptr && ready_; }

private:
    static void on_connect(const redisAsyncContext* c, int status);
    static void on_disconnect(const redisAsyncContext* c, int status);
    static void on_reply(redisAsyncContext* c, void* reply, void* privdata);
    static void add_read(void* self);
    static void del_read(void* self);
    static void add_write(void* self);
    static void del_write(void* self);
    static void cleanup(void* self);

    void arm_read();
    void arm_write();
    void handshake();
    void finish_open(std::string_view error);

    net::any_io_executor executor_;
    redisAsyncContext* context_ = nullptr;
    std::optional<net::posix::stream_descriptor> socket_;
    net::steady_timer timer_;  // the open() deadline
    std::vector<std::vector<std::string>> pending_steps_;  // AUTH, SELECT still to send
    opened_fn opened_;
    closed_fn closed_;
    bool reading_ = false, writing_ = false;            // what hiredis wants
    bool read_waiting_ = false, write_waiting_ = false;  // an async_wait is outstanding
    bool ready_ = false;
    bool closing_ = false;  // close() was called: no on_closed
};

}  // namespace sse::server::detail
