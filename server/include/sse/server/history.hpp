// sse::server::history: the bounded per-topic record of recent events that makes resume possible.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "sse/server/frame.hpp"

namespace sse::server {

/// Recent events of one topic, oldest first, bounded by count and age.
///
/// It also remembers `floor()`: the highest id that may have belonged to this topic and is no
/// longer retained (initially the hub's first id minus one, since events before the server started
/// are unknown). A resume from id L is complete iff L >= floor(). Not thread-safe: the hub's lock
/// guards it.
class history {
public:
    using clock = std::chrono::steady_clock;

    /// One retained event: its id, when it was published, and its encoded block.
    struct entry {
        std::uint64_t id;
        clock::time_point at;
        frame bytes;
    };

    /// `max_size` 0 retains nothing; `max_age` zero means no age limit.
    history(std::uint64_t floor, std::size_t max_size, std::chrono::milliseconds max_age);

    /// Appends an event; `id` must be greater than every id appended before. Evicts by size.
    void append(std::uint64_t id, clock::time_point at, frame bytes);

    /// Drops entries older than max_age at `now`.
    void expire(clock::time_point now);

    /// Drops every entry and raises floor() to at least `floor`: events up to it (and any the
    /// history held) can no longer be served, as after a loss upstream.
    void reset(std::uint64_t floor);

    /// Drops the oldest entry (the hub's global byte cap). Must not be empty().
    void evict_oldest() { evict_front(); }

    /// The id of the oldest retained entry. Must not be empty().
    std::uint64_t front_id() const noexcept { return entries_.front().id; }
    /// Encoded bytes retained.
    std::size_t bytes() const noexcept { return bytes_; }

    /// True iff every event of this topic with an id greater than `last` is still retained.
    bool complete_after(std::uint64_t last) const noexcept { return last >= floor_; }

    /// Appends the retained entries with an id greater than `after` and at most `up_to` to
    /// `out`, oldest first. The pointers stay valid until the history is next changed.
    void collect_between(std::uint64_t after, std::uint64_t up_to,
                         std::vector<const entry*>& out) const;

    /// The highest id this topic may have had and no longer retains (see the class comment).
    std::uint64_t floor() const noexcept { return floor_; }
    /// Entries retained.
    std::size_t size() const noexcept { return entries_.size(); }
    /// True iff nothing is retained.
    bool empty() const noexcept { return entries_.empty(); }

private:
    void evict_front();

    std::deque<entry> entries_;
    std::size_t bytes_ = 0;
    std::uint64_t floor_;
    std::size_t max_size_;
    std::chrono::milliseconds max_age_;
};

}  // namespace sse::server
