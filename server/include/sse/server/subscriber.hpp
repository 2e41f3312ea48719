// sse::server::subscriber: what the hub delivers to. The HTTP stream session implements it; tests
// and embedders may too.
#pragma once

#include "sse/server/frame.hpp"

namespace sse::server {

/// One receiver of a subscription.
///
/// Threading: the hub calls deliver() in increasing event id order, under the lock of the fan-out
/// shard the subscriber joined: the subscription's start on the thread that subscribes, live
/// frames on that shard's thread (the I/O thread that owns the connection, in the server; the
/// publishing thread, for a hub without posters). An implementation must neither block nor call
/// back into the hub from it: a blocked deliver() holds up that shard's other subscribers (never
/// a publisher). close() may come from any thread, a shard's lock held or not.
class subscriber {
public:
    virtual ~subscriber() = default;

    /// Queues `f` for sending. `id` is the event id the frame carries (0: none, e.g. a comment,
    /// a signal or an ephemeral event), so a subscriber that drops frames can say what it last
    /// sent. `exempt` frames (the subscription's start: signal, replayed history, position
    /// marker) do not count against the queue budget. Returns false if the subscriber is over its
    /// budget and will close; the hub then unsubscribes it. A subscriber that copes otherwise
    /// (config::slow_client resync) returns true.
    virtual bool deliver(const frame& f, std::uint64_t id, bool exempt) = 0;

    /// Sends `last` (may be null) after what is queued, then ends the stream. Idempotent.
    virtual void close(const frame& last) = 0;
};

}  // namespace sse::server
