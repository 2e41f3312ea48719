// flusher: one I/O thread's flush window (config::flush_interval).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"

namespace sse::server::detail {

class stream_session;

/// Collects the streams of one I/O thread that have frames to send and writes them together, at
/// most `interval` after the first of them asked. Under fan-out load each subscriber then sends several
/// events in one gathered write (one sendmsg) instead of one write per event, and the I/O threads
/// get one batch of writes per window instead of one per event and subscriber. The price is up to
/// `interval` of added latency per event.
///
/// One per I/O thread, with one timer, armed only while some stream waits: an idle server does not
/// wake up. The timer's handler runs on that thread, which is the only thread running the streams
/// added here, so it writes them directly (stream_session::write_now), with no handler posted per
/// stream. Thread-safe: add() runs on any thread (usually this one, from the hub's fan-out, under
/// a fan-out shard's and the session's locks, so it only takes its own mutex and never calls into
/// a session).
class flusher {
public:
    /// `executor`: the I/O thread's, which runs the timer's handler and every stream added.
    /// `interval` must be positive.
    flusher(net::any_io_executor executor, std::chrono::milliseconds interval);
    ~flusher();
    flusher(const flusher&) = delete;
    flusher& operator=(const flusher&) = delete;

    /// Queues `s`, a stream of this I/O thread, for the next window; its write_now() will be
    /// called once. After drain(), posts its write at once instead (stream_session::flush).
    void add(std::shared_ptr<stream_session> s);

    /// Flushes every waiting stream now and turns the window off (every later add() flushes at
    /// once): shutdown must not wait for a window. Idempotent.
    void drain();

private:
    /// Streams whose writes one handler starts before letting other work run. A write to a
    /// loopback or LAN peer costs about 10 us of kernel time, so a slice is well under a
    /// millisecond: a request on this thread (a publish) waits for at most that, and the fan-out,
    /// which delivers thousands of frames per handler, stays ahead of the writes, so writes carry
    /// every event that arrived while the stream waited.
    static constexpr std::size_t slice = 32;

    void on_timer();
    void write_slice();

    const std::chrono::milliseconds interval_;
    std::mutex mutex_;  // guards everything below up to `drained_`, and every call on timer_
    net::steady_timer timer_;
    std::vector<std::shared_ptr<stream_session>> waiting_;
    bool armed_ = false;
    bool drained_ = false;
    // This thread only: the streams of the windows that fired, written a slice per handler, at
    // most one slice posted at any time whatever the number of windows that fired meanwhile.
    std::vector<std::shared_ptr<stream_session>> due_;
    std::size_t next_ = 0;
    bool writing_ = false;
};

}  // namespace sse::server::detail
