// http_probe: one connection, plain or TLS, HTTP/1.1 or HTTP/2, that keeps every byte received and
// when it arrived.
//
// The conformance cases need what a normal client hides: the exact head bytes, the body as it
// came off the wire, and arrival times (to tell a flushed head from a buffered one). The bytes go
// through sse::net (the stream, Beast's parser or the h2_session, shared with sse::client and
// sse-load); the probe only keeps copies and clocks. Blocking calls, each bounded by a deadline;
// one probe per connection, one thread.
//
// Over HTTP/2 (ALPN chose h2, or h2c prior knowledge) send() reads the HTTP/1.1 request bytes it is
// given back into a method, target, header fields and body and submits them as one stream on an
// h2_session over the same net::stream, whose head and body reach the same handler: the cases
// above do not know the difference. raw() then holds the head as h2_session renders it ("HTTP/2
// 200", then the fields) and the DATA payloads, since HTTP/2 has no head bytes to keep. The
// session is lenient (h2_session::options::lenient_messaging): a connection-specific field is
// reported, not reset, so a case can grade it (RFC 9113 8.2.2). Cases that need several streams
// on one connection use h2() with pump() and flush().
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

#include "sse/conformance/context.hpp"
#include "sse/net/h2_session.hpp"
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
    /// What to offer or assume (ALPN for https://, prior knowledge with h2c).
    http_protocol protocol = http_protocol::automatic;
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
    /// Why connect() returned std::errc::protocol_not_supported: --http2 and the server did not
    /// select h2 by ALPN, no HTTP/2 SETTINGS in answer to the connection preface (a server that
    /// does not speak h2c or h2; connect() waits for them within the connect timeout), or --h2c on an https:// URL (one line).
    const std::string& protocol_error() const noexcept { return protocol_error_; }

    /// After connect(): whether the connection speaks HTTP/2.
    bool is_h2() const noexcept { return h2_ != nullptr; }
    /// After connect(): the ALPN protocol the server selected ("h2", "http/1.1"), "h2c" for prior
    /// knowledge, empty when none was negotiated (HTTP/1.1 by default).
    const std::string& negotiated() const noexcept { return negotiated_; }
    /// The HTTP/2 session (null over HTTP/1.1): a case may submit more streams on it, with its own
    /// handlers, then flush() and pump(). The probe's own stream is the first one send() opened.
    net::h2_session* h2() noexcept { return h2_.get(); }
    /// HTTP/2: submits request bytes (as serialize() makes them, read back as send() does) as one
    /// more stream on this connection, heard by `stream` (which must outlive the stream or the
    /// probe), and flushes. Returns the stream id, or <= 0: not HTTP/2, not a request, or the
    /// session refused the stream (an nghttp2 error code).
    std::int32_t submit(std::string_view bytes, net::h2_session::stream_handler& stream);
    /// HTTP/2: writes whatever the session has to send, within the first-byte timeout. Nothing
    /// over HTTP/1.1. Errors: the write's, or std::errc::timed_out.
    std::error_code flush();
    /// Reads once (at most `wait`) and feeds what came; over HTTP/2 then flushes the session's
    /// answer (acks, window updates). False when nothing arrived in time. `error`: a transport error,
    /// or end of file (boost::asio::error::eof) when the connection had already ended: nothing more
    /// can arrive, so a caller waiting for more stops instead of spinning.
    bool pump(std::chrono::milliseconds wait, std::error_code& error);
    /// HTTP/2: how the probe's stream ended (0 after END_STREAM, else the RST_STREAM or GOAWAY
    /// code); empty while it is open, and over HTTP/1.1.
    std::optional<std::uint32_t> h2_close_code() const noexcept { return h2_close_; }

    /// The bytes of `r` for `u` (sse::net::serialize_request), with the probe's defaults for what
    /// `r` does not set: `Accept: text/event-stream` (unless r.default_accept is false),
    /// `User-Agent: sse-conformance`,
    /// `Connection: close`, and `r.method`'s Content-Length.
    static std::string serialize(const net::url& u, const http_request& r);

    /// Sends raw request bytes. Starts the clock for arrival times; a HEAD request expects no body.
    /// Over HTTP/2 the bytes are read back into a request and submitted as a stream (the request
    /// line's version, Host and connection-specific fields do not travel: h2_session drops them);
    /// errors: std::errc::invalid_argument for bytes that are not a request, std::errc::protocol_error
    /// when the session refuses the stream.
    std::error_code send(std::string_view bytes, bool head_request = false);

    /// Reads until the head is complete (at most 64 KiB), within the first-byte timeout from
    /// send(). Errors: the connection ended first (eof / beast partial_message), std::errc::timed_out,
    /// Beast's code for a malformed head, or over HTTP/2 net::errc::h2_stream_reset (the server's
    /// RST_STREAM or GOAWAY ended the stream: raw() ends with a marker such as
    /// "[RST_STREAM CANCEL]" or "[GOAWAY PROTOCOL_ERROR: ...]") or net::errc::h2_protocol.
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
    /// bounded to the first `max_raw` bytes. Over HTTP/2: the rendered head and the DATA payloads
    /// of the probe's stream.
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
    struct h2_stream;
    void on_head(response_head& head) override;
    bool on_body(std::string_view bytes) override;
    // Reads once (at most `wait`) and feeds the parser. False when nothing arrived in time.
    bool read_once(std::chrono::milliseconds wait, std::error_code& error);
    bool run_until(const bool& done, std::chrono::milliseconds wait);
    std::error_code write_all(std::string_view bytes);
    std::error_code send_h2(std::string_view bytes);

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
    bool eof_ = false;            // the response (or, before send(), the connection) ended
    bool transport_eof_ = false;  // the connection ended: reading again would return at once
    std::error_code body_error_;
    net::url url_;  // where connect() went: the scheme and authority of HTTP/2 requests
    std::string negotiated_;
    std::string protocol_error_;
    std::unique_ptr<h2_stream> h2_handler_;  // declared before h2_: destroyed after the session
    std::unique_ptr<net::h2_session> h2_;
    std::optional<std::uint32_t> h2_close_;
    std::size_t h2_body_bytes_ = 0;  // body bytes the probe's stream delivered in the current read
};

}  // namespace sse::conformance
