#include "sse/server/history.hpp"

#include <algorithm>

namespace sse::server {

history::history(std::uint64_t floor, std::size_t max_size, std::chrono::milliseconds max_age)
    : floor_(floor), max_size_(max_size), max_age_(max_age) {}

void history::append(std::uint64_t id, clock::time_point at, frame bytes) {
    if (max_size_ == 0) {
        // Nothing is retained, so this event is immediately one a resume cannot serve.
        floor_ = id;
        return;
    }
    if (entries_.size() == max_size_) evict_front();
    bytes_ += bytes->size();
    entries_.push_back(entry{id, at, std::move(bytes)});
}

void history::expire(clock::time_point now) {
    if (max_age_.count() <= 0) return;
    while (!entries_.empty() && now - entries_.front().at > max_age_) evict_front();
}

void history::collect_between(std::uint64_t after, std::uint64_t up_to,
                              std::vector<const entry*>& out) const {
    // Ids increase along the deque, so the first entry to send is found by binary search.
    const auto first = std::upper_bound(entries_.begin(), entries_.end(), after,
                                        [](std::uint64_t v, const entry& e) { return v < e.id; });
    for (auto it = first; it != entries_.end() && it->id <= up_to; ++it) out.push_back(&*it);
}

void history::reset(std::uint64_t floor) {
    if (!entries_.empty()) floor_ = std::max(floor_, entries_.back().id);
    floor_ = std::max(floor_, floor);
    entries_.clear();
    bytes_ = 0;
}

void history::evict_front() {
    floor_ = entries_.front().id;
    bytes_ -= entries_.front().bytes->size();
    entries_.pop_front();
}

}  // namespace sse::server
