// h2_connection: one accepted connection that speaks HTTP/2 (ALPN h2 over TLS, or h2c by prior
// knowledge), as an nghttp2 server session.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"
#include "connection.hpp"
#include "connection_slot.hpp"
#include "context.hpp"
#include "router.hpp"

struct nghttp2_session;

namespace sse::server::detail {

class h2_stream;

/// The server side of HTTP/2 on one connection. nghttp2 does the framing, HPACK, flow control and
/// stream states; this class moves bytes: what the connection reads goes to
/// nghttp2_session_mem_recv, what nghttp2_session_mem_send produces is written to the connection,
/// all on the connection's I/O thread. At most `out_limit` bytes wait for the socket: beyond that
/// nghttp2 is not asked for more, so a slow socket leaves the streams' writes pending (back-pressure
/// reaches each stream_session as it does on HTTP/1.1).
///
/// Each request (an h2_stream) goes to the same router as HTTP/1.1: plain replies become HEADERS
/// (+ DATA), deferred replies (a publish through Redis) too when they arrive, GET /events becomes a
/// stream_session and a conformance stream a scripted_session, each with the h2_stream as its
/// stream_sink. Response heads lose every connection-specific field (RFC 9113 8.2.2).
///
/// SETTINGS_MAX_CONCURRENT_STREAMS is config::h2_max_streams, SETTINGS_MAX_HEADER_LIST_SIZE
/// config::max_header_size. A request not complete within config::request_timeout of its HEADERS
/// is answered 408; an answer sent before the request ended (413, 431, 408) is followed by
/// RST_STREAM NO_ERROR, so the peer stops sending (RFC 9113 8.1). A plain reply that makes no
/// progress for config::write_timeout resets its stream; one that would take the reply bytes the
/// connection holds over reply_limit, while others are held, is answered 503. With no stream open for
/// config::request_timeout, the connection sends GOAWAY and closes (the HTTP/1.1 keep-alive idle
/// limit); a socket write that makes no progress for config::write_timeout closes it. Shutdown
/// (close()) sends GOAWAY: open streams end as the server ends them (goodbye comment, END_STREAM),
/// then the connection closes. When the connection ends, every stream still open hears
/// on_peer_gone().
///
/// Lifetime: owned through std::shared_ptr by its pending operations (the read is always pending
/// until the end); the context's registry and the streams hold it weakly. Threading: the
/// connection's I/O thread, except close().
class h2_connection final : public std::enable_shared_from_this<h2_connection> {
public:
    h2_connection(std::shared_ptr<connection> conn, connection_slot slot, context& ctx);
    ~h2_connection();
    h2_connection(const h2_connection&) = delete;
    h2_connection& operator=(const h2_connection&) = delete;

    /// Registers with the context, sends the server's SETTINGS, takes `received` (bytes read
    /// before the protocol was known: the client preface on h2c) and reads on. On the I/O thread.
    void run(std::string_view received);

    /// Shutdown: GOAWAY, then the close once the open streams have ended. Any thread.
    void close();

    // For h2_stream (the I/O thread).
    /// Submits the response head of stream `id`; with `body`, DATA follows from the stream's
    /// read_data(), else the HEADERS frame ends the stream.
    bool submit_head(std::int32_t id, const http::response_header<>& head, bool body);
    /// The stream has data again (nghttp2_session_resume_data), then pump().
    void resume(std::int32_t id);
    /// Resets stream `id` (RST_STREAM CANCEL), then pump().
    void reset(std::int32_t id);
    /// Moves nghttp2's output to the socket (not inside an nghttp2 callback: then it is posted).
    void pump();
    /// Stream `id`'s plain reply made no progress for config::write_timeout: counted as a write
    /// timeout, the stream is reset (RST_STREAM CANCEL). Not inside nghttp2's callbacks.
    void reply_timed_out(std::int32_t id);
    /// Stream `id`'s request was not complete within config::request_timeout of its HEADERS:
    /// answered 408, then reset (NO_ERROR) as any answer to an unfinished request is. Not inside
    /// nghttp2's callbacks.
    void request_timed_out(std::int32_t id);

private:
    friend struct h2_callbacks;

    void do_read();
    void on_read(const error_code& ec, std::size_t n);
    void do_write();
    void on_written(const error_code& ec);
    void check_done();
    void arm_idle();
    void finish(bool graceful);

    // From nghttp2's callbacks.
    void on_request_begin(std::int32_t id);
    void on_stream_closed(std::int32_t id, bool by_peer);
    std::shared_ptr<h2_stream> find(std::int32_t id) const;

    void dispatch(const std::shared_ptr<h2_stream>& st);
    void answer(const std::shared_ptr<h2_stream>& st, response r);
    void open_stream(const std::shared_ptr<h2_stream>& st, stream_request s, bool waited = false);
    void await_ingest(std::weak_ptr<h2_stream> st, stream_request s, std::uint64_t id,
                      std::chrono::steady_clock::time_point deadline,
                      std::shared_ptr<net::steady_timer> timer);
    void open_script(const std::shared_ptr<h2_stream>& st, script s);

    static constexpr std::size_t out_limit = 64 * 1024;
    /// The plain-reply bytes one connection may hold (not yet taken by nghttp2, e.g. behind a
    /// closed window) at once; a reply that would go over it while others are held gets 503.
    static constexpr std::size_t reply_limit = 64 * out_limit;  // 4 MiB

    context& ctx_;
    net::any_io_executor executor_;
    std::shared_ptr<connection> conn_;
    connection_slot slot_;
    nghttp2_session* session_ = nullptr;
    std::map<std::int32_t, std::shared_ptr<h2_stream>> streams_;  // open in nghttp2
    std::array<char, 16 * 1024> read_buffer_{};
    std::string out_;      // nghttp2's output not yet handed to the socket
    std::string writing_;  // the socket write in flight
    bool write_pending_ = false;
    bool in_callback_ = false;   // inside mem_recv / mem_send: nghttp2 may not be re-entered
    bool pump_posted_ = false;
    bool goaway_ = false;        // GOAWAY submitted: close when the streams are done
    bool finished_ = false;
    std::size_t awaiting_ = 0;   // deferred replies not in yet
    net::steady_timer idle_timer_;
    net::steady_timer write_timer_;
};

}  // namespace sse::server::detail
