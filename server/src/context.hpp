// context: what every session of one server shares. Owned by the server; outlives every session.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/beast/http/message.hpp>

#include "asio.hpp"
#include "session_registry.hpp"
#include "static_files.hpp"
#include "tls_credentials.hpp"
#include "sse/server/config.hpp"
#include "sse/server/frame.hpp"
#include "sse/server/hub.hpp"
#include "sse/server/log.hpp"
#include "sse/server/metrics.hpp"

namespace sse::server::detail {

class backplane;
class flusher;
class h2_connection;
class http_session;
class scripted_session;

/// Shared state of one server. The frames are built once at startup, so every subscriber's
/// response head, retry hint and heartbeat are pointers to the same bytes.
struct context {
    explicit context(config c);
    ~context();

    const config settings;
    logger log;  ///< declared before everything that may log
    metrics stats;
    /// The I/O threads' io_contexts, owned by the server and set before it starts; fan-out shard
    /// k of `events` runs on io_contexts[k]. Declared before `events`, whose shards post here.
    std::vector<net::io_context*> io_contexts;
    hub events;
    /// The Redis backplane (config::redis), or null: one process, ids assigned by `events`.
    std::unique_ptr<backplane> redis;
    session_registry<http_session> sessions;
    session_registry<h2_connection> h2_connections;  ///< HTTP/2 connections, for shutdown (GOAWAY)
    session_registry<scripted_session> scripts;  ///< conformance streams, for heartbeat and stop
    static_files files;
    tls_credentials tls;  ///< the context of new TLS connections; empty without TLS
    std::atomic<bool> stopping{false};
    /// The flush windows, one per I/O thread (each holds a timer of that thread's io_context),
    /// owned by the server and set before it starts; empty when config::flush_interval is zero:
    /// every write then starts at once.
    std::vector<std::pair<const net::io_context*, flusher*>> flushers;

    /// The flush window of the I/O thread that runs `executor`, or null (no window).
    flusher* flusher_for(const net::any_io_executor& executor) const;

    /// The hub's fan-out shard of the I/O thread that runs `executor` (0 if none matches).
    std::size_t shard_for(const net::any_io_executor& executor) const;

    /// I/O threads of a server with `settings` (config::threads, 0 meaning one per core).
    static unsigned io_thread_count(const config& settings);

    /// The 200 response head of GET /events. `cors_origin` set: a head with
    /// Access-Control-Allow-Origin for it, built for this request; otherwise the shared one.
    frame stream_head_for(const std::optional<std::string>& cors_origin) const;

    /// The same head as status and fields, for a transport that frames them itself (HTTP/2).
    static boost::beast::http::response_header<> stream_head_header(
        const std::optional<std::string>& cors_origin);

    frame stream_head;  ///< the 200 response head of GET /events, without CORS headers
    frame retry_hint;   ///< `retry:` per settings.retry_ms, or null
    frame heartbeat;    ///< the keep-alive comment
    frame goodbye;      ///< the comment sent before closing streams on shutdown
};

}  // namespace sse::server::detail
