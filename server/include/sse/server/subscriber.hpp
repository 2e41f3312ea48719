// sse::server::subscriber: what the hub delivers to. The HTTP stream session implements it; tests
// and embedders may too.
#pragma once

#include "sse/server/frame.hpp"

namespace sse::server {

/// One receiver of a subscription.
///
/// Threading: the hub calls deliver() with its lock held, from whatever thread publishes, in
/// increasing event id order; an implementation must neither block nor call back into the hub from
/// it. close() may come from any thread, the hub's lock held or not.
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
