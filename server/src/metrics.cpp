#include "sse/server/metrics.hpp"

namespace sse::server {
namespace {

void line(std::string& out, const char* name, const char* type, const char* help,
          const std::atomic<std::uint64_t>& v) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += std::to_string(v.load(std::memory_order_relaxed));
    out += '\n';
}

// Prometheus label values escape backslash, double quote and line feed.
void append_label_value(std::string& out, const std::string& v) {
    for (const char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
}

}  // namespace

std::string render_prometheus(const metrics& m,
                              const std::vector<std::pair<std::string, std::size_t>>& topics) {
    std::string out;
    line(out, "sse_connections_open", "gauge", "TCP connections currently open.", m.connections_open);
    line(out, "sse_connections_total", "counter", "TCP connections accepted.", m.connections_total);
    line(out, "sse_subscribers", "gauge", "Event streams currently open.", m.subscribers);
    line(out, "sse_http_requests_total", "counter", "HTTP requests answered.", m.requests_total);
    line(out, "sse_events_published_total", "counter", "Events published.", m.events_published);
    line(out, "sse_events_delivered_total", "counter",
         "Event frames queued to subscribers, replays included.", m.events_delivered);
    line(out, "sse_stream_bytes_sent_total", "counter", "Bytes written to event streams.",
         m.bytes_sent);
    line(out, "sse_slow_client_drops_total", "counter",
         "Streams closed because their queue went over budget.", m.slow_client_drops);
    line(out, "sse_write_timeouts_total", "counter",
         "Streams closed because a write made no progress in time.", m.write_timeouts);
    line(out, "sse_replay_hits_total", "counter", "Resumes served completely from history.",
         m.replay_hits);
    line(out, "sse_replay_misses_total", "counter",
         "Resumes that got the sse-history-truncated signal.", m.replay_misses);
    line(out, "sse_publish_unauthorized_total", "counter", "Publish requests refused with 401.",
         m.publish_unauthorized);
    line(out, "sse_subscribe_unauthorized_total", "counter", "Subscribe requests refused with 401.",
         m.subscribe_unauthorized);
    line(out, "sse_slow_client_resyncs_total", "counter",
         "Times a slow subscriber's queue was dropped and the resync signal sent.",
         m.slow_client_resyncs);
    line(out, "sse_events_dropped_total", "counter",
         "Queued event frames discarded by slow-client resyncs.", m.events_dropped);
    line(out, "sse_history_bytes", "gauge", "Encoded bytes of events retained for resume.",
         m.history_bytes);
    line(out, "sse_history_evictions_byte_cap_total", "counter",
         "Events evicted from history by the global byte cap.", m.history_evictions_bytes_cap);
    line(out, "sse_tls_handshake_failures_total", "counter",
         "TLS handshakes that failed or timed out (plain HTTP on a TLS port included).",
         m.tls_handshake_failures);
    line(out, "sse_h2_connections_total", "counter", "Connections that spoke HTTP/2 (h2 or h2c).",
         m.h2_connections_total);
    line(out, "sse_h2_streams_total", "counter", "HTTP/2 streams opened by requests.",
         m.h2_streams_total);
    line(out, "sse_fanout_backlog_bytes", "gauge",
         "Encoded bytes of events published and not yet handed to every I/O thread's subscribers.",
         m.fanout_backlog_bytes);
    line(out, "sse_publish_backlog_refusals_total", "counter",
         "Publishes refused with 503 because fan-out was --fanout-backlog behind.",
         m.publish_backlog_refusals);
    line(out, "sse_backplane_up", "gauge",
         "1 while the Redis backplane is connected and checked (always 0 without --redis).",
         m.backplane_up);
    line(out, "sse_backplane_reconnects_total", "counter",
         "Attempts to reconnect to Redis after a failure.", m.backplane_reconnects);
    line(out, "sse_backplane_truncations_total", "counter",
         "Losses in the Redis stream signalled to subscribers (sse-history-truncated).",
         m.backplane_truncations);
    line(out, "sse_backplane_lag_events", "gauge",
         "Events known to be in Redis and not yet delivered by this node.", m.backplane_lag);
    line(out, "sse_backplane_publish_failures_total", "counter",
         "Publishes answered 503 because Redis was unreachable or did not answer.",
         m.backplane_publish_failures);
    out += "# HELP sse_topic_subscribers Subscribers per topic.\n";
    out += "# TYPE sse_topic_subscribers gauge\n";
    for (const auto& [name, count] : topics) {
        out += "sse_topic_subscribers{topic=\"";
        append_label_value(out, name);
        out += "\"} ";
        out += std::to_string(count);
        out += '\n';
    }
    return out;
}

}  // namespace sse::server
