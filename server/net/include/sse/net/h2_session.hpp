// h2_session: the client side of one HTTP/2 connection, sans-I/O, on nghttp2 (framing, HPACK,
// flow control): bytes in through feed(), bytes out through output()/consume(), streams opened
// with submit() and heard through the same response_parser::handler an HTTP/1.1 response uses, so
// sse::client, sse-conformance's probe and sse-load treat both protocols alike above the bytes.
//
// The caller owns the I/O (a net::stream, plain for h2c prior knowledge, or TLS after ALPN chose
// "h2"): it writes output() whenever it is non-empty and feeds whatever it reads. Nothing here reads
// a socket or a clock.
//
// A response head is reported as an HTTP/1.x one would be: response_head::version is 20, reason
// is empty, headers are the response's header fields in order (pseudo-headers excluded), and raw
// is a readable rendering ("HTTP/2 200\r\n" then "name: value\r\n" per field, then "\r\n"), since
// HTTP/2 has no head bytes of its own to keep. chunked is false; content_length is the
// content-length field when present. Body bytes are the DATA frames' payloads in order.
//
// Received header fields are checked by nghttp2's HTTP messaging rules unless
// options::lenient_messaging is set: with it, fields HTTP/2 forbids (Connection, Keep-Alive,
// Transfer-Encoding...) reach the handler instead of resetting the stream, so a conformance tool
// can report them (RFC 9113 8.2.2) rather than just fail.
//
// Lifetime and threading: not copyable or movable; handlers given to submit() must outlive their
// stream (until on_close() is called, or this object is destroyed). One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

#include "sse/net/header.hpp"
#include "sse/net/response_parser.hpp"
#include "sse/net/url.hpp"

namespace sse::net {

class h2_session {
public:
    struct options {
        /// The connection's and every stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE and
        /// the connection window), in bytes. Consumed bytes are acknowledged (WINDOW_UPDATE) as
        /// the handler returns from on_body().
        std::uint32_t window = 1u << 20;
        /// Deliver connection-specific and otherwise malformed header fields instead of resetting
        /// the stream (nghttp2_option_set_no_http_messaging). For a conformance probe only.
        bool lenient_messaging = false;
    };

    /// What a stream reports beyond the head and body.
    class stream_handler : public response_parser::handler {
    public:
        /// The stream ended: `error_code` is 0 after END_STREAM (a complete response), else the
        /// HTTP/2 error code of the RST_STREAM or GOAWAY that ended it (RFC 9113 7), or
        /// NGHTTP2_INTERNAL_ERROR when the connection failed. Called once; the handler may be
        /// destroyed afterwards.
        virtual void on_close(std::uint32_t error_code) = 0;
    };

    explicit h2_session(options o);
    h2_session();
    ~h2_session();
    h2_session(const h2_session&) = delete;
    h2_session& operator=(const h2_session&) = delete;

    /// Opens a stream: `method` to `u` (:scheme, :authority and :path from the URL) with
    /// `headers` (names are sent lower-cased; Host becomes :authority; connection-specific fields
    /// are dropped) and `body` (copied; sent as DATA with END_STREAM, none for an empty body).
    /// Returns the stream id (> 0), or a negative nghttp2 error code (e.g. too many streams: the
    /// server's SETTINGS_MAX_CONCURRENT_STREAMS reached).
    std::int32_t submit(std::string_view method, const url& u, const header_list& headers,
                        std::string_view body, stream_handler& handler);

    /// Resets stream `id` (RST_STREAM with `error_code`, CANCEL by default). The handler's
    /// on_close() is called with it.
    void reset(std::int32_t id, std::uint32_t error_code = 0x8);

    /// Parses `bytes` from the server (any split). Returns the first connection error, sticky (an
    /// nghttp2 error, as errc::h2_protocol with the detail in last_error()). Stream handlers are
    /// called from inside.
    std::error_code feed(std::string_view bytes);

    /// Bytes to send now (the connection preface and SETTINGS first, then frames): valid until the
    /// next call of any member. Empty when nothing is due.
    std::string_view output();
    /// `n` bytes of output() were written.
    void consume(std::size_t n);

    /// Whether the connection can still carry streams (no GOAWAY received or sent, no error).
    bool is_open() const noexcept;
    /// Streams opened and not yet closed.
    std::size_t open_streams() const noexcept;
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS (unlimited until its SETTINGS arrive).
    std::uint32_t max_concurrent_streams() const noexcept;
    /// nghttp2's words for the last error (empty when none).
    std::string_view last_error() const noexcept;

    /// Sends GOAWAY (NO_ERROR) after which no stream is opened; output() carries it.
    void shutdown();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sse::net
