#include "stream_session.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "flusher.hpp"
#include "sse/encoder.hpp"

namespace sse::server::detail {
namespace {

std::string_view resume_name(resume_result r) {
    switch (r) {
        case resume_result::live: return "live";
        case resume_result::complete: return "complete";
        case resume_result::truncated: return "truncated";
    }
    return "live";
}

// The resync signal: the same event type as a truncated resume, so a client handles both in one
// listener; no `id`, so it does not move the client's position.
frame slow_client_signal(std::uint64_t last_sent) {
    const std::string data =
        "{\"lastEventId\":\"" + std::to_string(last_sent) + "\",\"reason\":\"slow-client\"}";
    std::string bytes;
    sse::encode({.type = history_truncated_type, .data = std::string_view(data)}, bytes);
    return make_frame(std::move(bytes));
}

}  // namespace

stream_session::stream_session(context& ctx, net::any_io_executor executor)
    : ctx_(ctx), executor_(std::move(executor)), flush_(ctx.flusher_for(executor_)) {}

stream_session::~stream_session() = default;

std::error_code stream_session::subscribe(const std::vector<std::string>& topics,
                                          const std::optional<std::string>& last_event_id,
                                          resume_result& how) {
    std::error_code ec;
    std::optional<std::string_view> id;
    if (last_event_id) id = *last_event_id;
    // Set before the hub can deliver (deliver() reads it for its warnings), and only when a line
    // could use it: an idle subscriber should not pay for a string.
    if (ctx_.log.enabled(log_level::warn))
        for (const std::string& t : topics) topics_ += (topics_.empty() ? "" : ",") + t;
    // On this stream's own shard: its I/O thread makes every live delivery.
    how = ctx_.events.subscribe(shared_from_this(), topics, id, ec, ctx_.shard_for(executor_));
    if (!ec && ctx_.log.enabled(log_level::debug)) {
        ctx_.log.write(log_level::debug, "stream open",
                       {{"topics", topics_}, {"resume", resume_name(how)},
                        {"last_event_id", last_event_id.value_or("")}});
    }
    return ec;
}

void stream_session::attach(std::shared_ptr<stream_sink> sink, std::optional<connection_slot> slot,
                            frame head) {
    sink_ = std::move(sink);
    if (slot) slot_.emplace(std::move(*slot));
    if (sink_->bind(weak_from_this(), ctx_.settings.write_timeout)) return end("socket-error");
    {
        std::lock_guard lock(mutex_);
        if (ended_) {
            // Dropped before it could start (over budget in the first microseconds): close now.
            sink_->close(false);
            return;
        }
        // The head must precede the replay the hub queued during subscribe(). Both are exempt from
        // the budget: the head is small and usually shared by all streams, the replay is held by
        // the history anyway.
        std::vector<queued> front;
        if (head) front.push_back({std::move(head), 0, true});
        if (ctx_.retry_hint) front.push_back({ctx_.retry_hint, 0, true});
        for (const queued& q : front) queued_bytes_ += q.bytes->size();
        pending_.insert(pending_.begin(), front.begin(), front.end());
        holding_ = false;
        schedule_write_locked(true);  // headers go out at once, replay with them
    }
    sink_->watch();
}

bool stream_session::deliver(const frame& f, std::uint64_t id, bool exempt) {
    std::lock_guard lock(mutex_);
    if (ended_ || closing_) return true;  // leaving anyway; not a budget failure
    if (!exempt && counted_bytes_ + f->size() > ctx_.settings.queue_budget) {
        if (ctx_.settings.slow_client == slow_client_policy::disconnect) {
            // This reader cannot keep up. Free what it holds now and close it on its I/O thread; the
            // hub unregisters it when this returns false.
            ctx_.log.write(log_level::warn, "slow client disconnected",
                           {{"topics", topics_}, {"queued_bytes", counted_bytes_},
                            {"budget", ctx_.settings.queue_budget}});
            ended_ = true;
            pending_.clear();
            pending_.shrink_to_fit();
            net::post(executor_, [self = shared_from_this()] { self->end("slow-client"); });
            return false;
        }
        resync_locked();
        if (counted_bytes_ + f->size() > ctx_.settings.queue_budget) {
            // Larger than the whole budget: it can never be queued. The signal already says
            // where the client's gap starts.
            metrics::add(ctx_.stats.events_dropped);
            return true;
        }
    }
    push_locked({f, id, exempt});
    return true;
}

void stream_session::push_locked(queued q) {
    queued_bytes_ += q.bytes->size();
    if (!q.exempt) counted_bytes_ += q.bytes->size();
    pending_.push_back(std::move(q));
    schedule_write_locked();
}

void stream_session::resync_locked() {
    // What the client will have received: everything handed to the socket, and the exempt frames
    // that stay queued (the subscription's start). Ids only grow along the queue.
    std::uint64_t last = last_taken_id_;
    std::size_t dropped = 0;
    const auto is_dropped = [&](const queued& q) {
        if (q.exempt) {
            last = std::max(last, q.id);
            return false;
        }
        ++dropped;
        queued_bytes_ -= q.bytes->size();
        counted_bytes_ -= q.bytes->size();
        return true;
    };
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(), is_dropped), pending_.end());
    metrics::add(ctx_.stats.slow_client_resyncs);
    metrics::add(ctx_.stats.events_dropped, dropped);
    ctx_.log.write(log_level::warn, "slow client resynced",
                   {{"topics", topics_}, {"dropped_frames", dropped}, {"last_event_id", last}});
    // Counted and droppable like an event, so repeated resyncs replace it rather than pile up.
    push_locked({slow_client_signal(last), 0, false});
}

void stream_session::close(const frame& last) {
    std::lock_guard lock(mutex_);
    if (ended_ || closing_) return;
    closing_ = true;
    if (last) {
        pending_.push_back({last, 0, true});
        queued_bytes_ += last->size();
    }
    // Even with nothing to send, a write pass notices `closing_` and ends the stream.
    schedule_write_locked(true);
}

void stream_session::schedule_write_locked(bool now) {
    if (holding_ || write_scheduled_ || ended_) return;
    write_scheduled_ = true;
    if (flush_ && !now && !closing_)
        flush_->add(shared_from_this());
    else
        flush();
}

void stream_session::flush() {
    net::post(executor_, [self = shared_from_this()] { self->do_write(); });
}

void stream_session::write_now() { do_write(); }

void stream_session::do_write() {
    {
        std::lock_guard lock(mutex_);
        if (ended_) return;
        if (pending_.empty()) {
            write_scheduled_ = false;
            if (!closing_) return;
        } else {
            writing_.swap(pending_);
            writing_bytes_ = writing_counted_ = 0;
            for (const queued& q : writing_) {
                writing_bytes_ += q.bytes->size();
                if (!q.exempt) writing_counted_ += q.bytes->size();
                if (q.id != 0) last_taken_id_ = q.id;
            }
        }
    }
    if (writing_.empty()) {  // closing and drained
        end(ctx_.stopping.load() ? "shutdown" : "closed");
        return;
    }
    buffers_.clear();
    buffers_.reserve(writing_.size());
    for (const queued& q : writing_) buffers_.emplace_back(q.bytes->data(), q.bytes->size());

    const sink_write r = sink_->write(buffers_, writing_bytes_);
    if (r.done) return write_done(writing_bytes_);
    if (r.ec) {
        metrics::add(ctx_.stats.bytes_sent, r.sent);
        return end("write-error");
    }
    // Pending: on_sent() follows.
}

void stream_session::on_sent(const error_code& ec, std::size_t bytes) {
    if (ec) {
        metrics::add(ctx_.stats.bytes_sent, bytes);
        if (ec == beast::error::timeout) {
            metrics::add(ctx_.stats.write_timeouts);
            ctx_.log.write(log_level::warn, "write timeout",
                           {{"kind", "stream"}, {"topics", topics_},
                            {"timeout_ms", ctx_.settings.write_timeout.count()}});
            return end("write-timeout");
        }
        return end("write-error");
    }
    write_done(bytes);
}

void stream_session::on_peer_gone() { end("peer-closed"); }

void stream_session::write_done(std::size_t bytes) {
    metrics::add(ctx_.stats.bytes_sent, bytes);
    writing_.clear();
    // A burst can leave big vectors behind; an idle subscriber should cost little memory.
    if (writing_.capacity() > 64) {
        writing_.shrink_to_fit();
        buffers_ = {};
    }
    std::lock_guard lock(mutex_);
    queued_bytes_ -= writing_bytes_;
    counted_bytes_ -= writing_counted_;
    writing_bytes_ = writing_counted_ = 0;
    // The writer goes idle. What arrived during the write waits for the next flush window like
    // any other event, so under load each write carries every event of one window.
    write_scheduled_ = false;
    if (!pending_.empty() || closing_) schedule_write_locked(closing_);
}

void stream_session::end(std::string_view reason) {
    {
        std::lock_guard lock(mutex_);
        if (ended_ && !sink_) return;
        ended_ = true;
        pending_.clear();
    }
    ctx_.events.unsubscribe(this);
    if (!sink_ || !sink_->is_open()) return;
    ctx_.log.write(log_level::debug, "stream closed", {{"topics", topics_}, {"reason", reason}});
    // A stream that ends normally closes cleanly after what was written (FIN; TLS close_notify
    // first). One whose peer is gone or stuck is cut at once: a close_notify would only wait
    // behind the bytes it does not read.
    sink_->close(reason == "closed" || reason == "shutdown");
}

}  // namespace sse::server::detail
