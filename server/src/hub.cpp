#include "sse/server/hub.hpp"

#include <algorithm>
#include <charconv>

#include "sse/encoder.hpp"

namespace sse::server {
namespace {

// Ids are plain decimal: what the hub writes, and all it accepts back.
std::optional<std::uint64_t> parse_id(std::string_view text) {
    std::uint64_t v = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc{} || r.ptr != end) return std::nullopt;
    return v;
}

}  // namespace

hub::hub(hub_options options, metrics& stats)
    : options_(std::move(options)), stats_(stats),
      last_id_(options_.first_id_base),
      forgotten_floor_(options_.first_id_base) {}

hub::~hub() = default;

publish_result hub::publish(std::string_view topic_name, std::string_view data,
                            std::string_view type, id_policy ids) {
    std::lock_guard lock(mutex_);
    std::error_code error;
    topic* t = find_or_create_locked(topic_name, error);
    if (!t) return {0, error};

    const bool keep = ids == id_policy::assign;
    const std::uint64_t id = keep ? last_id_ + 1 : 0;
    char digits[20];
    const auto r = std::to_chars(digits, digits + sizeof digits, id);
    std::optional<std::string_view> id_field;
    if (keep) id_field = std::string_view(digits, static_cast<std::size_t>(r.ptr - digits));
    std::string bytes;
    // Encoding under the lock keeps ids, history and every queue in one order; it is one encode
    // per publish, whatever the number of subscribers.
    if (const std::error_code ec = sse::encode({.type = type, .data = data, .id = id_field}, bytes)) {
        forget_if_idle_locked(*t);
        return {0, ec};
    }
    frame f = make_frame(std::move(bytes));
    metrics::add(stats_.events_published);
    if (keep) {
        last_id_ = id;
        const auto now = options_.now();
        edit_history_locked(*t, [&](history& h) {
            h.expire(now);
            h.append(id, now, f);
        });
        enforce_byte_cap_locked();
    }

    std::vector<registration*> over_budget;
    std::uint64_t delivered = 0;
    for (const member& m : t->subscribers) {
        if (m.sub->deliver(f, id, false))
            ++delivered;
        else
            over_budget.push_back(m.reg);
    }
    metrics::add(stats_.events_delivered, delivered);
    // An ephemeral event to a topic nobody follows leaves nothing behind. Decided before the
    // drops: a dropped last subscriber makes unsubscribe_locked() forget (destroy) the topic.
    if (!keep && t->subscribers.empty()) forget_if_idle_locked(*t);
    drop_locked(over_budget);
    return {id, {}};
}

resume_result hub::subscribe(const std::shared_ptr<subscriber>& sub,
                             std::span<const std::string> topic_names,
                             std::optional<std::string_view> last_event_id,
                             std::error_code& error) {
    error.clear();
    std::lock_guard lock(mutex_);
    if (topic_names.empty()) {
        error = std::make_error_code(std::errc::invalid_argument);
        return resume_result::live;
    }
    if (registrations_.contains(sub.get())) {
        error = std::make_error_code(std::errc::already_connected);
        return resume_result::live;
    }
    auto reg = std::make_unique<registration>();
    reg->sub = sub;
    for (const std::string& name : topic_names) {
        topic* t = find_or_create_locked(name, error);
        if (!t) {
            for (topic* created : reg->topics) forget_if_idle_locked(*created);
            return resume_result::live;
        }
        if (std::find(reg->topics.begin(), reg->topics.end(), t) == reg->topics.end())
            reg->topics.push_back(t);
    }

    resume_result result = resume_result::live;
    if (last_event_id && !last_event_id->empty()) {
        const std::optional<std::uint64_t> requested = parse_id(*last_event_id);
        if (!requested || *requested > last_id_) {
            // Not an id this hub issued (garbage, or from another server): the client's position
            // is unknown, so it is told, and continues live.
            result = resume_result::truncated;
            sub->deliver(truncation_signal(std::nullopt), 0, true);
        } else {
            const auto now = options_.now();
            bool complete = true;
            std::vector<const history::entry*> replay;
            for (topic* t : reg->topics) {
                edit_history_locked(*t, [&](history& h) { h.expire(now); });
                complete = complete && t->events.complete_after(*requested);
                t->events.collect_after(*requested, replay);
            }
            // Each topic's entries are in id order; several topics interleave by id.
            if (reg->topics.size() > 1)
                std::sort(replay.begin(), replay.end(),
                          [](const history::entry* a, const history::entry* b) {
                              return a->id < b->id;
                          });
            result = complete ? resume_result::complete : resume_result::truncated;
            if (!complete) sub->deliver(truncation_signal(requested), 0, true);
            for (const history::entry* e : replay) sub->deliver(e->bytes, e->id, true);
            metrics::add(stats_.events_delivered, replay.size());
        }
        metrics::add(result == resume_result::complete ? stats_.replay_hits : stats_.replay_misses);
    }

    // The position marker: an `id` with no data sets the client's last event ID without
    // dispatching an event (9.2.6 "dispatch the event", steps 1 and 2). After it, the client holds
    // every event of its topics up to last_id_, so even a client that connected without an id, or
    // whose id was unknown, resumes exactly from here if it drops before the next event.
    sub->deliver(position_marker_locked(), last_id_, true);

    for (topic* t : reg->topics) {
        reg->slots.push_back(t->subscribers.size());
        t->subscribers.push_back({sub.get(), reg.get()});
    }
    registrations_.emplace(sub.get(), std::move(reg));
    metrics::add(stats_.subscribers);
    return result;
}

void hub::unsubscribe(const subscriber* sub) {
    std::lock_guard lock(mutex_);
    const auto it = registrations_.find(sub);
    if (it == registrations_.end()) return;
    unsubscribe_locked(*it->second);
}

void hub::broadcast(const frame& f) {
    std::lock_guard lock(mutex_);
    std::vector<registration*> over_budget;
    for (auto& [key, reg] : registrations_)
        if (!reg->sub->deliver(f, 0, false)) over_budget.push_back(reg.get());
    drop_locked(over_budget);
}

void hub::sweep() {
    std::lock_guard lock(mutex_);
    const auto now = options_.now();
    for (auto it = topics_.begin(); it != topics_.end();) {
        topic& t = *it->second;
        edit_history_locked(t, [&](history& h) { h.expire(now); });
        if (t.events.empty() && t.subscribers.empty()) {
            forgotten_floor_ = std::max(forgotten_floor_, t.events.floor());
            it = topics_.erase(it);
        } else {
            ++it;
        }
    }
}

void hub::close_all(const frame& last) {
    std::vector<std::shared_ptr<subscriber>> closing;
    {
        std::lock_guard lock(mutex_);
        for (auto& [key, reg] : registrations_) closing.push_back(reg->sub);
        while (!registrations_.empty()) unsubscribe_locked(*registrations_.begin()->second);
    }
    // Outside the lock: close() may run arbitrary code of the subscriber.
    for (const auto& sub : closing) sub->close(last);
}

std::uint64_t hub::last_id() const {
    std::lock_guard lock(mutex_);
    return last_id_;
}

std::size_t hub::history_bytes() const {
    std::lock_guard lock(mutex_);
    return history_bytes_;
}

std::size_t hub::subscriber_count() const {
    std::lock_guard lock(mutex_);
    return registrations_.size();
}

std::vector<std::pair<std::string, std::size_t>> hub::topic_subscribers() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::size_t>> out;
    out.reserve(topics_.size());
    for (const auto& [name, t] : topics_) out.emplace_back(name, t->subscribers.size());
    std::sort(out.begin(), out.end());
    return out;
}

hub::topic* hub::find_or_create_locked(std::string_view name, std::error_code& error) {
    if (name.empty() || name.size() > options_.max_topic_length) {
        error = std::make_error_code(std::errc::invalid_argument);
        return nullptr;
    }
    if (const auto it = topics_.find(name); it != topics_.end()) return it->second.get();
    if (topics_.size() >= options_.max_topics) {
        error = std::make_error_code(std::errc::no_buffer_space);
        return nullptr;
    }
    // A new topic may be one forgotten earlier, whose evicted events a resume cannot serve: it
    // starts from the highest floor any forgotten topic had (conservative: it may signal a loss
    // that was another topic's, never miss one).
    auto t = std::make_unique<topic>(
        std::string(name),
        history(forgotten_floor_, options_.history_size, options_.history_age));
    topic* raw = t.get();
    topics_.emplace(std::string(name), std::move(t));
    return raw;
}

void hub::drop_locked(const std::vector<registration*>& over_budget) {
    // The subscriber already closes itself when it refuses a frame; here it only leaves the hub.
    for (registration* reg : over_budget) {
        metrics::add(stats_.slow_client_drops);
        unsubscribe_locked(*reg);
    }
}

void hub::unsubscribe_locked(registration& r) {
    for (std::size_t i = 0; i < r.topics.size(); ++i) {
        topic& t = *r.topics[i];
        std::vector<member>& members = t.subscribers;
        const std::size_t slot = r.slots[i];
        if (slot + 1 != members.size()) {
            // Move the last member into the gap and tell its registration where it went.
            const member moved = members.back();
            members[slot] = moved;
            const auto at = std::find(moved.reg->topics.begin(), moved.reg->topics.end(), &t);
            moved.reg->slots[static_cast<std::size_t>(at - moved.reg->topics.begin())] = slot;
        }
        members.pop_back();
        // A topic that once had a crowd should not keep its array after the crowd left.
        if (members.capacity() > 64 && members.size() < members.capacity() / 4)
            members.shrink_to_fit();
        forget_if_idle_locked(t);
    }
    metrics::sub(stats_.subscribers);
    registrations_.erase(r.sub.get());  // destroys r
}

void hub::forget_if_idle_locked(topic& t) {
    if (!t.events.empty() || !t.subscribers.empty()) return;
    forgotten_floor_ = std::max(forgotten_floor_, t.events.floor());
    topics_.erase(t.name);
}

template <typename Edit>
void hub::edit_history_locked(topic& t, Edit edit) {
    const bool had = !t.events.empty();
    const std::uint64_t front = had ? t.events.front_id() : 0;
    const std::size_t bytes = t.events.bytes();
    edit(t.events);
    if (had) oldest_.erase({front, &t});
    if (!t.events.empty()) oldest_.emplace(t.events.front_id(), &t);
    history_bytes_ = history_bytes_ - bytes + t.events.bytes();
    stats_.history_bytes.store(history_bytes_, std::memory_order_relaxed);
}

void hub::enforce_byte_cap_locked() {
    // Evicting raises that topic's floor, so a resume from before it gets the truncation signal.
    while (history_bytes_ > options_.history_bytes && !oldest_.empty()) {
        edit_history_locked(*oldest_.begin()->second, [](history& h) { h.evict_oldest(); });
        metrics::add(stats_.history_evictions_bytes_cap);
    }
}

frame hub::position_marker_locked() const {
    char digits[20];
    const auto r = std::to_chars(digits, digits + sizeof digits, last_id_);
    std::string bytes;
    sse::encode({.id = std::string_view(digits, static_cast<std::size_t>(r.ptr - digits))}, bytes);
    return make_frame(std::move(bytes));
}

frame hub::truncation_signal(std::optional<std::uint64_t> requested) const {
    // A small JSON object: the id the client asked for (when it was one of ours) and the reason.
    std::string data = requested ? "{\"lastEventId\":\"" + std::to_string(*requested) +
                                       "\",\"reason\":\"expired\"}"
                                 : std::string("{\"reason\":\"unknown-id\"}");
    std::string bytes;
    sse::encode({.type = history_truncated_type, .data = data}, bytes);
    return make_frame(std::move(bytes));
}

}  // namespace sse::server
