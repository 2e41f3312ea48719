// sse::server::hub: topics, the event id sequence, per-topic history and the subscriber registry.
// Transport-free: the HTTP layer and the C++ embedding API both publish through it.
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
#include "sse/server/subscriber.hpp"

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

/// Settings of a hub (a subset of sse::server::config).
struct hub_options {
    std::uint64_t first_id_base = 0;  ///< ids start at first_id_base + 1
    std::size_t history_size = 1000;
    std::chrono::milliseconds history_age{0};  ///< zero: no age limit
    std::size_t history_bytes = std::size_t{64} << 20;  ///< over all topics; oldest evicted first
    std::size_t max_topics = 100000;            ///< live topics (with history or subscribers)
    std::size_t max_topic_length = 256;
    /// The clock history ages are measured with; replaceable so tests can age events.
    std::function<history::clock::time_point()> now = [] { return history::clock::now(); };
};

/// What publish() did.
struct publish_result {
    std::uint64_t id = 0;   ///< the event's id (0 on error, and for id_policy::none)
    std::error_code error;  ///< std::errc::invalid_argument (bad topic), no_buffer_space (too
                            ///< many topics) or an encoder error (sse::errc, e.g. CR in type)
};

/// How a subscription started.
enum class resume_result {
    live,       ///< no Last-Event-ID: live events only
    complete,   ///< every event after the id was replayed
    truncated,  ///< the id was older than the history or unknown: the signal was sent first
};

/// The pub/sub core. Every event gets the next id of ONE hub-wide sequence, so ids are unique and
/// increasing across all topics: a subscriber of several topics resumes with a single
/// Last-Event-ID. publish, subscribe (with its replay) and unsubscribe run under one mutex, which
/// is what makes resume exact: no event can fall between the replay and the live stream, and none
/// can come twice (the replay holds only ids up to last_id() at registration, every later publish
/// a greater one). Thread-safe.
class hub {
public:
    hub(hub_options options, metrics& stats);
    ~hub();
    hub(const hub&) = delete;
    hub& operator=(const hub&) = delete;

    /// Publishes one event to `topic`: assigns the next id, encodes it once with sse::encode,
    /// appends it to the topic's history (evicting the hub's oldest events while history is over
    /// hub_options::history_bytes) and queues it to every subscriber of the topic. `type` empty
    /// sends no `event` line (clients see "message"). With id_policy::none the event gets no id
    /// and is not kept (see id_policy).
    publish_result publish(std::string_view topic, std::string_view data,
                           std::string_view type = {}, id_policy ids = id_policy::assign);

    /// Registers `sub` for `topics` (duplicates ignored). If `last_event_id` is given and not
    /// empty, first delivers the truncation signal when needed, then every retained event of
    /// those topics with a greater id, in id order. Then, in every case, a position marker (an
    /// `id:` line and a blank line, no data: the client's last event ID becomes last_id() without
    /// an event), then live events. All of it is delivered before this returns. Returns how it
    /// started, or std::errc::invalid_argument (no topic, bad topic name) / no_buffer_space (too
    /// many topics) / already_connected (`sub` is registered already: unsubscribe it first) in
    /// `error`, in which case nothing changes.
    resume_result subscribe(const std::shared_ptr<subscriber>& sub,
                            std::span<const std::string> topics,
                            std::optional<std::string_view> last_event_id, std::error_code& error);

    /// Removes `sub` from every topic. Idempotent; never calls into `sub`.
    void unsubscribe(const subscriber* sub);

    /// Queues `f` (a comment: not an event) to every subscriber, e.g. a heartbeat. Subscribers over
    /// their budget are dropped as in publish().
    void broadcast(const frame& f);

    /// Expires old history everywhere and forgets topics with neither history nor subscribers.
    void sweep();

    /// Unregisters every subscriber and close()s it with `last` (may be null).
    void close_all(const frame& last);

    /// The id of the last event published (first_id_base before any).
    std::uint64_t last_id() const;
    std::size_t subscriber_count() const;
    /// Encoded bytes of history retained over all topics.
    std::size_t history_bytes() const;
    /// Subscribers per topic, for /metrics.
    std::vector<std::pair<std::string, std::size_t>> topic_subscribers() const;

private:
    struct topic;
    struct registration;
    /// A topic's subscriber: the pointer publish() calls, and its registration (for removal).
    struct member {
        subscriber* sub;
        registration* reg;
    };
    struct registration {
        std::shared_ptr<subscriber> sub;
        std::vector<topic*> topics;
        std::vector<std::size_t> slots;  // slots[i]: its index in topics[i]->subscribers
    };
    struct topic {
        topic(std::string n, history h) : name(std::move(n)), events(std::move(h)) {}
        std::string name;
        history events;
        // Contiguous, so a fan-out walks an array; removal swaps the last member into the gap.
        std::vector<member> subscribers;
    };

    topic* find_or_create_locked(std::string_view name, std::error_code& error);
    void drop_locked(const std::vector<registration*>& over_budget);
    void unsubscribe_locked(registration& r);
    void forget_if_idle_locked(topic& t);
    frame truncation_signal(std::optional<std::uint64_t> requested) const;
    template <typename Edit>
    void edit_history_locked(topic& t, Edit edit);
    void enforce_byte_cap_locked();
    frame position_marker_locked() const;

    hub_options options_;
    metrics& stats_;
    mutable std::mutex mutex_;
    std::uint64_t last_id_;
    std::uint64_t forgotten_floor_;  // see find_or_create_locked()
    // Transparent hashing: publish() looks topics up by string_view without building a string.
    struct name_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::unique_ptr<topic>, name_hash, std::equal_to<>> topics_;
    std::unordered_map<const subscriber*, std::unique_ptr<registration>> registrations_;
    // Every topic with history, by the id of its oldest event: the first is the hub's oldest
    // event, which the byte cap evicts first. Kept in step by edit_history_locked().
    std::set<std::pair<std::uint64_t, topic*>> oldest_;
    std::size_t history_bytes_ = 0;
};

}  // namespace sse::server
