// sse::server::fanout: distributes sequenced events to subscribers, each on the thread that owns
// it. The sequencer (or, later, any other source of already-numbered events) pushes events in
// order into one shared log; every shard (one per I/O thread) walks the log behind its own cursor
// and delivers to its own subscribers, so shards work in parallel and nobody who pushes waits for
// any of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sse/server/frame.hpp"
#include "sse/server/metrics.hpp"
#include "sse/server/sequencer.hpp"
#include "sse/server/subscriber.hpp"

namespace sse::server {

/// Runs `task` later on the thread that owns one shard (the server posts it to an I/O thread's
/// io_context). Must not run it inline.
using shard_poster = std::function<void(std::function<void()> task)>;

/// Settings of a fanout (part of hub_options).
struct fanout_options {
    /// One poster per shard. An empty poster makes its shard run inline, on the thread that calls
    /// fanout::wake(). No posters at all: one inline shard (a hub without I/O threads).
    std::vector<shard_poster> shards;
    /// Encoded bytes of pushed events that some shard has not passed yet. While the backlog is at
    /// or over this, has_room() is false (the hub then refuses to publish: fan-out is behind).
    std::size_t backlog_bytes = std::size_t{64} << 20;
    /// Deliveries a posted shard makes before it yields its thread and posts the rest, so other
    /// work of that thread (a publish request) waits for at most one slice.
    std::size_t slice = 2048;
};

/// The distribution half of the hub.
///
/// Ordering: push() appends to one log in the order its caller gives (the sequencer's id order).
/// Each shard takes log entries strictly in that order, one at a time, and delivers an entry to
/// all of its subscribers of that topic before it takes the next, so every subscriber sees events
/// in log order. A shard's `position` is the id of the last numbered entry it has taken; a
/// subscriber that joins a shard (join(), under the shard's lock) gets live exactly the entries
/// taken after it joined, which are those with a greater id, and its start (replay up to
/// `position`) comes from the caller's start_fn. So replay and live neither overlap nor leave a
/// gap, on whatever thread the subscriber lives and however far its shard lags.
///
/// Threading: every member function is thread-safe. A shard's deliveries run on its thread (or
/// inline), under that shard's lock, never under another lock of the fanout; a subscriber must not
/// call back into the hub from deliver().
class fanout {
public:
    /// Prepares a subscriber's start for a shard whose position is `position` (see
    /// sequencer::start); runs under the shard's lock.
    using start_fn = std::function<std::error_code(std::uint64_t position, subscription_start&)>;
    /// Told the topics of every subscriber that leaves (unsubscribed, dropped over budget, or
    /// by leave_all()), under that shard's lock: it may take other locks, never the fanout's.
    /// The views are valid during the call.
    using leave_fn = std::function<void(std::span<const std::string_view> topics)>;

    /// `first_position`: the id every shard starts at (the sequencer's first_id_base).
    fanout(fanout_options options, std::uint64_t first_position, metrics& stats, leave_fn on_leave);
    ~fanout();
    fanout(const fanout&) = delete;
    fanout& operator=(const fanout&) = delete;

    std::size_t shard_count() const noexcept { return shards_.size(); }

    /// False while the backlog is at or over fanout_options::backlog_bytes (and not empty).
    bool has_room() const;

    /// Appends `e` to the log. Calls must come in sequence order (the sequencer makes them under
    /// its lock); cheap, never delivers. wake() afterwards starts the shards.
    void push(sequenced_event e);

    /// Appends a comment (a heartbeat) for every subscriber of every shard, and wakes them.
    void broadcast(frame f);

    /// Appends a frame for every subscriber of every shard without waking them (like push(): the
    /// sequencer calls it under its lock, for a truncation signal that must come before the
    /// events that follow it). wake() afterwards.
    void push_comment(frame f);

    /// Appends a close for every subscriber of every shard, and wakes them: each shard, after
    /// delivering every entry pushed before, unregisters all its subscribers and close()s them
    /// with `last` (may be null), under its lock. Subscribers that join a shard before it takes
    /// the close are closed too.
    void close_all(frame last);

    /// Starts every shard that has entries to take and no pass under way: posts its pass, or, for
    /// an inline shard, runs it here (then this returns after the delivery). Call with no lock of
    /// the caller's held that a subscriber's deliver() or leave_fn may need.
    void wake();

    /// Registers `sub` on shard `shard` (< shard_count()). Under that shard's lock, calls
    /// `start(position)`, delivers the frames it prepared (exempt from the budget) and registers
    /// `sub` for its topics; sets `how`. Returns start's error, or
    /// std::errc::already_connected if `sub` is registered already; then nothing changes.
    std::error_code join(std::size_t shard, const std::shared_ptr<subscriber>& sub,
                         const start_fn& start, resume_result& how);

    /// Unregisters `sub`. Idempotent; never calls into `sub`. Must not race with a join() of the
    /// same subscriber.
    void leave(const subscriber* sub);

    /// Unregisters every subscriber at once, on the calling thread, and returns them (to be
    /// closed by the caller, outside any lock). Entries not yet delivered stay undelivered: for
    /// when the shards' threads are gone.
    std::vector<std::shared_ptr<subscriber>> leave_all();

    std::size_t subscriber_count() const;

    /// Encoded bytes in the log that some shard has not passed yet.
    std::size_t backlog_bytes() const;

private:
    enum class kind : std::uint8_t {
        event,    // to the subscribers of `topic`
        comment,  // to every subscriber (broadcast)
        close,    // every subscriber leaves and is closed with `bytes` (close_all)
    };
    struct entry {
        std::uint64_t id = 0;  // 0: no id (ephemeral event, comment, close)
        kind what = kind::event;
        std::string topic;
        frame bytes;  // may be null for a close
    };
    struct registration;
    struct name_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    // A shard's subscribers of each topic, contiguous so a fan-out walks an array; removal moves
    // the last member into the gap. Map nodes never move, so registrations point at them.
    using topic_map =
        std::unordered_map<std::string, std::vector<registration*>, name_hash, std::equal_to<>>;
    struct registration {
        std::shared_ptr<subscriber> sub;
        // Per topic: its node in the shard's map (name and members) and its index there.
        std::vector<std::pair<topic_map::value_type*, std::size_t>> slots;
        std::uint64_t skip_through = 0;
        bool gone = false;  // left while a pass held it in `targets`
    };
    struct shard {
        shard_poster post;
        std::mutex mutex;  // guards the members up to `retired`
        std::uint64_t position;
        topic_map topics;
        std::unordered_map<const subscriber*, std::unique_ptr<registration>> registrations;
        // The entry being delivered (`passing`), its subscribers when it was taken, the next one
        // to deliver to, and those that left meanwhile (freed when the entry is done).
        bool passing = false;
        entry current;
        std::vector<registration*> targets;
        std::size_t at = 0;
        std::uint64_t delivered = 0;
        std::vector<std::unique_ptr<registration>> retired;
        // Guarded by the fanout's log mutex.
        std::uint64_t cursor = 0;  // sequence number of the last entry taken
        bool scheduled = false;    // a pass is posted or running
    };

    void run(std::size_t k);
    bool take_locked(shard& s);
    void close_locked(shard& s);
    void finish_entry_locked(shard& s);
    void remove_locked(shard& s, const subscriber* sub);
    void trim_log_locked();
    std::uint64_t tail_locked() const { return base_ + log_.size() - 1; }

    const fanout_options options_;
    metrics& stats_;
    const leave_fn on_leave_;
    std::vector<std::unique_ptr<shard>> shards_;

    mutable std::mutex log_mutex_;  // guards the log and every shard's cursor and `scheduled`
    std::deque<entry> log_;
    std::uint64_t base_ = 1;  // the sequence number of log_.front()
    std::size_t backlog_bytes_ = 0;

    mutable std::mutex where_mutex_;  // guards `where_`: every registered subscriber's shard
    std::unordered_map<const subscriber*, std::size_t> where_;
};

}  // namespace sse::server
