// What an sse::client::client connects to, and the callbacks it reports through.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sse/event.hpp"
#include "sse/net/header.hpp"
#include "sse/net/response_parser.hpp"
#include "sse/net/tls.hpp"
#include "sse/parser_limits.hpp"
#include "sse/reconnect_policy.hpp"

namespace sse::client {

/// Request header fields, in order, as "name", "value" pairs.
using header_list = sse::net::header_list;

/// The head of the response that opened a stream (status, reason, headers as the server wrote
/// them; header(name) looks one up case-insensitively).
using response_head = sse::net::response_head;

/// What the client does with a 301, 302, 303, 307 or 308 answer.
enum class redirect_mode {
    follow,  ///< follow up to options::max_redirects (fetch's rules for method and body)
    refuse,  ///< do not follow: fail for good with errc::redirect_refused (on_redirect says where)
};

/// Which HTTP version the client speaks.
enum class http_version {
    /// https://: ALPN offers "h2" and "http/1.1" and the server chooses; http://: HTTP/1.1.
    automatic,
    /// HTTP/1.1 only (no ALPN is sent).
    http1_1,
    /// HTTP/2 over TLS, chosen by ALPN: a server that does not select "h2" (it chooses
    /// "http/1.1", nothing, or refuses the handshake for want of a common protocol) fails the
    /// client for good with sse::net::errc::h2_not_negotiated, as does an http:// URL, at once
    /// in start() (HTTP/2 without TLS is h2c; client::error_detail() says so).
    http2,
    /// HTTP/2 with prior knowledge on http:// (h2c, RFC 9113 3.3: the connection preface is sent
    /// at once, no Upgrade); on https:// the same as http2.
    h2c,
};

/// Settings of one client. Everything is copied when the client is created.
struct options {
    /// `http://` or `https://host[:port][/path][?query]`. A malformed URL or another scheme is
    /// reported through on_error (sse::net::errc), never thrown or crashed on.
    std::string url;
    /// How https:// servers are checked: verified against the system's trust store by default;
    /// `tls.ca_file` for a private CA, `tls.verify = false` to skip verification (testing only).
    /// `tls.alpn` is set from `http` when left empty.
    sse::net::tls_options tls;
    /// HTTP/1.1 or HTTP/2 (one stream on its own connection per attempt either way; over HTTP/2
    /// the request has no Connection header and the response no chunked framing, and a stream
    /// the server resets is a network error, errc::stream_reset).
    http_version http = http_version::automatic;
    /// "GET" (EventSource's method) or any other token, e.g. "POST" with `body`.
    std::string method = "GET";
    /// Extra request headers, sent on every attempt. The client itself sends Host, Accept:
    /// text/event-stream, Cache-Control: no-cache, Last-Event-ID (when it has one), and over
    /// HTTP/1.1 Content-Length (when there is a body) and Connection: close; do not repeat those.
    /// Over HTTP/2 the body's DATA frames carry its length (no Content-Length is sent), Host
    /// becomes :authority, and connection-specific fields (and those Connection nominates) are
    /// dropped.
    header_list headers;
    /// The request body (sent with Content-Length on every attempt; dropped after a 303 or a
    /// 301/302 of a POST, which become GET as in fetch).
    std::string body;
    /// Cookies sent as a `Cookie` header on every attempt, e.g. "session=abc; theme=dark" (no
    /// cookie jar: Set-Cookie answers are not stored). Must not contain CR, LF or NUL.
    std::string cookie;
    /// A position to resume from on the first request (as a saved Last-Event-ID). Empty: none,
    /// like a new EventSource. Must not contain NUL, CR or LF (else on_error + closed).
    std::string last_event_id;
    /// Reconnection behaviour; the default is exactly a browser's (3 s, no backoff, forever).
    reconnect_policy policy;
    /// Bounds on one event and one line; exceeding one fails the connection for good.
    parser_limits limits;
    /// Whether 3xx answers are followed. A redirect that leaves the origin (scheme, host or port)
    /// drops Authorization, Proxy-Authorization and Cookie (headers and `cookie`), as fetch and
    /// curl do; one that changes the method to GET also drops the body and its Content-* headers.
    redirect_mode redirects = redirect_mode::follow;
    /// Redirects followed within one attempt before errc::too_many_redirects (a network error:
    /// the reconnector decides whether to retry). 20 is fetch's limit.
    std::size_t max_redirects = 20;
    /// Largest response head accepted (status line and headers).
    std::uint32_t max_header_size = 64 * 1024;
    /// TCP connect (to the first address that answers) plus the TLS handshake must complete
    /// within this (sse::net::errc::connect_timeout, a network error: then retry). Zero: no limit
    /// of its own (response_timeout still applies).
    std::chrono::milliseconds connect_timeout{10000};
    /// Connect + send + response head must complete within this (errc::timeout, then retry).
    /// Zero: no limit.
    std::chrono::milliseconds response_timeout{30000};
    /// Bytes read from the socket at a time.
    std::size_t read_buffer_size = 16 * 1024;
};

/// What the client reports. Every callback runs on the client's strand, one at a time, never
/// from inside close() or start() directly. Any may be empty. They may call close() (and
/// nothing blocks); they must not destroy the last shared_ptr to the client from inside a callback
/// only if they also expect later callbacks (the client keeps itself alive while work is pending).
struct callbacks {
    /// Called before each attempt (first connect, every reconnect, not each redirect) with the
    /// headers about to be sent beyond the client's own; edit them, e.g. to refresh a token.
    std::function<void(header_list& headers)> on_before_request;
    /// The stream opened (200 + text/event-stream). `head` lives during the call.
    std::function<void(const response_head& head)> on_open;
    /// An event was dispatched. `e`'s views live during the call only: copy what you keep.
    std::function<void(const sse::event& e)> on_event;
    /// A comment line (heartbeat); the text after ':' as received, valid during the call.
    std::function<void(std::string_view text)> on_comment;
    /// The stream set a new reconnection time with `retry:` (milliseconds).
    std::function<void(std::uint64_t milliseconds)> on_retry;
    /// A 3xx answer arrived: `followed` says whether the client follows it (it does not with
    /// redirect_mode::refuse or past max_redirects). `location` is the Location header as sent.
    std::function<void(int status, std::string_view location, bool followed)> on_redirect;
    /// Something went wrong. `will_retry`: the client waits the reconnection time and
    /// reconnects; false: it is closed for good (on_closed follows). Codes: errc (this library),
    /// sse::net::errc (URL, connect timeout, TLS: one code per cause, e.g. tls_unknown_ca),
    /// sse::errc (parser limits), beast.http (a malformed response), or Asio / system codes
    /// (connection refused, reset, ...). TLS failures are network errors, retried like a
    /// browser's EventSource does; bound them with policy.max_attempts.
    std::function<void(std::error_code ec, bool will_retry)> on_error;
    /// The client reached readyState CLOSED for good (failure or close()). Called exactly once.
    std::function<void()> on_closed;
    /// Every body byte as received (after de-chunking, after TLS), before parsing; for tools and debugging.
    /// The view lives during the call.
    std::function<void(std::string_view bytes)> on_bytes;
};

}  // namespace sse::client
