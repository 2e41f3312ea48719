// sse::client::client: an EventSource for C++ programs, on Boost.Asio + Beast.
//
// It owns the socket, the timers and the HTTP exchange; the protocol decisions are proto's:
// sse::parser interprets the body, sse::reconnector decides when to connect, open, wait and fail
// (WHATWG HTML 9.2), and the client only carries out its actions with Asio. So it reconnects like
// a browser: after an EOF or a network error it waits the reconnection time (3 s, or the stream's
// `retry:`, plus the policy's optional backoff and jitter) and sends `Last-Event-ID`; a status
// other than 200 (204 included) or a wrong Content-Type ends it for good.
//
// HTTP: HTTP/1.1 or HTTP/2 over plain TCP (http://) or TLS 1.2+ (https://, verified against the
// system's trust store or options::tls.ca_file), one request per connection. Over https:// ALPN
// offers h2 and http/1.1 and the server chooses (options::http forces one, or h2c with prior
// knowledge on http://). HTTP/1.1: Connection: close, chunked, Content-Length and close-delimited
// bodies read incrementally (sse::net::response_parser, on Beast's parser). HTTP/2: one stream
// (sse::net::h2_session, on nghttp2); END_STREAM is the end of the stream, the server's
// RST_STREAM or GOAWAY a network error (errc::stream_reset), a response nghttp2 finds malformed
// errc::malformed_response, and a connection that ends before END_STREAM a network error (eof);
// error_detail() has the words. Either way redirects 301, 302, 303, 307 and 308 are followed up to
// options::max_redirects (or refused, options::redirects), and reconnection, Last-Event-ID and the
// timeouts are the same. The transport is sse::net's, shared with sse-conformance and sse-load.
//
// Threading: every handler and every callback runs on one strand of the executor given to
// create(); start() and close() may be called from any thread (they post to the strand). The io
// context may run on several threads.
//
// Lifetime: create() returns a shared_ptr; the state that pending operations use is shared with
// them, so it outlives the handle until the last handler has run. To stop, call close(): the
// socket and the timers are cancelled, in-flight operations complete with operation_aborted and
// do nothing more, and on_closed runs once. Dropping the last shared_ptr closes the client
// silently (no callback runs after the destructor starts), so callbacks may capture objects that
// die with the handle. A callback already running on an I/O thread when the destructor starts on
// another thread still finishes: destroy the handle on the strand's thread (or after the
// io_context stopped) if the callback's objects die right after. The executor's io_context must
// outlive the client.
//
//     auto c = sse::client::client::create(io.get_executor(), {.url = "http://127.0.0.1:8080/events?topic=a"},
//         {.on_event = [](const sse::event& e) { std::cout << e.data << '\n'; }});
//     c->start();
//     io.run();
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "sse/client/error.hpp"
#include "sse/client/options.hpp"
#include "sse/reconnector.hpp"

namespace sse::client {

class client {
public:
    /// A client that will connect to `opts.url` when start() is called. Nothing happens yet; an
    /// invalid URL is reported by start() through on_error(.., false) then on_closed.
    static std::shared_ptr<client> create(boost::asio::any_io_executor executor, options opts,
                                          callbacks cbs);

    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client();

    /// Begins the first connection (posted to the strand; returns at once). Calling it again, or
    /// after close(), does nothing.
    void start();

    /// EventSource.close(): stops for good from any thread. In-flight operations complete with
    /// operation_aborted; on_closed runs once (unless the client already closed by itself).
    /// No error callback. Idempotent.
    void close();

    /// readyState as last seen on the strand (connecting, open, closed). Safe from any thread;
    /// only a snapshot.
    sse::ready_state state() const noexcept;

    /// The last event ID string as of the last dispatch (copied under a lock; safe from any
    /// thread).
    std::string last_event_id() const;

    /// Words beyond the error code for the error last given to on_error, empty when it has none:
    /// over HTTP/2, the session's detail (nghttp2's words for a protocol error, the GOAWAY's
    /// error name and debug data, which stream was malformed). Set before on_error is called, so
    /// on_error may read it (safe from any thread; copied under a lock).
    std::string error_detail() const;

    struct impl;

private:
    explicit client(std::shared_ptr<impl> p);
    std::shared_ptr<impl> impl_;
};

}  // namespace sse::client
