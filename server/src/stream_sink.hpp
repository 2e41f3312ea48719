// stream_sink: where the body of an open-ended response goes (an event stream, a scripted stream).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>

#include <boost/beast/http/message.hpp>

#include "asio.hpp"

namespace sse::server::detail {

/// Hears what a stream_sink reports. Implemented by the sessions that stream; the sink holds it
/// weakly and calls it on the connection's I/O thread only.
class sink_owner {
public:
    /// A write that stream_sink::write() left pending has finished: `bytes` of its frames went out
    /// in all (every byte unless `ec`; beast::error::timeout when it made no progress for the
    /// write timeout).
    virtual void on_sent(const error_code& ec, std::size_t bytes) = 0;
    /// The peer went away (closed, reset, or ended TLS) while the sink watched. At most once.
    virtual void on_peer_gone() = 0;

protected:
    ~sink_owner() = default;
};

/// What stream_sink::write() did.
struct sink_write {
    bool done = false;    ///< every byte went out now; no on_sent() follows
    std::size_t sent = 0; ///< bytes that went out now
    error_code ec;        ///< the write failed now (`sent` bytes went out); no on_sent() follows
    /// Neither done nor failed: the rest goes out asynchronously and on_sent() reports the end.
    bool pending() const { return !done && !ec; }

    static sink_write complete(std::size_t bytes) {
        sink_write r;
        r.done = true;
        r.sent = bytes;
        return r;
    }
    static sink_write failed(const error_code& why, std::size_t bytes = 0) {
        sink_write r;
        r.sent = bytes;
        r.ec = why;
        return r;
    }
};

/// The body of one streaming response, seen from the session that produces it: gathered frames
/// in, completion and back-pressure out (a write still pending means "do not write more yet"), and
/// a signal when the peer is gone. It hides the transport: for HTTP/1.1 the sink is the
/// connection itself (plain TCP or TLS, see `connection`), whose remaining bytes are the body; an
/// HTTP/2 stream multiplexed on a connection is another implementation. Sessions never touch a
/// socket.
///
/// Threading: every member runs on the connection's I/O thread.
class stream_sink {
public:
    virtual ~stream_sink() = default;

    /// Starts the streaming phase: reports go to `owner` (held weakly; a report to an owner that
    /// died is dropped), and a write that makes no progress for `write_timeout` fails with
    /// beast::error::timeout. Call once, before write() and watch(). An error means the transport
    /// cannot stream (the caller ends the response).
    virtual error_code bind(std::weak_ptr<sink_owner> owner,
                            std::chrono::milliseconds write_timeout) = 0;

    /// Sends the response head apart from the body, where the transport frames it itself (HTTP/2:
    /// a HEADERS frame with the status and the fields, minus every connection-specific one, RFC
    /// 9113 8.2.2). Returns false where the head is part of the body's byte stream (HTTP/1.1): the
    /// caller then writes it, serialised, as the first bytes. Call at most once, before write().
    virtual bool send_head(const boost::beast::http::response_header<>& head) {
        (void)head;
        return false;
    }

    /// Sends every byte of `frames` (`bytes` in all), in order, without blocking the thread. See
    /// sink_write for the three outcomes. The sink may advance the buffers of `frames` in place
    /// (the array is the caller's scratch). While pending, the array and the memory it points to
    /// must stay valid and write() must not be called again. The common case (the transport's
    /// buffer has room) completes now with no asynchronous operation.
    virtual sink_write write(std::span<net::const_buffer> frames, std::size_t bytes) = 0;

    /// Watches for the peer going away (on_peer_gone()), without holding a read buffer while
    /// nothing arrives. Bytes the peer sends meanwhile are discarded. Call once, after bind().
    virtual void watch() = 0;

    /// Ends the response. `graceful`: after what was written, with the transport's clean end (TCP
    /// FIN; for TLS a close_notify first, bounded by the write timeout); otherwise at once (the
    /// peer is gone or stuck). Idempotent; nothing is reported to the owner afterwards except the
    /// cancellation of what was pending.
    virtual void close(bool graceful) = 0;

    /// False once close() was called or the transport failed.
    virtual bool is_open() const = 0;
};

}  // namespace sse::server::detail
