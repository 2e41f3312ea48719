// sse::server::metrics: the counters behind GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sse::server {

/// Process-wide counters, updated with relaxed atomics from any thread (they are statistics, not
/// synchronisation). Gauges go up and down; counters only up.
struct metrics {
    std::atomic<std::uint64_t> connections_open{0};     ///< gauge: TCP connections held
    std::atomic<std::uint64_t> connections_total{0};    ///< counter: accepted connections
    std::atomic<std::uint64_t> subscribers{0};          ///< gauge: open event streams
    std::atomic<std::uint64_t> requests_total{0};       ///< counter: HTTP requests answered
    std::atomic<std::uint64_t> events_published{0};     ///< counter
    std::atomic<std::uint64_t> events_delivered{0};     ///< counter: event frames queued to streams
    std::atomic<std::uint64_t> bytes_sent{0};           ///< counter: bytes written to streams
    std::atomic<std::uint64_t> slow_client_drops{0};    ///< counter: streams closed over budget
    std::atomic<std::uint64_t> write_timeouts{0};       ///< counter: streams closed by write timeout
    std::atomic<std::uint64_t> replay_hits{0};          ///< counter: resumes fully served from history
    std::atomic<std::uint64_t> replay_misses{0};        ///< counter: resumes told history was truncated
    std::atomic<std::uint64_t> publish_unauthorized{0}; ///< counter: POST /publish answered 401
    std::atomic<std::uint64_t> subscribe_unauthorized{0};  ///< counter: GET /events answered 401
    std::atomic<std::uint64_t> slow_client_resyncs{0};  ///< counter: queues dropped, resync sent
    std::atomic<std::uint64_t> events_dropped{0};  ///< counter: queued events a resync discarded
    std::atomic<std::uint64_t> history_bytes{0};   ///< gauge: encoded bytes retained for resume
    std::atomic<std::uint64_t> history_evictions_bytes_cap{0};  ///< counter: evicted by the byte cap
    std::atomic<std::uint64_t> tls_handshake_failures{0};  ///< counter: failed or timed out
    std::atomic<std::uint64_t> h2_connections_total{0};  ///< counter: connections that spoke HTTP/2
    std::atomic<std::uint64_t> h2_streams_total{0};      ///< counter: HTTP/2 requests (streams)
    std::atomic<std::uint64_t> fanout_backlog_bytes{0};  ///< gauge: published, not yet fanned out
    std::atomic<std::uint64_t> publish_backlog_refusals{0};  ///< counter: publishes refused (503)
    // The Redis backplane (all zero without one).
    std::atomic<std::uint64_t> backplane_up{0};           ///< gauge: 1 while connected and checked
    std::atomic<std::uint64_t> backplane_reconnects{0};   ///< counter: reconnection attempts
    std::atomic<std::uint64_t> backplane_truncations{0};  ///< counter: losses signalled to streams
    std::atomic<std::uint64_t> backplane_lag{0};  ///< gauge: ids in Redis not ingested here yet
    std::atomic<std::uint64_t> backplane_publish_failures{0};  ///< counter: publishes answered 503

    /// Adds `n` to a counter (relaxed).
    static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
        c.fetch_add(n, std::memory_order_relaxed);
    }
    /// Subtracts `n` from a gauge (relaxed).
    static void sub(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
        c.fetch_sub(n, std::memory_order_relaxed);
    }
};

/// Renders `m`, plus one `sse_topic_subscribers{topic="..."}` line per entry of `topics`, in the
/// Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const metrics& m,
                              const std::vector<std::pair<std::string, std::size_t>>& topics);

}  // namespace sse::server
