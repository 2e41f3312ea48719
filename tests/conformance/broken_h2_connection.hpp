// broken_h2_connection: the HTTP/2 side of broken_server, an nghttp2 server session over one
// accepted connection (h2c prior knowledge, or TLS after ALPN chose h2).
//
// broken_server's routes write HTTP/1.1 response bytes from a thread of their own; here each
// request stream gets such a thread (the `responder`), and the bytes it writes are turned into
// HTTP/2: the status line and header fields into HEADERS (connection-specific fields dropped,
// unless the connection_header flaw asks for `connection: keep-alive`), the rest into DATA. So
// every route and most flaws apply over HTTP/2 unchanged. The session lives on the serving
// thread's own io_context; responder threads hand it bytes by posting to it.
//
// Lifetime: serve() returns when the client closes, the session has nothing more to do, or
// `stopping` is set (polled every 100 ms); it joins every responder thread first.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

namespace sse::test {

/// A request as HTTP/2 delivered it: pseudo-headers resolved, other field names lower-case.
struct h2_request {
    std::string method, target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// The first value of field `name` (lower-case), or empty.
    std::string field(std::string_view name) const;
};

/// The HTTP/2-only flaws, and the stream limit.
struct h2_behaviour {
    std::uint32_t max_concurrent_streams = 100;  ///< SETTINGS_MAX_CONCURRENT_STREAMS
    bool connection_header = false;              ///< send `connection: keep-alive` on every response
    bool reset_disturbs_others = false;          ///< a client RST_STREAM resets every stream
};

/// Writes HTTP/1.1 response bytes for the stream; false once the stream is gone (reset, closed).
using h2_writer = std::function<bool(std::string_view)>;
/// Answers one request on its own thread; returns when the response is complete.
using h2_responder = std::function<void(const h2_request&, const h2_writer&)>;

/// Serves HTTP/2 on `socket` (with `tls` over it when not null, the handshake done) until the
/// connection ends or `stopping`. The socket must belong to an io_context that only this call runs.
void serve_h2(boost::asio::ip::tcp::socket& socket, boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>* tls,
              const h2_behaviour& behaviour, const h2_responder& responder, const std::atomic<bool>& stopping);

}  // namespace sse::test
