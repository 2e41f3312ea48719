// What one sse-load worker process counts and sends to the parent, whichever protocol its
// subscribers speak (worker.cpp: one HTTP/1.1 connection each; worker_h2.cpp: HTTP/2 streams
// multiplexed over a few connections). A "connection" in these counts is one subscriber.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>

#include "histogram.hpp"
#include "sse/event.hpp"
#include "sse/parser.hpp"

namespace sse::load {

/// Every subscriber's parser limits: events here are small; tight limits keep a misbehaving
/// server from costing the tool memory.
inline sse::parser_limits subscriber_limits() {
    sse::parser_limits l;
    l.max_line_length = 1 << 20;
    l.max_event_size = 1 << 20;
    return l;
}

inline std::uint64_t now_ns() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
}

struct worker_stats {
    std::uint64_t open = 0;       // subscribers receiving their stream
    std::uint64_t in_flight = 0;  // subscribers connecting or waiting for the response head
    std::uint64_t failed = 0;     // subscribers that never opened
    std::uint64_t deliveries = 0, untimed = 0, bytes = 0;
    std::uint64_t err_connect = 0, err_status = 0, err_closed = 0, err_parse = 0;
    std::uint64_t batch_now = 0;  // now_ns() when the bytes being parsed were read
    histogram hist;

    /// One event reached a subscriber. Data starts with the publish time in ns, then '.';
    /// anything else is counted untimed.
    void on_event(const sse::event& e) {
        ++deliveries;
        std::uint64_t sent = 0;
        const auto* end = e.data.data() + e.data.size();
        const auto [ptr, ec] = std::from_chars(e.data.data(), end, sent);
        if (ec != std::errc() || ptr == e.data.data() || ptr == end || *ptr != '.' || sent > batch_now) {
            ++untimed;
            return;
        }
        hist.record((batch_now - sent) / 1000);
    }

    /// "S|F open connecting failed deliveries untimed bytes err_connect err_status err_closed
    /// err_parse|<histogram>\n" (worker.hpp).
    std::string status_line(char kind) const {
        // append() rather than a chain of operator+: GCC 12 -O3 warns falsely on the latter
        // (-Wrestrict, GCC bug 105329).
        std::string line(1, kind);
        for (const std::uint64_t v : {open, in_flight, failed, deliveries, untimed, bytes, err_connect, err_status,
                                      err_closed, err_parse})
            line.append(1, ' ').append(std::to_string(v));
        line.append(1, '|').append(hist.serialize()).append(1, '\n');
        return line;
    }

    /// Writes status_line(kind) to `fd`; false when the parent is gone.
    bool send_line(int fd, char kind) const {
        const std::string line = status_line(kind);
        std::size_t off = 0;
        while (off < line.size()) {
            const ssize_t n = ::write(fd, line.data() + off, line.size() - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
};

}  // namespace sse::load
