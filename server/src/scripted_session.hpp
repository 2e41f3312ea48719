// scripted_session: plays one script (a conformance route's answer) on a connection.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"
#include "connection_slot.hpp"
#include "context.hpp"
#include "script.hpp"
#include "stream_sink.hpp"

namespace sse::server::detail {

/// Writes a script's head, then each item with its own write to a stream_sink (flushed: TCP_NODELAY
/// is set on every connection; on TLS each item is its own record), waiting each item's delay on a
/// timer; then closes the connection, or with script::hold keeps it open and sends the server's
/// heartbeat comment while idle. Every write is bounded by config::write_timeout. Server shutdown
/// (close()) stops the script after the write in flight, sends the goodbye comment and closes.
/// Like a stream, it has the sink watch the peer, so a client that leaves is noticed during a
/// delay or a hold.
///
/// Threading: run() on the connection's I/O thread; heartbeat() and close() from any thread (they
/// post to it); everything else on that thread.
class scripted_session final : public sink_owner,
                               public std::enable_shared_from_this<scripted_session> {
public:
    /// Takes the response body over; `s.head` must have no Content-Length. `executor` is the
    /// sink's I/O thread's. `slot`: the connection's when the script owns it (HTTP/1.1), empty
    /// for one stream of many on a connection (HTTP/2).
    scripted_session(context& ctx, net::any_io_executor executor, std::shared_ptr<stream_sink> sink,
                     std::optional<connection_slot> slot, script s);
    ~scripted_session();
    scripted_session(const scripted_session&) = delete;
    scripted_session& operator=(const scripted_session&) = delete;

    /// Registers with the context (heartbeats, shutdown) and starts writing. Call once, on the
    /// connection's I/O thread.
    void run();

    /// Sends `f` if the script is over and holding, and no write is in flight (a heartbeat is
    /// skipped rather than queued: memory stays bounded and a stalled peer meets the write
    /// timeout). Any thread.
    void heartbeat(const frame& f);

    /// Stops the script: after the write in flight, sends `last` (may be null) and closes.
    /// Idempotent. Any thread.
    void close(const frame& last);

    void on_sent(const error_code& ec, std::size_t bytes) override;
    void on_peer_gone() override;

private:
    enum class phase { playing, holding, closing, ended };

    void do_next();
    void on_timer(const error_code& ec);
    void write(frame bytes);
    void on_write(const error_code& ec, std::size_t bytes);
    void end(bool graceful);

    context& ctx_;
    net::any_io_executor executor_;
    std::shared_ptr<stream_sink> sink_;
    std::optional<connection_slot> slot_;
    script script_;
    net::steady_timer timer_;
    phase phase_ = phase::playing;
    bool writing_ = false;
    frame pending_;  // an item waiting for its delay
    frame current_;  // the bytes of the write in flight
    net::const_buffer current_buffer_;  // the sink's view of them
    frame last_;     // the goodbye, once close() asked for it
    bool last_sent_ = false;
};

}  // namespace sse::server::detail
