// context: what every session of one server shares. Owned by the server; outlives every session.
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "session_registry.hpp"
#include "static_files.hpp"
#include "sse/server/config.hpp"
#include "sse/server/frame.hpp"
#include "sse/server/hub.hpp"
#include "sse/server/log.hpp"
#include "sse/server/metrics.hpp"

namespace sse::server::detail {

class flusher;
class http_session;
class scripted_session;

/// Shared state of one server. The frames are built once at startup, so every subscriber's
/// response head, retry hint and heartbeat are pointers to the same bytes.
struct context {
    explicit context(config c);

    const config settings;
    logger log;  ///< declared before everything that may log
    metrics stats;
    hub events;
    session_registry<http_session> sessions;
    session_registry<scripted_session> scripts;  ///< conformance streams, for heartbeat and stop
    static_files files;
    std::atomic<bool> stopping{false};
    /// The flush window, owned by the server (it holds a timer of the server's io_context); null
    /// when config::flush_interval is zero: every write then starts at once.
    flusher* flush = nullptr;

    /// The 200 response head of GET /events. `cors_origin` set: a head with
    /// Access-Control-Allow-Origin for it, built for this request; otherwise the shared one.
    frame stream_head_for(const std::optional<std::string>& cors_origin) const;

    frame stream_head;  ///< the 200 response head of GET /events, without CORS headers
    frame retry_hint;   ///< `retry:` per settings.retry_ms, or null
    frame heartbeat;    ///< the keep-alive comment
    frame goodbye;      ///< the comment sent before closing streams on shutdown
};

}  // namespace sse::server::detail
