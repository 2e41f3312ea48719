// http_probe: one raw HTTP/1.1 connection that keeps every byte received and when it arrived.
//
// The conformance cases need what a normal client hides: the exact head bytes, the body as it
// came off the wire, and arrival times (to tell a flushed head from a buffered one). Blocking
// calls, each bounded by a deadline; one probe per connection, one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "url.hpp"

namespace sse::conformance {

/// A parsed response head.
struct response_head {
    int status = 0;
    std::string reason;
    std::string version;  ///< "HTTP/1.1"
    /// Header fields in order, names lower-cased, values trimmed.
    std::vector<std::pair<std::string, std::string>> fields;
    /// The head exactly as received, up to and including the blank line.
    std::string raw;

    /// The first field named `name` (lower case), or nullopt. Repeated fields: use all().
    std::optional<std::string> field(std::string_view name) const;
    std::vector<std::string> all(std::string_view name) const;
    bool is_chunked() const;
};

/// Body bytes that arrived in one read, and when (since the request was sent).
struct arrival {
    std::chrono::milliseconds at{0};
    std::size_t size = 0;
};

class http_probe {
public:
    using clock = std::chrono::steady_clock;

    /// `timeout` bounds connect, each write, and read_head().
    explicit http_probe(std::chrono::milliseconds timeout);
    ~http_probe();
    http_probe(const http_probe&) = delete;
    http_probe& operator=(const http_probe&) = delete;

    /// Connects to u.host:u.port (first address that answers). Error: resolve/connect failure
    /// or std::errc::timed_out.
    std::error_code connect(const url& u);

    /// Sends raw request bytes. Starts the clock for arrival times.
    std::error_code send(std::string_view bytes);

    /// A GET (or other method) request for `u` with `Host`, `Accept: text/event-stream`,
    /// `Connection: close` unless given, and `extra` header lines ("Name: value").
    static std::string request(std::string_view method, const url& u,
                               const std::vector<std::string>& extra = {},
                               std::string_view body = {});

    /// Reads until the head is complete (max 64 KiB). Error: the connection ended first
    /// (boost eof), std::errc::timed_out, or std::errc::bad_message for a malformed head.
    std::error_code read_head(response_head& head);

    /// How a body read ended.
    struct body_read {
        std::size_t bytes = 0;   ///< body bytes appended (de-chunked)
        bool eof = false;        ///< the body ended (connection closed, last chunk, or length)
        bool timed_out = false;  ///< nothing more arrived within `wait`
        std::error_code error;   ///< a transport error or a malformed chunked encoding
    };

    /// Appends whatever body bytes arrive within `wait` (at least one read's worth if any
    /// arrives), de-chunking `Transfer-Encoding: chunked`. Call read_head() first.
    body_read read_body(std::string& out, std::chrono::milliseconds wait);

    /// Every byte received on the connection (head and body, still chunk-encoded), bounded to the
    /// first `max_raw` bytes.
    const std::string& raw() const noexcept { return raw_; }
    /// Arrivals of body bytes.
    const std::vector<arrival>& arrivals() const noexcept { return arrivals_; }
    /// When the head was complete (since send), if it was.
    std::optional<std::chrono::milliseconds> head_at() const noexcept { return head_at_; }
    /// Time since send().
    std::chrono::milliseconds elapsed() const;

    /// Closes the connection now (RST-free: shutdown + close). Idempotent.
    void close();

    static constexpr std::size_t max_raw = 256 * 1024;

private:
    boost::system::error_code read_some_into(std::string& buf, std::chrono::milliseconds wait, bool& timed_out);
    std::error_code dechunk(std::string& out, std::size_t& appended, bool& done);

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    std::chrono::milliseconds timeout_;
    clock::time_point sent_;
    std::string raw_;
    std::string pending_;  // received body bytes not yet handed out (chunked: not yet decoded)
    std::optional<std::chrono::milliseconds> head_at_;
    std::vector<arrival> arrivals_;
    bool chunked_ = false;
    std::optional<std::size_t> remaining_;  // Content-Length bytes still to come
    std::size_t chunk_left_ = 0;            // chunked: data bytes left in the current chunk
    int chunk_state_ = 0;                   // 0 size line, 1 data, 2 CRLF after data, 3 trailers, 4 done
    bool eof_ = false;
};

}  // namespace sse::conformance
