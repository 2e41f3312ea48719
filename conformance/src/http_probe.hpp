// http_probe: one HTTP/1.1 connection, plain or TLS, that keeps every byte received and when it
// arrived.
//
// The conformance cases need what a normal client hides: the exact head bytes, the body as it
// came off the wire, and arrival times (to tell a flushed head from a buffered one). The bytes go
// through sse::net (the stream and Beast's parser, shared with sse::client and sse-load); the probe
// only keeps copies and clocks. Blocking calls, each bounded by a deadline; one probe per
// connection, one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sse/net/header.hpp"
#include "sse/net/response_parser.hpp"
#include "sse/net/stream.hpp"
#include "sse/net/tls.hpp"
#include "sse/net/url.hpp"

namespace sse::conformance {

using net::response_head;

/// How probes connect: the TLS context for https:// (null: one that verifies against the system
/// store is made when needed) and the two transport timeouts.
struct probe_settings {
    std::shared_ptr<net::tls_context> tls;
    bool verify = true;  ///< whether `tls` verifies (for reports)
    std::chrono::milliseconds connect_timeout{5000};     ///< TCP connect + TLS handshake
    std::chrono::milliseconds first_byte_timeout{5000};  ///< request sent -> complete head
};

/// One request: the method, the headers after Host (in order), the body.
struct http_request {
    std::string method = "GET";
    net::header_list headers;
    std::string body;
    bool default_accept = true;  ///< false: no Accept header unless `headers` has one
    bool http10 = false;         ///< the request line says HTTP/1.0 (no chunked body in the answer)
};

/// Body bytes that arrived in one read, and when (since the request was sent).
struct arrival {
    std::chrono::milliseconds at{0};
    std::size_t size = 0;
};

class http_probe final : private net::response_parser::handler {
public:
    using clock = std::chrono::steady_clock;

    explicit http_probe(const probe_settings& settings);
    ~http_probe() override;
    http_probe(const http_probe&) = delete;
    http_probe& operator=(const http_probe&) = delete;

    /// Connects to u.host:u.port (the first address that answers) and, for https://, does the TLS
    /// handshake, within the connect timeout. Errors: resolve/connect failures,
    /// net::errc::connect_timeout, a classified TLS failure (tls_failure() has the detail).
    std::error_code connect(const net::url& u);
    /// Why the TLS handshake failed, when connect() returned a TLS error.
    const net::tls_failure& tls_failure() const noexcept { return stream_->tls_failure(); }

    /// The bytes of `r` for `u` (sse::net::serialize_request), with the probe's defaults for what
    /// `r` does not set: `Accept: text/event-stream` (unless r.default_accept is false),
    /// `User-Agent: sse-conformance`,
    /// `Connection: close`, and `r.method`'s Content-Length.
    static std::string serialize(const net::url& u, const http_request& r);

    /// Sends raw request bytes. Starts the clock for arrival times; a HEAD request expects no body.
    std::error_code send(std::string_view bytes, bool head_request = false);

    /// Reads until the head is complete (at most 64 KiB), within the first-byte timeout from
    /// send(). Errors: the connection ended first (eof / beast partial_message), std::errc::timed_out,
    /// or Beast's code for a malformed head.
    std::error_code read_head(response_head& head);

    /// How a body read ended.
    struct body_read {
        std::size_t bytes = 0;   ///< body bytes appended (de-chunked)
        bool eof = false;        ///< the body ended (connection closed, last chunk, or length)
        bool timed_out = false;  ///< nothing more arrived within `wait`
        std::error_code error;   ///< a transport error or a malformed chunked encoding
    };

    /// Appends whatever body bytes arrive within `wait` (at least one read's worth if any
    /// arrives), de-chunked. Call read_head() first.
    body_read read_body(std::string& out, std::chrono::milliseconds wait);

    /// Every byte received on the connection (head and body, still chunk-encoded, after TLS),
    /// bounded to the first `max_raw` bytes.
    const std::string& raw() const noexcept { return raw_; }
    /// Arrivals of body bytes.
    const std::vector<arrival>& arrivals() const noexcept { return arrivals_; }
    /// When the head was complete (since send), if it was.
    std::optional<std::chrono::milliseconds> head_at() const noexcept { return head_at_; }
    /// Time since send().
    std::chrono::milliseconds elapsed() const;

    /// Closes the connection now. Idempotent.
    void close();

    static constexpr std::size_t max_raw = 256 * 1024;

private:
    void on_head(response_head& head) override;
    bool on_body(std::string_view bytes) override;
    // Reads once (at most `wait`) and feeds the parser. False when nothing arrived in time.
    bool read_once(std::chrono::milliseconds wait, std::error_code& error);
    bool run_until(const bool& done, std::chrono::milliseconds wait);

    probe_settings settings_;
    boost::asio::io_context ioc_;
    std::unique_ptr<net::stream> stream_;
    net::response_parser parser_;
    clock::time_point sent_;
    std::string raw_;
    std::string body_;  // de-chunked body bytes not yet handed out by read_body()
    std::optional<response_head> head_;
    std::optional<std::chrono::milliseconds> head_at_;
    std::vector<arrival> arrivals_;
    bool eof_ = false;
    std::error_code body_error_;
};

}  // namespace sse::conformance
