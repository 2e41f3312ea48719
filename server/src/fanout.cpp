#include "sse/server/fanout.hpp"

#include <algorithm>
#include <limits>

namespace sse::server {

fanout::fanout(fanout_options options, std::uint64_t first_position, metrics& stats,
               leave_fn on_leave)
    : options_(std::move(options)), stats_(stats), on_leave_(std::move(on_leave)) {
    const std::size_t n = std::max<std::size_t>(1, options_.shards.size());
    for (std::size_t k = 0; k < n; ++k) {
        auto s = std::make_unique<shard>();
        if (k < options_.shards.size()) s->post = options_.shards[k];
        s->position = first_position;
        shards_.push_back(std::move(s));
    }
}

fanout::~fanout() = default;

bool fanout::has_room() const {
    std::lock_guard lock(log_mutex_);
    return log_.empty() || backlog_bytes_ < options_.backlog_bytes;
}

std::size_t fanout::backlog_bytes() const {
    std::lock_guard lock(log_mutex_);
    return backlog_bytes_;
}

void fanout::push(sequenced_event e) {
    std::lock_guard lock(log_mutex_);
    backlog_bytes_ += e.bytes->size();
    stats_.fanout_backlog_bytes.store(backlog_bytes_, std::memory_order_relaxed);
    log_.push_back({e.id, kind::event, std::move(e.topic), std::move(e.bytes)});
}

void fanout::broadcast(frame f) {
    push_comment(std::move(f));
    wake();
}

void fanout::push_comment(frame f) {
    std::lock_guard lock(log_mutex_);
    backlog_bytes_ += f->size();
    stats_.fanout_backlog_bytes.store(backlog_bytes_, std::memory_order_relaxed);
    log_.push_back({0, kind::comment, {}, std::move(f)});
}

void fanout::close_all(frame last) {
    {
        std::lock_guard lock(log_mutex_);
        if (last) backlog_bytes_ += last->size();
        stats_.fanout_backlog_bytes.store(backlog_bytes_, std::memory_order_relaxed);
        log_.push_back({0, kind::close, {}, std::move(last)});
    }
    wake();
}

void fanout::wake() {
    for (std::size_t k = 0; k < shards_.size(); ++k) {
        shard& s = *shards_[k];
        {
            std::lock_guard lock(log_mutex_);
            if (s.cursor == tail_locked()) continue;
            // Inline shards run on every wake (the caller's thread delivers before returning);
            // a posted shard has at most one pass posted or running, which takes every entry
            // pushed before it finds the log drained.
            if (s.post) {
                if (s.scheduled) continue;
                s.scheduled = true;
            }
        }
        if (s.post)
            s.post([this, k] { run(k); });
        else
            run(k);
    }
}

void fanout::run(std::size_t k) {
    shard& s = *shards_[k];
    std::unique_lock lock(s.mutex);
    std::size_t budget = s.post ? options_.slice : std::numeric_limits<std::size_t>::max();
    for (;;) {
        if (!s.passing && !take_locked(s)) return;
        if (s.current.what == kind::close) {
            close_locked(s);
            continue;
        }
        const bool counted = s.current.what == kind::event;
        while (s.at < s.targets.size() && budget > 0) {
            registration* r = s.targets[s.at++];
            if (r->gone) continue;
            // A subscriber that resumed from an id its shard had not reached has these already.
            if (s.current.id != 0 && s.current.id <= r->skip_through) continue;
            --budget;
            if (r->sub->deliver(s.current.bytes, s.current.id, false)) {
                if (counted) ++s.delivered;
                continue;
            }
            // Over its budget: it closes itself; here it only leaves.
            metrics::add(stats_.slow_client_drops);
            remove_locked(s, r->sub.get());
        }
        if (s.at == s.targets.size()) {
            finish_entry_locked(s);
            if (budget > 0) --budget;  // an entry nobody here follows still costs a little
            if (budget > 0) continue;
        }
        // This slice is used up: let the thread's other work run, then go on. The pass stays
        // `scheduled`, so wake() posts no second one meanwhile.
        lock.unlock();
        s.post([this, k] { run(k); });
        return;
    }
}

bool fanout::take_locked(shard& s) {
    {
        std::lock_guard lock(log_mutex_);
        if (s.cursor == tail_locked()) {
            s.scheduled = false;
            return false;
        }
        ++s.cursor;
        s.current = log_[s.cursor - base_];
        trim_log_locked();
    }
    // From here on a subscriber joining this shard starts after this entry: it is part of the
    // position (replayed from history), and not in `targets`.
    if (s.current.id != 0) s.position = s.current.id;
    s.passing = true;
    s.at = 0;
    s.delivered = 0;
    s.targets.clear();
    if (s.current.what == kind::comment) {
        for (const auto& [key, r] : s.registrations) s.targets.push_back(r.get());
    } else if (s.current.what == kind::close) {
        // close_locked() takes the registrations as they are when it runs.
    } else if (const auto it = s.topics.find(s.current.topic); it != s.topics.end()) {
        s.targets = it->second;
    }
    return true;
}

void fanout::close_locked(shard& s) {
    std::vector<std::shared_ptr<subscriber>> closing;
    for (const auto& [key, r] : s.registrations) closing.push_back(r->sub);
    while (!s.registrations.empty()) remove_locked(s, s.registrations.begin()->first);
    // Under the shard's lock, which close() allows (see subscriber): nothing of this shard can be
    // delivered to them after it.
    for (const auto& sub : closing) sub->close(s.current.bytes);
    finish_entry_locked(s);
}

void fanout::finish_entry_locked(shard& s) {
    metrics::add(stats_.events_delivered, s.delivered);
    s.passing = false;
    s.current = {};
    s.targets.clear();
    s.retired.clear();
}

void fanout::trim_log_locked() {
    std::uint64_t passed = std::numeric_limits<std::uint64_t>::max();
    for (const auto& s : shards_) passed = std::min(passed, s->cursor);
    while (!log_.empty() && base_ <= passed) {
        if (log_.front().bytes) backlog_bytes_ -= log_.front().bytes->size();
        log_.pop_front();
        ++base_;
    }
    stats_.fanout_backlog_bytes.store(backlog_bytes_, std::memory_order_relaxed);
}

std::error_code fanout::join(std::size_t k, const std::shared_ptr<subscriber>& sub,
                             const start_fn& start, resume_result& how) {
    shard& s = *shards_.at(k);
    std::lock_guard lock(s.mutex);
    {
        std::lock_guard where_lock(where_mutex_);
        if (!where_.emplace(sub.get(), k).second)
            return std::make_error_code(std::errc::already_connected);
    }
    subscription_start plan;
    if (const std::error_code ec = start(s.position, plan)) {
        std::lock_guard where_lock(where_mutex_);
        where_.erase(sub.get());
        return ec;
    }
    for (const auto& [f, id] : plan.frames) sub->deliver(f, id, true);
    auto reg = std::make_unique<registration>();
    reg->sub = sub;
    reg->skip_through = plan.skip_through;
    for (std::string& name : plan.topics) {
        topic_map::value_type& t = *s.topics.try_emplace(std::move(name)).first;
        reg->slots.emplace_back(&t, t.second.size());
        t.second.push_back(reg.get());
    }
    s.registrations.emplace(sub.get(), std::move(reg));
    metrics::add(stats_.subscribers);
    how = plan.how;
    return {};
}

void fanout::leave(const subscriber* sub) {
    std::size_t k = 0;
    {
        std::lock_guard where_lock(where_mutex_);
        const auto it = where_.find(sub);
        if (it == where_.end()) return;
        k = it->second;
    }
    shard& s = *shards_[k];
    std::lock_guard lock(s.mutex);
    remove_locked(s, sub);  // nothing if its shard dropped it meanwhile
}

std::vector<std::shared_ptr<subscriber>> fanout::leave_all() {
    std::vector<std::shared_ptr<subscriber>> out;
    for (const auto& sp : shards_) {
        shard& s = *sp;
        std::lock_guard lock(s.mutex);
        for (const auto& [key, r] : s.registrations) out.push_back(r->sub);
        while (!s.registrations.empty()) remove_locked(s, s.registrations.begin()->first);
        // Nobody is left to deliver the entry under way to: drop it with what it holds, so no
        // subscriber outlives this call in `retired` (a stopped server's streams must die with
        // its io_contexts).
        if (s.passing) finish_entry_locked(s);
    }
    return out;
}

void fanout::remove_locked(shard& s, const subscriber* sub) {
    const auto it = s.registrations.find(sub);
    if (it == s.registrations.end()) return;
    registration& r = *it->second;
    std::vector<std::string_view> names;
    names.reserve(r.slots.size());
    for (auto& [t, slot] : r.slots) {
        std::vector<registration*>& m = t->second;
        if (slot + 1 != m.size()) {
            // Move the last member into the gap and tell its registration where it went.
            registration* moved = m.back();
            m[slot] = moved;
            for (auto& place : moved->slots)
                if (place.first == t) place.second = slot;
        }
        m.pop_back();
        names.push_back(t->first);
    }
    on_leave_(names);
    for (auto& [t, slot] : r.slots) {
        if (t->second.empty()) {
            // Nobody else points at an empty topic's node. Erased by iterator: its key must
            // not be read while its own node goes.
            s.topics.erase(s.topics.find(std::string_view(t->first)));
        } else if (t->second.capacity() > 64 && t->second.size() < t->second.capacity() / 4) {
            // A topic that once had a crowd should not keep its array after the crowd left.
            t->second.shrink_to_fit();
        }
    }
    metrics::sub(stats_.subscribers);
    {
        std::lock_guard where_lock(where_mutex_);
        where_.erase(sub);
    }
    r.gone = true;
    if (s.passing) s.retired.push_back(std::move(it->second));
    s.registrations.erase(it);
}

std::size_t fanout::subscriber_count() const {
    std::lock_guard lock(where_mutex_);
    return where_.size();
}

}  // namespace sse::server
