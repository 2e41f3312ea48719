// h2_stream: one HTTP/2 stream of an h2_connection: its request as it arrives, then the body sink
// of its response.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"
#include "router.hpp"
#include "stream_sink.hpp"

namespace sse::server::detail {

class h2_connection;

/// One request/response exchange on an HTTP/2 connection.
///
/// While the request arrives it gathers the fields and the body into a Beast request, bounded as on
/// HTTP/1.1 (config::max_header_size, config::max_body_size: what goes over is remembered, and
/// h2_connection answers 431 or 413). Then h2_connection answers it with a plain reply (the body
/// is served by read_data() from a string), or hands this object as the stream_sink to a
/// stream_session or scripted_session, which run as they do on HTTP/1.1.
///
/// As a sink: send_head() submits the HEADERS frame (no connection-specific field); write() hands
/// the frames to nghttp2, whose data source (read_data()) copies them into DATA frames as the
/// stream's and the connection's flow-control windows and the socket allow. A write nghttp2 cannot
/// take at once stays pending (the session sees a slow client: its byte budget and
/// config::slow_client apply); one that makes no progress for the write timeout fails with
/// beast::error::timeout. The peer resetting the stream, or the connection ending, is
/// sink_owner::on_peer_gone() for this stream. close(true) ends the stream with END_STREAM after
/// what was written, close(false) resets it (RST_STREAM CANCEL).
///
/// Lifetime: h2_connection's stream map holds it until nghttp2 closes the stream, the session it
/// streams to for as long as that lives; it holds the connection weakly, and its owner strongly
/// from watch() until the stream ends (the cycle is broken there). Threading: the
/// connection's I/O thread only.
class h2_stream final : public stream_sink, public std::enable_shared_from_this<h2_stream> {
public:
    h2_stream(std::weak_ptr<h2_connection> conn, std::int32_t id, net::any_io_executor executor);
    ~h2_stream() override;
    h2_stream(const h2_stream&) = delete;
    h2_stream& operator=(const h2_stream&) = delete;

    std::int32_t id() const { return id_; }

    // The request, filled by h2_connection from nghttp2's callbacks.
    request& message() { return request_; }
    /// Adds one field (a pseudo-header sets the method, target or Host). Returns false once the
    /// fields are over `limit` bytes (counted as on HTTP/1.1: name, value, ": " and CRLF).
    bool add_field(std::string_view name, std::string_view value, std::size_t limit);
    /// Appends body bytes. Returns false once the body is over `limit` bytes.
    bool add_body(std::string_view bytes, std::size_t limit);
    bool fields_too_large() const { return fields_too_large_; }
    bool body_too_large() const { return body_too_large_; }
    /// Set once the request got its answer (or its stream): later request frames are ignored.
    bool answered = false;

    /// A plain reply's body, served by read_data() and then END_STREAM. With a positive
    /// `write_timeout`, a reply that makes no progress for that long (the peer's window stays
    /// closed) is timed out: h2_connection::reply_timed_out() resets the stream.
    void set_reply_body(std::string body, std::chrono::milliseconds write_timeout);
    /// Bytes of the plain reply not yet handed to nghttp2 (what this stream holds in memory).
    std::size_t reply_held() const { return reply_ ? reply_body_.size() - reply_sent_ : 0; }

    /// Bounds the time until the request is dispatched: after `timeout`, unless `answered` is set
    /// by then, h2_connection::request_timed_out() answers 408. stop_request_timer() when
    /// dispatched.
    void start_request_timer(std::chrono::milliseconds timeout);
    void stop_request_timer();

    /// nghttp2's data source for this stream: copies up to `length` bytes of the pending write (or
    /// of the reply body) into `buf`. Returns the count, NGHTTP2_ERR_DEFERRED when there is
    /// nothing yet; sets NGHTTP2_DATA_FLAG_EOF when the response is complete.
    ssize_t read_data(std::uint8_t* buf, std::size_t length, std::uint32_t* flags);

    /// nghttp2 closed the stream: `by_peer` (a reset, or the connection ending) reports
    /// on_peer_gone() to the owner unless close() came first.
    void on_closed(bool by_peer);

    // stream_sink.
    error_code bind(std::weak_ptr<sink_owner> owner, std::chrono::milliseconds write_timeout) override;
    bool send_head(const boost::beast::http::response_header<>& head) override;
    sink_write write(std::span<net::const_buffer> frames, std::size_t bytes) override;
    /// Keeps the owner alive until the stream ends (close(), a reset, the connection's end), as the
    /// HTTP/1.1 sink's pending read does: a scripted session has no other owner.
    void watch() override;
    void close(bool graceful) override;
    bool is_open() const override { return !closed_ && !gone_; }

private:
    void arm_timer();
    void on_timeout();
    void arm_reply_timer();
    void report_sent(const error_code& ec);

    std::weak_ptr<h2_connection> conn_;
    const std::int32_t id_;
    net::any_io_executor executor_;
    request request_;
    std::size_t field_bytes_ = 0;
    bool fields_too_large_ = false;
    bool body_too_large_ = false;
    bool authority_ = false;  // :authority came: it is the Host field

    std::string reply_body_;  // a plain reply's
    std::size_t reply_sent_ = 0;
    bool reply_ = false;
    std::optional<net::steady_timer> request_timer_;

    std::weak_ptr<sink_owner> owner_;
    std::shared_ptr<sink_owner> watcher_;  // set by watch() until the stream ends
    std::chrono::milliseconds write_timeout_{0};
    std::optional<net::steady_timer> timer_;
    std::span<net::const_buffer> frames_;  // the pending write's, advanced as nghttp2 takes bytes
    std::size_t total_ = 0, sent_ = 0;     // the pending write's size and progress
    bool pending_ = false;                 // write() returned pending: on_sent() is owed
    bool in_write_ = false;                // inside write(): completion is its return value
    bool eof_ = false;                     // close(true): END_STREAM once the frames are out
    bool closed_ = false;                  // close() was called
    bool gone_ = false;                    // nghttp2 closed the stream
};

}  // namespace sse::server::detail
