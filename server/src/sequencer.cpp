#include "sse/server/sequencer.hpp"

#include <algorithm>
#include <charconv>

#include "sse/encoder.hpp"

namespace sse::server {
namespace {

// Ids are plain decimal: what the sequencer writes, and all it accepts back.
std::optional<std::uint64_t> parse_id(std::string_view text) {
    std::uint64_t v = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (r.ec != std::errc{} || r.ptr != end) return std::nullopt;
    return v;
}

// The position marker: an `id` with no data sets the client's last event ID without dispatching
// an event (9.2.6 "dispatch the event", steps 1 and 2).
frame position_marker(std::uint64_t id) {
    char digits[20];
    const auto r = std::to_chars(digits, digits + sizeof digits, id);
    std::string bytes;
    sse::encode({.id = std::string_view(digits, static_cast<std::size_t>(r.ptr - digits))}, bytes);
    return make_frame(std::move(bytes));
}

// The signal sent live to every subscriber when the backplane lost events after `last`.
frame truncation_signal(std::uint64_t last, std::string_view reason) {
    std::string data = "{\"lastEventId\":\"" + std::to_string(last) + "\",\"reason\":\"" +
                       std::string(reason) + "\"}";
    std::string bytes;
    sse::encode({.type = history_truncated_type, .data = data}, bytes);
    return make_frame(std::move(bytes));
}

frame truncation_signal(std::optional<std::uint64_t> requested) {
    // A small JSON object: the id the client asked for (when it was one of ours) and the reason.
    std::string data = requested ? "{\"lastEventId\":\"" + std::to_string(*requested) +
                                       "\",\"reason\":\"expired\"}"
                                 : std::string("{\"reason\":\"unknown-id\"}");
    std::string bytes;
    sse::encode({.type = history_truncated_type, .data = data}, bytes);
    return make_frame(std::move(bytes));
}

}  // namespace

sequencer::sequencer(sequencer_options options, metrics& stats)
    : options_(std::move(options)), stats_(stats),
      last_id_(options_.first_id_base),
      forgotten_floor_(options_.first_id_base) {}

sequencer::~sequencer() = default;

publish_result sequencer::publish(std::string_view topic_name, std::string_view data,
                                  std::string_view type, id_policy ids, const emit_fn& emit) {
    std::lock_guard lock(mutex_);
    std::error_code error;
    topic* t = find_or_create_locked(topic_name, error);
    if (!t) return {0, error};
    const bool keep = ids == id_policy::assign;
    return sequence_locked(*t, keep ? last_id_ + 1 : 0, keep, data, type, emit);
}

publish_result sequencer::ingest(std::uint64_t id, std::string_view topic_name,
                                 std::string_view data, std::string_view type,
                                 const emit_fn& emit, const loss_fn& on_loss) {
    std::lock_guard lock(mutex_);
    if (id != 0 && id <= last_id_)
        return {0, std::make_error_code(std::errc::result_out_of_range)};
    std::error_code error;
    topic* t = find_or_create_locked(topic_name, error);
    if (!t) return {0, error};
    if (id != 0) {
        if (ingest_jump_) {
            // Nothing before `id` can be served from here: a resume from an older id (another
            // epoch, or before this node's first event) is told so.
            reset_history_locked(id - 1);
        } else if (id != last_id_ + 1) {
            on_loss(truncation_signal(last_id_, "backplane-gap"));
            metrics::add(stats_.backplane_truncations);
            reset_history_locked(id - 1);
        }
        ingest_jump_ = false;
    }
    return sequence_locked(*t, id, id != 0, data, type, emit);
}

void sequencer::lose(std::string_view reason, const loss_fn& on_loss) {
    std::lock_guard lock(mutex_);
    on_loss(truncation_signal(last_id_, reason));
    metrics::add(stats_.backplane_truncations);
    // last_id_ + 1: a resume from last_id_ itself is told too, since what followed it is lost.
    reset_history_locked(last_id_ + 1);
    ingest_jump_ = true;
}

void sequencer::reset_history_locked(std::uint64_t floor) {
    for (auto& [name, t] : topics_) edit_history_locked(*t, [&](history& h) { h.reset(floor); });
    forgotten_floor_ = std::max(forgotten_floor_, floor);
    loss_floor_ = std::max(loss_floor_, floor);
}

publish_result sequencer::sequence_locked(topic& t, std::uint64_t id, bool keep,
                                          std::string_view data, std::string_view type,
                                          const emit_fn& emit) {
    char digits[20];
    const auto r = std::to_chars(digits, digits + sizeof digits, id);
    std::optional<std::string_view> id_field;
    if (keep) id_field = std::string_view(digits, static_cast<std::size_t>(r.ptr - digits));
    std::string bytes;
    // One encode per publish, whatever the number of subscribers; under the lock, so ids,
    // history and the emitted order agree.
    if (const std::error_code ec = sse::encode({.type = type, .data = data, .id = id_field}, bytes)) {
        forget_if_idle_locked(t);
        return {0, ec};
    }
    frame f = make_frame(std::move(bytes));
    metrics::add(stats_.events_published);
    if (!keep) {
        // An ephemeral event nobody follows reaches no one and leaves nothing behind.
        if (t.subscribers == 0)
            forget_if_idle_locked(t);
        else
            emit({0, t.name, std::move(f)});
        return {0, {}};
    }
    last_id_ = id;
    const auto now = options_.now();
    edit_history_locked(t, [&](history& h) {
        h.expire(now);
        h.append(id, now, f);
    });
    // Every numbered event is emitted, followed or not: fan-out's position (the last id it
    // passed) then says exactly which events a new subscriber gets live and which from history.
    emit({id, t.name, std::move(f)});
    enforce_byte_cap_locked();
    return {id, {}};
}

std::error_code sequencer::start(std::span<const std::string> topic_names,
                                 std::optional<std::string_view> last_event_id,
                                 std::uint64_t position, subscription_start& out) {
    out = {};
    if (topic_names.empty()) return std::make_error_code(std::errc::invalid_argument);
    std::lock_guard lock(mutex_);
    std::vector<topic*> topics;
    for (const std::string& name : topic_names) {
        std::error_code error;
        topic* t = find_or_create_locked(name, error);
        if (!t) {
            for (topic* created : topics) forget_if_idle_locked(*created);
            return error;
        }
        if (std::find(topics.begin(), topics.end(), t) == topics.end()) topics.push_back(t);
    }
    for (topic* t : topics) {
        ++t->subscribers;
        out.topics.push_back(t->name);
    }

    std::uint64_t marker = position;
    if (last_event_id && !last_event_id->empty()) {
        const std::optional<std::uint64_t> requested = parse_id(*last_event_id);
        if (!requested || *requested > last_id_) {
            // Not an id this hub issued (garbage, or from another server): the client's position
            // is unknown, so it is told, and continues live.
            out.how = resume_result::truncated;
            out.frames.emplace_back(truncation_signal(std::nullopt), 0);
        } else {
            replay_locked(topics, *requested, position, out);
            if (*requested > position) {
                // The client got events this subscription's fan-out has not reached yet (from
                // another I/O thread's): it holds everything up to its id, and later events
                // up to that id are skipped.
                marker = *requested;
                out.skip_through = *requested;
            }
        }
        metrics::add(out.how == resume_result::complete ? stats_.replay_hits : stats_.replay_misses);
    }
    // The client now holds every event of its topics up to `marker`, so even one that connected
    // without an id, or whose id was unknown, resumes exactly from here if it drops before the
    // next event. Sent on every connection.
    out.frames.emplace_back(position_marker(marker), marker);
    return {};
}

void sequencer::replay_locked(const std::vector<topic*>& topics, std::uint64_t after,
                              std::uint64_t position, subscription_start& out) {
    const auto now = options_.now();
    bool complete = true;
    std::vector<const history::entry*> replay;
    for (topic* t : topics) {
        edit_history_locked(*t, [&](history& h) { h.expire(now); });
        // Events after `position` come live, retained or not; a loss can only be in between.
        // (Unless a loss upstream came after `after`: then the signal is due even with nothing
        // to replay.)
        complete = complete && (t->events.complete_after(after) ||
                                (position <= after && after >= loss_floor_));
        t->events.collect_between(after, position, replay);
    }
    // Each topic's entries are in id order; several topics interleave by id.
    if (topics.size() > 1)
        std::sort(replay.begin(), replay.end(),
                  [](const history::entry* a, const history::entry* b) { return a->id < b->id; });
    out.how = complete ? resume_result::complete : resume_result::truncated;
    if (!complete) out.frames.emplace_back(truncation_signal(after), 0);
    for (const history::entry* e : replay) out.frames.emplace_back(e->bytes, e->id);
    metrics::add(stats_.events_delivered, replay.size());
}

void sequencer::release(std::span<const std::string_view> topic_names) {
    std::lock_guard lock(mutex_);
    for (const std::string_view name : topic_names) {
        const auto it = topics_.find(name);
        if (it == topics_.end() || it->second->subscribers == 0) continue;  // not retained
        --it->second->subscribers;
        forget_if_idle_locked(*it->second);
    }
}

void sequencer::sweep() {
    std::lock_guard lock(mutex_);
    const auto now = options_.now();
    for (auto it = topics_.begin(); it != topics_.end();) {
        topic& t = *it->second;
        edit_history_locked(t, [&](history& h) { h.expire(now); });
        if (t.events.empty() && t.subscribers == 0) {
            forgotten_floor_ = std::max(forgotten_floor_, t.events.floor());
            it = topics_.erase(it);
        } else {
            ++it;
        }
    }
}

std::uint64_t sequencer::last_id() const {
    std::lock_guard lock(mutex_);
    return last_id_;
}

std::size_t sequencer::history_bytes() const {
    std::lock_guard lock(mutex_);
    return history_bytes_;
}

std::vector<std::pair<std::string, std::size_t>> sequencer::topic_subscribers() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, std::size_t>> out;
    out.reserve(topics_.size());
    for (const auto& [name, t] : topics_) out.emplace_back(name, t->subscribers);
    std::sort(out.begin(), out.end());
    return out;
}

sequencer::topic* sequencer::find_or_create_locked(std::string_view name, std::error_code& error) {
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

void sequencer::forget_if_idle_locked(topic& t) {
    if (!t.events.empty() || t.subscribers != 0) return;
    forgotten_floor_ = std::max(forgotten_floor_, t.events.floor());
    topics_.erase(t.name);
}

template <typename Edit>
void sequencer::edit_history_locked(topic& t, Edit edit) {
    const bool had = !t.events.empty();
    const std::uint64_t front = had ? t.events.front_id() : 0;
    const std::size_t bytes = t.events.bytes();
    edit(t.events);
    if (had) oldest_.erase({front, &t});
    if (!t.events.empty()) oldest_.emplace(t.events.front_id(), &t);
    history_bytes_ = history_bytes_ - bytes + t.events.bytes();
    stats_.history_bytes.store(history_bytes_, std::memory_order_relaxed);
}

void sequencer::enforce_byte_cap_locked() {
    // Evicting raises that topic's floor, so a resume from before it gets the truncation signal.
    while (history_bytes_ > options_.history_bytes && !oldest_.empty()) {
        edit_history_locked(*oldest_.begin()->second, [](history& h) { h.evict_oldest(); });
        metrics::add(stats_.history_evictions_bytes_cap);
    }
}

}  // namespace sse::server
