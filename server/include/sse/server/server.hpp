// sse::server::server: the reference SSE server, for embedding or behind `sse-server`.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

#include "sse/server/config.hpp"
#include "sse/server/hub.hpp"
#include "sse/server/log.hpp"
#include "sse/server/metrics.hpp"
#include "sse/server/tls_error.hpp"

namespace sse::server {

/// An HTTP/1.1 pub/sub server for Server-Sent Events on Boost.Asio, over plain TCP or TLS
/// (config::tls_cert_file), or both on two ports: N I/O threads (config::threads), each running
/// its own io_context; each connection lives on one of them, no thread per connection.
///
/// Embedding:
///   sse::server::server s({.port = 0});
///   if (auto ec = s.start()) ...;             // listening once this returns
///   s.publish("news", "hello");               // same path as POST /publish
///   s.stop();                                  // graceful, bounded by config::shutdown_timeout
class server {
public:
    explicit server(config settings);
    /// Calls stop().
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Loads the TLS certificate and key if configured, binds, listens and starts the I/O threads.
    /// Returns a tls_errc (TLS files missing, unreadable, malformed, or not matching; the log says
    /// which and what to do), the bind/listen error (the server is then not running), or
    /// std::errc::operation_not_permitted if called twice.
    std::error_code start();

    /// The bound port of config::port (the real one when it was 0); 0 before start(). It speaks
    /// HTTPS when TLS is configured without config::tls_port, else plain HTTP.
    std::uint16_t port() const;

    /// The bound port that speaks HTTPS: port() when TLS is on config::port, the bound
    /// config::tls_port otherwise; 0 without TLS or before start().
    std::uint16_t tls_port() const;

    /// Reads config::tls_cert_file and config::tls_key_file again; connections accepted from now
    /// on use them, open ones keep theirs (no stream is dropped). On error (a tls_errc, and an
    /// error line in the log naming the file) the previous certificate stays in use.
    /// Thread-safe; not from an I/O thread.
    std::error_code reload_tls();

    /// Publishes an event, exactly as POST /publish does; see hub::publish() and id_policy.
    /// Returns once the event is sequenced and in history; the I/O threads deliver it after.
    /// With the Redis backplane (config::redis), returns once Redis has the event (its id is
    /// final on every node), or with std::errc::not_connected / connection_aborted /
    /// timed_out (see backplane) when it could not be published. Thread-safe.
    publish_result publish(std::string_view topic, std::string_view data,
                           std::string_view type = {}, id_policy ids = id_policy::assign);

    /// Graceful shutdown: stops accepting, sends every stream a final comment and closes it,
    /// closes idle keep-alive connections, waits for the I/O threads up to
    /// config::shutdown_timeout, then cuts whatever is left. Idempotent; returns when every I/O
    /// thread has exited. Must not be called from an I/O thread.
    void stop();

    /// The hub, for finer control than publish() (custom subscribers, last_id()).
    sse::server::hub& hub();

    /// The server's logger (config::logging), for the embedding program's own lines.
    const logger& log() const;

    /// Live counters (what GET /metrics shows).
    const metrics& stats() const;

    /// The settings in force.
    const config& settings() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sse::server
