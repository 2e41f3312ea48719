// sse::server::sequencer: where ids and events come from. Topics, the hub-wide id sequence,
// per-topic history, and how a subscription starts (truncation signal, replay, position marker).
// It knows nothing about subscribers or threads: what it sequences leaves through a callback, in
// order, and sse::server::fanout distributes it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sse/server/frame.hpp"
#include "sse/server/history.hpp"
#include "sse/server/metrics.hpp"

namespace sse::server {

/// The event type of the signal a resuming subscriber gets, before any replayed event, when its
/// Last-Event-ID is older than the retained history or unknown: events may have been lost and the
/// client should resynchronise. The signal has no `id`, so it does not move the client's position.
inline constexpr std::string_view history_truncated_type = "sse-history-truncated";

/// How publish() gives an event its id.
enum class id_policy : std::uint8_t {
    /// The next id of the hub-wide sequence; the event is kept in history, so a resuming client
    /// gets it. HTTP: `id=auto` (the default).
    assign,
    /// No id and no history: an ephemeral event (a typing indicator, a progress tick) that only
    /// the subscribers connected right now receive. It leaves every client's last event ID as it
    /// was, so resuming neither replays nor misses it. HTTP: `id=none`.
    none,
};

/// What publish() did.
struct publish_result {
    std::uint64_t id = 0;   ///< the event's id (0 on error, and for id_policy::none)
    std::error_code error;  ///< std::errc::invalid_argument (bad topic), no_buffer_space (too
                            ///< many topics), resource_unavailable_try_again (fan-out backlog
                            ///< full, hub only) or an encoder error (sse::errc, e.g. CR in type)
};

/// How a subscription started.
enum class resume_result {
    live,       ///< no Last-Event-ID: live events only
    complete,   ///< every event after the id was replayed
    truncated,  ///< the id was older than the history or unknown: the signal was sent first
};

/// Settings of the sequencer (and of the hub, which adds its fan-out settings).
struct sequencer_options {
    std::uint64_t first_id_base = 0;  ///< ids start at first_id_base + 1
    std::size_t history_size = 1000;
    std::chrono::milliseconds history_age{0};  ///< zero: no age limit
    std::size_t history_bytes = std::size_t{64} << 20;  ///< over all topics; oldest evicted first
    std::size_t max_topics = 100000;            ///< live topics (with history or subscribers)
    std::size_t max_topic_length = 256;
    /// The clock history ages are measured with; replaceable so tests can age events.
    std::function<history::clock::time_point()> now = [] { return history::clock::now(); };
};

/// One event as it leaves the sequencer: what fan-out distributes, in sequence order.
struct sequenced_event {
    std::uint64_t id = 0;  ///< 0: ephemeral (id_policy::none), not in history
    std::string topic;
    frame bytes;  ///< the encoded block, shared with the history
};

/// The start of one subscription, as sequencer::start() prepares it.
struct subscription_start {
    resume_result how = resume_result::live;
    std::vector<std::string> topics;  ///< the subscribed topics, duplicates removed
    /// What the subscriber gets before any live event, in order, each with the event id it
    /// carries (0 for none): the truncation signal if any, the replay, the position marker.
    std::vector<std::pair<frame, std::uint64_t>> frames;
    /// Live events with an id up to this one are the client's already (it resumed from an id its
    /// fan-out had not reached yet): they must be skipped. 0: none.
    std::uint64_t skip_through = 0;
};

/// Sequencing and history. Every event gets the next id of ONE hub-wide sequence, so ids are
/// unique and increasing across all topics: a subscriber of several topics resumes with a single
/// Last-Event-ID. Thread-safe (one mutex); no call ever calls into a subscriber.
class sequencer {
public:
    /// Receives each sequenced event, in sequence order, with the sequencer's lock held: it must
    /// not call back into the sequencer, and should only hand the event on.
    using emit_fn = std::function<void(sequenced_event&&)>;

    sequencer(sequencer_options options, metrics& stats);
    ~sequencer();
    sequencer(const sequencer&) = delete;
    sequencer& operator=(const sequencer&) = delete;

    /// Sequences one event of `topic`: assigns the next id, encodes it once with sse::encode,
    /// appends it to the topic's history (evicting the hub's oldest events while history is over
    /// sequencer_options::history_bytes) and passes it to `emit`. With id_policy::none the event
    /// gets no id, is not kept, and is emitted only if some subscriber follows the topic. `type`
    /// empty sends no `event` line. On error nothing is emitted and no id is used.
    publish_result publish(std::string_view topic, std::string_view data, std::string_view type,
                           id_policy ids, const emit_fn& emit);

    /// Receives the truncation signal ingest() or lose() produce, with the sequencer's lock held,
    /// to hand on to every subscriber (fanout::push_comment) before any later event.
    using loss_fn = std::function<void(frame signal)>;

    /// Sequences one event numbered elsewhere (the Redis backplane: ids come from Redis, not from
    /// this sequencer): like publish(), with `id` as its id. `id` 0 is an ephemeral event (as
    /// id_policy::none). Numbered ids must increase by exactly one; a gap (id > last_id() + 1)
    /// means events were lost upstream: `on_loss` gets a truncation signal
    /// (`{"lastEventId":"<last_id()>","reason":"backplane-gap"}`), every topic's history is
    /// dropped and its floor raised to id - 1, then the event is sequenced. The first id after
    /// construction or lose() is accepted as it comes (floors raised to id - 1, no signal). Returns
    /// std::errc::result_out_of_range, and sequences nothing, for an id not above last_id() (it
    /// would reuse an id); otherwise publish()'s errors.
    publish_result ingest(std::uint64_t id, std::string_view topic, std::string_view data,
                          std::string_view type, const emit_fn& emit, const loss_fn& on_loss);

    /// Records that events after last_id() may have been lost upstream (the backplane's data
    /// set changed): `on_loss` gets the truncation signal
    /// (`{"lastEventId":"<last_id()>","reason":"<reason>"}`), every topic's history is dropped
    /// and a resume from last_id() or before is told it was truncated. The next ingest() may
    /// then jump to any greater id.
    void lose(std::string_view reason, const loss_fn& on_loss);

    /// Starts a subscription to `topics` whose live feed begins right after the event with id
    /// `position`: its fan-out delivers every event with a greater id, and none with a smaller
    /// one (position <= last_id()). Retains the topics (they count as followed until release())
    /// and fills `out`: if `last_event_id` is given and not empty, the truncation signal when
    /// events after it may be missing, then every retained event of those topics with an id in
    /// (last_event_id, position], in id order; in every case a position marker (an `id:` line and
    /// a blank line, no data), then `how` and `skip_through`. Returns std::errc::invalid_argument
    /// (no topic, bad topic name) or no_buffer_space (too many topics), and then changes nothing.
    std::error_code start(std::span<const std::string> topics,
                          std::optional<std::string_view> last_event_id, std::uint64_t position,
                          subscription_start& out);

    /// Releases topics start() retained (a subscriber left). Topics left with neither history nor
    /// subscribers are forgotten.
    void release(std::span<const std::string_view> topics);

    /// Expires old history everywhere and forgets topics with neither history nor subscribers.
    void sweep();

    /// The id of the last event sequenced (first_id_base before any).
    std::uint64_t last_id() const;
    /// Encoded bytes of history retained over all topics.
    std::size_t history_bytes() const;
    /// Subscribers per topic (what start() retained and release() did not yet release).
    std::vector<std::pair<std::string, std::size_t>> topic_subscribers() const;

private:
    struct topic {
        topic(std::string n, history h) : name(std::move(n)), events(std::move(h)) {}
        std::string name;
        history events;
        std::size_t subscribers = 0;
    };

    topic* find_or_create_locked(std::string_view name, std::error_code& error);
    void forget_if_idle_locked(topic& t);
    template <typename Edit>
    void edit_history_locked(topic& t, Edit edit);
    void enforce_byte_cap_locked();
    publish_result sequence_locked(topic& t, std::uint64_t id, bool keep, std::string_view data,
                                   std::string_view type, const emit_fn& emit);
    void reset_history_locked(std::uint64_t floor);
    void replay_locked(const std::vector<topic*>& topics, std::uint64_t after,
                       std::uint64_t position, subscription_start& out);

    sequencer_options options_;
    metrics& stats_;
    mutable std::mutex mutex_;
    std::uint64_t last_id_;
    std::uint64_t forgotten_floor_;  // see find_or_create_locked()
    std::uint64_t loss_floor_ = 0;  // resumes from below it lost events upstream (ingest/lose)
    bool ingest_jump_ = true;  // ingest(): the next id may jump (first one, or after lose())
    // Transparent hashing: publish() looks topics up by string_view without building a string.
    struct name_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::unique_ptr<topic>, name_hash, std::equal_to<>> topics_;
    // Every topic with history, by the id of its oldest event: the first is the hub's oldest
    // event, which the byte cap evicts first. Kept in step by edit_history_locked().
    std::set<std::pair<std::uint64_t, topic*>> oldest_;
    std::size_t history_bytes_ = 0;
};

}  // namespace sse::server
