// h2_session: the client side of one HTTP/2 connection, sans-I/O, on nghttp2 (framing, HPACK,
// flow control): bytes in through feed(), bytes out through output()/consume(), streams opened
// with submit() and heard through the same response_parser::handler an HTTP/1.1 response uses, so
// sse::client, sse-conformance's probe and sse-load treat both protocols alike above the bytes.
//
// The caller owns the I/O (a net::stream, plain for h2c prior knowledge, or TLS after ALPN chose
// "h2"): it writes output() whenever it is non-empty, feeds whatever it reads, and calls finish()
// when the connection ends. Nothing here reads a socket or a clock. Frames are made as soon as
// they are due (inside feed(), submit(), reset(), shutdown()) and kept until written, so output()
// and consume() never call a handler.
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
// Handlers are called from inside feed(), reset() and finish() (and, only when a stream's end was
// already decided by frames nghttp2 still had to send, from submit() or shutdown()); a handler may
// call reset() or submit() from inside its callbacks. The head given to on_head() is the
// handler's for the call, whatever it does to the stream meanwhile (reset() included). A stream
// can end inside submit() itself (its on_close() then runs before submit() returns the id): check
// the handler after submit().
//
// Lifetime and threading: not copyable or movable; handlers given to submit() must outlive their
// stream (until on_close() is called, or this object is destroyed: destruction calls no handler).
// One thread at a time.
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

    /// Who ended a stream (given to stream_handler::on_close()).
    enum class closed_by {
        /// The server: END_STREAM (error code 0), its RST_STREAM, or its GOAWAY refusing the
        /// stream (REFUSED_STREAM, or the GOAWAY's error code when it has one).
        peer,
        /// This side: reset(), on_body() returning false (CANCEL), or nghttp2 resetting a response
        /// it found malformed (PROTOCOL_ERROR, RFC 9113 8.1.1 and 8.2.2: a connection-specific
        /// field such as Connection or Transfer-Encoding, a bad pseudo-header, a Content-Length
        /// the DATA frames contradict...). last_error() says which stream was malformed.
        local,
        /// The connection failed or ended with the stream open: a connection error (feed()'s
        /// error, INTERNAL_ERROR), or finish() (INTERNAL_ERROR, or the error code of a GOAWAY the
        /// server sent before the connection ended; last_error() has its words).
        connection,
    };

    /// What a stream reports beyond the head and body.
    class stream_handler : public response_parser::handler {
    public:
        /// The stream ended: `error_code` is 0 after END_STREAM (a complete response), else the
        /// HTTP/2 error code of the RST_STREAM or GOAWAY that ended it (RFC 9113 7: a stream the
        /// server's GOAWAY left unprocessed has REFUSED_STREAM (7) unless the GOAWAY carried an
        /// error; a response nghttp2 found malformed has PROTOCOL_ERROR (1); CANCEL (8) after
        /// on_body() returned false or reset()), or NGHTTP2_INTERNAL_ERROR (2) when the
        /// connection failed or ended (feed() error, finish()). `by` says who ended it
        /// (nghttp2_http2_strerror() names the code). Called once; the handler may be destroyed
        /// afterwards.
        virtual void on_close(std::uint32_t error_code, closed_by by) = 0;
    };

    /// submit()'s result when open_streams() has reached max_concurrent_streams() (not an
    /// nghttp2 code: nghttp2 would queue the request until a stream closes, which for an event
    /// stream may be never).
    static constexpr std::int32_t too_many_streams = -1;

    explicit h2_session(options o);
    h2_session();
    ~h2_session();
    h2_session(const h2_session&) = delete;
    h2_session& operator=(const h2_session&) = delete;

    /// Opens a stream: `method` to `u` (:scheme, :authority and :path from the URL) with
    /// `headers` (names are sent lower-cased; Host becomes :authority; connection-specific fields,
    /// and those the Connection header nominates, are dropped) and `body` (copied; sent as DATA
    /// with END_STREAM, none for an empty body).
    /// Returns the stream id (> 0), too_many_streams (the server's SETTINGS_MAX_CONCURRENT_STREAMS
    /// reached), or a negative nghttp2 error code (NGHTTP2_ERR_START_STREAM_NOT_ALLOWED after a
    /// GOAWAY or finish(), NGHTTP2_ERR_INVALID_STATE after a connection error, ...); last_error()
    /// says why. Before the server's SETTINGS arrive the limit is the 100 assumed until then (see
    /// has_remote_settings()).
    std::int32_t submit(std::string_view method, const url& u, const header_list& headers,
                        std::string_view body, stream_handler& handler);

    /// Resets stream `id` (RST_STREAM with `error_code`, CANCEL by default). The handler's
    /// on_close() is called with it before this returns. Does nothing for a closed stream.
    void reset(std::int32_t id, std::uint32_t error_code = 0x8);

    /// Parses `bytes` from the server (any split). Returns the first connection error, sticky:
    /// errc::h2_protocol with the detail in last_error() (malformed framing or HPACK, a flow
    /// control violation, ...: the GOAWAY that says so is in output(), and every open stream has
    /// been closed). Stream handlers are called from inside.
    std::error_code feed(std::string_view bytes);

    /// The connection ended (end of file or a read/write error): every open stream closes with
    /// NGHTTP2_INTERNAL_ERROR (or the error code of a GOAWAY received), and no stream can be
    /// opened any more.
    void finish();

    /// Bytes to send now (the connection preface and SETTINGS first, then frames): valid until the
    /// next call of any member. Empty when nothing is due. After a connection error it still
    /// holds what was made before (the GOAWAY that reports the error, when nghttp2 made one):
    /// write it, then close the connection.
    std::string_view output();
    /// `n` bytes of output() were written.
    void consume(std::size_t n);

    /// Whether the connection can still carry streams (no GOAWAY received or sent, no error).
    bool is_open() const noexcept;
    /// Streams opened and not yet closed.
    std::size_t open_streams() const noexcept;
    /// The server's SETTINGS_MAX_CONCURRENT_STREAMS; 100 (nghttp2's assumption, RFC 9113 6.5.2's
    /// recommended minimum) until its SETTINGS arrive.
    std::uint32_t max_concurrent_streams() const noexcept;
    /// Whether the server's first SETTINGS frame has arrived (so max_concurrent_streams() is the
    /// server's and not the default): a caller opening many streams waits for it.
    bool has_remote_settings() const noexcept;
    /// The name of HTTP/2 error code `code` (RFC 9113 7: "PROTOCOL_ERROR", "CANCEL", ...;
    /// "unknown" for others), as nghttp2_http2_strerror() gives it.
    static std::string_view error_name(std::uint32_t code) noexcept;
    /// HTTP/2 error codes the callers test for (RFC 9113 7).
    static constexpr std::uint32_t no_error = 0x0, protocol_error = 0x1, internal_error = 0x2, cancel = 0x8;

    /// nghttp2's words for the last error (empty when none).
    std::string_view last_error() const noexcept;

    /// Sends GOAWAY (NO_ERROR) after which no stream is opened; output() carries it. Open streams
    /// carry on until they end.
    void shutdown();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sse::net
