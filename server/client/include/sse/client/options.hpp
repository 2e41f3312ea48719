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
#include "sse/parser_limits.hpp"
#include "sse/reconnect_policy.hpp"

namespace sse::client {

/// Request header fields, in order, as "name", "value" pairs.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// The head of the response that opened a stream. Header names are as the server wrote them.
struct response_head {
    int status = 0;
    std::string reason;
    header_list headers;

    /// The first value of header `name` (ASCII case-insensitive), or an empty view. The view lives
    /// as long as this object.
    std::string_view header(std::string_view name) const noexcept;
};

/// Settings of one client. Everything is copied when the client is created.
struct options {
    /// `http://host[:port][/path][?query]`. https:// is refused with errc::unsupported_scheme
    /// (reported through on_error, never thrown or crashed on).
    std::string url;
    /// "GET" (EventSource's method) or any other token, e.g. "POST" with `body`.
    std::string method = "GET";
    /// Extra request headers, sent on every attempt. The client itself sends Host, Accept:
    /// text/event-stream, Cache-Control: no-cache, Last-Event-ID (when it has one),
    /// Content-Length (when there is a body) and Connection: close; do not repeat those.
    header_list headers;
    /// The request body (sent with Content-Length on every attempt; dropped after a 303 or a
    /// 301/302 of a POST, which become GET as in fetch).
    std::string body;
    /// A position to resume from on the first request (as a saved Last-Event-ID). Empty: none,
    /// like a new EventSource. Must not contain NUL, CR or LF (else on_error + closed).
    std::string last_event_id;
    /// Reconnection behaviour; the default is exactly a browser's (3 s, no backoff, forever).
    reconnect_policy policy;
    /// Bounds on one event and one line; exceeding one fails the connection for good.
    parser_limits limits;
    /// Redirects followed within one attempt before errc::too_many_redirects (a network error:
    /// the reconnector decides whether to retry). 20 is fetch's limit.
    std::size_t max_redirects = 20;
    /// Largest response head accepted (status line and headers).
    std::uint32_t max_header_size = 64 * 1024;
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
    /// Something went wrong. `will_retry`: the client waits the reconnection time and
    /// reconnects; false: it is closed for good (on_closed follows). Codes: errc (this library),
    /// sse::errc (parser limits), or Asio / system codes (connection refused, reset, ...).
    std::function<void(std::error_code ec, bool will_retry)> on_error;
    /// The client reached readyState CLOSED for good (failure or close()). Called exactly once.
    std::function<void()> on_closed;
    /// Every body byte as received (after de-chunking), before parsing; for tools and debugging.
    /// The view lives during the call.
    std::function<void(std::string_view bytes)> on_bytes;
};

}  // namespace sse::client
