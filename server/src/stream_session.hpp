// stream_session: one open GET /events response, fed by the hub.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "asio.hpp"
#include "connection_slot.hpp"
#include "context.hpp"
#include "sse/server/subscriber.hpp"
#include "stream_sink.hpp"

namespace sse::server::detail {

/// Writes the response head, the retry hint, any replay and then live frames to one stream_sink
/// (for HTTP/1.1 the connection, plain TCP or TLS; the session never touches a socket).
///
/// Frames wait in a queue bounded in bytes (config::queue_budget). Going over applies
/// config::slow_client: `disconnect` closes the stream (the hub stops delivering at once, the
/// socket closes on the connection's I/O thread); `resync` drops every queued frame not yet
/// handed to the socket (except the subscription's start: head, replay, position marker), queues
/// the resync signal (`sse-history-truncated`, reason "slow-client", with the id of the last
/// event that did go to the socket) and carries on with live events. Either way the queue never holds more than the
/// budget plus one signal, and the hub never waits for this subscriber.
///
/// A write hands the whole queue to the sink as one gathered write of shared buffers (no copy of
/// any event; on plain TCP one non-blocking sendmsg and no asynchronous operation in the common
/// case); a write that makes no progress for config::write_timeout closes the connection. With
/// config::flush_interval set, an idle writer waits for its I/O thread's flush window (see
/// flusher) before it writes, so events that arrive meanwhile share the write. The sink also
/// watches for the peer going away while idle.
///
/// Threading: the hub's fan-out calls deliver() on the connection's own I/O thread (its shard is
/// that thread's); close() may come from any thread (shutdown), so both touch the queue only under
/// `mutex_`. Everything else runs on the connection's I/O thread (whose io_context no other thread
/// runs).
class stream_session final : public subscriber,
                             public sink_owner,
                             public std::enable_shared_from_this<stream_session> {
public:
    /// `executor` is the I/O thread's executor of the sink that attach() will hand over.
    stream_session(context& ctx, net::any_io_executor executor);
    ~stream_session() override;

    /// Registers with the hub for `topics`, resuming after `last_event_id` if given and not empty;
    /// the replay is queued now, nothing is written before attach(). Returns the hub's error (bad
    /// topic name, too many topics), in which case the caller still owns the connection and
    /// answers it. Call once, on the I/O thread.
    std::error_code subscribe(const std::vector<std::string>& topics,
                              const std::optional<std::string>& last_event_id,
                              resume_result& how);

    /// Takes the response body over after a successful subscribe(): queues the response `head` and
    /// the retry hint in front of the replay and starts writing. `head` is null when the sink sent
    /// the head itself (stream_sink::send_head(), HTTP/2). `slot` is the connection's when the
    /// stream owns it (HTTP/1.1), empty for one of many streams on a connection (HTTP/2). Call on
    /// the I/O thread.
    void attach(std::shared_ptr<stream_sink> sink, std::optional<connection_slot> slot, frame head);

    bool deliver(const frame& f, std::uint64_t id, bool exempt) override;
    void close(const frame& last) override;

    void on_sent(const error_code& ec, std::size_t bytes) override;
    void on_peer_gone() override;

    /// Posts a write pass to the I/O thread: with no flush window, and for the flusher after
    /// drain(). Any thread.
    void flush();
    /// Writes now. The flusher calls it from its window, which runs on this stream's I/O thread.
    void write_now();

private:
    struct queued {
        frame bytes;
        std::uint64_t id;  // the event id it carries, 0 for none
        bool exempt;       // not counted against the budget, never dropped by a resync
    };

    void push_locked(queued q);
    void resync_locked();
    /// `now`: start the write at once, not after the flush window (the response head, closing).
    void schedule_write_locked(bool now = false);
    void do_write();
    /// A write of `bytes` completed: releases its frames and lets the next write be scheduled.
    void write_done(std::size_t bytes);
    void end(std::string_view reason);

    context& ctx_;
    net::any_io_executor executor_;
    flusher* const flush_;  // this I/O thread's flush window, or null
    std::shared_ptr<stream_sink> sink_;  // set by attach()
    std::optional<connection_slot> slot_;

    std::mutex mutex_;  // guards the members up to `ended_`
    std::vector<queued> pending_;   // queued, not yet handed to a write
    std::size_t queued_bytes_ = 0;  // pending_ + the write in flight
    std::size_t counted_bytes_ = 0; // of queued_bytes_, what counts against the budget
    std::size_t writing_bytes_ = 0; // the write in flight: all, and counted
    std::size_t writing_counted_ = 0;
    std::uint64_t last_taken_id_ = 0;  // the last event id handed to a write
    bool holding_ = true;           // until attach() has put the head in front of the replay
    bool write_scheduled_ = false;  // a do_write is posted or a write is in flight
    bool closing_ = false;          // close after the queue drains
    bool ended_ = false;

    // The I/O thread only.
    std::vector<queued> writing_;
    std::vector<net::const_buffer> buffers_;
    std::string topics_;  // for log lines; written before subscribing, then only read
};

}  // namespace sse::server::detail
