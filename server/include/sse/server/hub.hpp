// sse::server::hub: the pub/sub core. Sequencing and history (sse::server::sequencer) feed the
// per-thread fan-out (sse::server::fanout). Transport-free: the HTTP layer and the C++ embedding
// API both publish through it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "sse/server/fanout.hpp"
#include "sse/server/frame.hpp"
#include "sse/server/metrics.hpp"
#include "sse/server/sequencer.hpp"
#include "sse/server/subscriber.hpp"

namespace sse::server {

/// Settings of a hub: the sequencer's (ids, history, topics) and the fan-out's.
struct hub_options : sequencer_options {
    /// One poster per fan-out shard (the server gives one per I/O thread). Empty: one inline
    /// shard, so publish() delivers before it returns (a hub driven without I/O threads).
    std::vector<shard_poster> shards;
    /// Encoded bytes of events sequenced but not yet passed by every shard; at or over it,
    /// publish() refuses with std::errc::resource_unavailable_try_again (fan-out is behind).
    std::size_t fanout_backlog = std::size_t{64} << 20;
    /// Deliveries a posted shard makes before it lets other work of its thread run.
    std::size_t fanout_slice = 2048;
};

/// The pub/sub core: a sequencer (where ids and events come from: the hub-wide id sequence and
/// history) feeding a fanout (where they go: one shard of subscribers per I/O thread).
///
/// publish() returns once its event is sequenced, in history and appended to the fan-out log;
/// each shard then delivers it to its own subscribers on its own thread, in parallel, so a
/// publisher never waits for subscribers (with no posters, the one inline shard delivers before
/// publish() returns).
///
/// Why resume stays exact: every numbered event enters one log in id order, and each shard takes
/// log entries in that order behind its own cursor; its `position` is the id of the last entry
/// it took. A subscriber joins its shard under the shard's lock, so the position cannot move
/// meanwhile: the sequencer replays from history exactly the ids in (Last-Event-ID, position] and
/// the shard delivers live exactly the ids above position. No id falls between the two and none
/// comes twice, whatever thread publishes and however far that shard lags; a client resuming
/// from an id its new shard has not reached yet gets no replay and its shard skips live ids up to
/// that id. Thread-safe.
class hub {
public:
    hub(hub_options options, metrics& stats);
    ~hub();
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;

    /// Publishes one event to `topic`: assigns the next id, encodes it once with sse::encode,
    /// appends it to the topic's history (evicting the hub's oldest events while history is over
    /// hub_options::history_bytes) and to the fan-out log, and wakes the shards, which queue it to
    /// every subscriber of the topic on their own threads. Returns without waiting for them (see
    /// the class comment). `type` empty sends no `event` line (clients see "message"). With
    /// id_policy::none the event gets no id and is not kept (see id_policy). Errors: see
    /// publish_result; then nothing is published.
    publish_result publish(std::string_view topic, std::string_view data,
                           std::string_view type = {}, id_policy ids = id_policy::assign);

    /// Ingested mode (the Redis backplane): delivers one event whose id was assigned elsewhere,
    /// in the order they come (see sequencer::ingest: a gap sends every subscriber the
    /// truncation signal first; an id not above last_id() is refused with
    /// std::errc::result_out_of_range). Not subject to the fan-out backlog: the event exists
    /// already. Calls must not overlap (one reader feeds them).
    publish_result ingest(std::uint64_t id, std::string_view topic, std::string_view data,
                          std::string_view type);

    /// Ingested mode: events after last_id() may have been lost upstream; every subscriber gets
    /// the truncation signal with `reason`, history is dropped (see sequencer::lose).
    void lose(std::string_view reason);

    /// False while fan-out is hub_options::fanout_backlog behind (publish() then refuses).
    bool has_room() const { return fanout_.has_room(); }

    /// Checks what publish() would refuse before sequencing (bad topic name, CR or LF in
    /// `type`), without publishing: for a publish that is sequenced elsewhere (the backplane).
    std::error_code validate(std::string_view topic, std::string_view type) const;

    /// Registers `sub` for `topics` (duplicates ignored) on fan-out shard `shard` (the server
    /// passes its I/O thread's; < shard_count()), whose thread will make every live deliver()
    /// call. If `last_event_id` is given and not empty, first delivers the truncation signal when
    /// needed, then every retained event of those topics after it that the shard has passed, in
    /// id order. Then, in every case, a position marker (an `id:` line and a blank line, no data:
    /// the client's last event ID becomes the shard's position, or its own id if that is
    /// greater, without an event), then live events. The start is delivered before this returns,
    /// on the calling thread. Returns how it started, or std::errc::invalid_argument (no topic,
    /// bad topic name, no such shard) / no_buffer_space (too many topics) / already_connected
    /// (`sub` is registered already: unsubscribe it first) in `error`, in which case nothing
    /// changes.
    resume_result subscribe(const std::shared_ptr<subscriber>& sub,
                            std::span<const std::string> topics,
                            std::optional<std::string_view> last_event_id, std::error_code& error,
                            std::size_t shard = 0);

    /// Removes `sub` from every topic. Idempotent; never calls into `sub`.
    void unsubscribe(const subscriber* sub);

    /// Queues `f` (a comment: not an event) to every subscriber, e.g. a heartbeat, through the
    /// fan-out log like an event (each shard on its thread). Subscribers over their budget are
    /// dropped as for events.
    void broadcast(const frame& f);

    /// Expires old history everywhere and forgets topics with neither history nor subscribers.
    void sweep();

    /// Unregisters every subscriber and close()s it with `last` (may be null), in order behind
    /// the events published before: each shard does it on its thread after delivering them
    /// (inline shards before this returns). Graceful shutdown.
    void close_all(const frame& last);

    /// The same at once, on the calling thread, dropping what the shards have not delivered yet:
    /// for when their threads no longer run.
    void close_all_now(const frame& last);

    /// The id of the last event published (first_id_base before any).
    std::uint64_t last_id() const;
    std::size_t subscriber_count() const;
    /// Encoded bytes of history retained over all topics.
    std::size_t history_bytes() const;
    /// Subscribers per topic, for /metrics.
    std::vector<std::pair<std::string, std::size_t>> topic_subscribers() const;
    /// Fan-out shards (one per I/O thread in the server).
    std::size_t shard_count() const noexcept { return fanout_.shard_count(); }

private:
    metrics& stats_;
    sequencer sequencer_;  // declared before fanout_: the fanout's leave hook releases its topics
    fanout fanout_;
    const sequencer::emit_fn emit_;  // hands sequenced events to fanout_
    const sequencer::loss_fn on_loss_;  // hands truncation signals to fanout_
    const std::size_t max_topic_length_;
};

}  // namespace sse::server
