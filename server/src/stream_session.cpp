#include "stream_session.hpp"

#include <algorithm>
#include <span>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

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

void stream_session::attach(beast::tcp_stream&& stream, connection_slot slot, frame head) {
    stream_.emplace(std::move(stream));
    slot_.emplace(std::move(slot));
    // Writes are tried synchronously first (do_write); they must never block the I/O thread.
    error_code nb_ec;
    stream_->socket().non_blocking(true, nb_ec);
    if (nb_ec) return end("socket-error");
    {
        std::lock_guard lock(mutex_);
        if (ended_) {
            // Dropped before it could start (over budget in the first microseconds): close now.
            error_code ignored;
            stream_->socket().close(ignored);
            return;
        }
        // The head must precede the replay the hub queued during subscribe(). Both are exempt from
        // the budget: the head is small and usually shared by all streams, the replay is held by
        // the history anyway.
        std::vector<queued> front{{std::move(head), 0, true}};
        if (ctx_.retry_hint) front.push_back({ctx_.retry_hint, 0, true});
        for (const queued& q : front) queued_bytes_ += q.bytes->size();
        pending_.insert(pending_.begin(), front.begin(), front.end());
        holding_ = false;
        schedule_write_locked(true);  // headers go out at once, replay with them
    }
    do_watch();
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

    // The common case first: the socket's send buffer has room, so non-blocking gathered writes
    // (one sendmsg each, at most 64 frames per call) hand over everything, with no asynchronous
    // operation, timer or completion handler. Only what the socket does not take goes through
    // async_write with the timeout.
    std::size_t sent = 0;
    std::size_t at = 0;  // buffers_[at] is the first with bytes left
    for (;;) {
        error_code ec;
        std::size_t n =
            stream_->socket().write_some(std::span(buffers_).subspan(at), ec);
        if (ec == net::error::would_block || ec == net::error::try_again) break;
        if (ec) {
            metrics::add(ctx_.stats.bytes_sent, sent);
            return end("write-error");
        }
        sent += n;
        if (sent == writing_bytes_) return write_done(sent);
        if (n == 0) break;  // nothing taken and no error: leave it to async_write
        while (n >= buffers_[at].size()) n -= buffers_[at++].size();
        buffers_[at] += n;
    }

    buffers_.erase(buffers_.begin(), buffers_.begin() + static_cast<std::ptrdiff_t>(at));
    // tcp_stream's timeout covers each write_some of the composed write: a peer that stops
    // reading stalls one of them, and the stream closes with beast::error::timeout.
    stream_->expires_after(ctx_.settings.write_timeout);
    net::async_write(*stream_, buffers_,
                     [self = shared_from_this(), sent](const error_code& write_ec,
                                                       std::size_t rest) {
                         self->on_write(write_ec, sent + rest);
                     });
}

void stream_session::on_write(const error_code& ec, std::size_t bytes) {
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
    stream_->expires_never();
    write_done(bytes);
}

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

void stream_session::do_watch() {
    // A stream never reads requests, but a readable socket is how a closed peer shows up while
    // nothing is being written. wait_read needs no buffer, which keeps idle streams small.
    stream_->socket().async_wait(tcp::socket::wait_read,
                                 [self = shared_from_this()](const error_code& ec) {
                                     self->on_watch(ec);
                                 });
}

void stream_session::on_watch(const error_code& ec) {
    if (ec) return;  // cancelled: the stream is ending
    char discard[512];
    error_code read_ec;  // the socket is non-blocking since attach()
    const std::size_t n = stream_->socket().read_some(net::buffer(discard), read_ec);
    if (read_ec == net::error::would_block || (!read_ec && n > 0)) {
        do_watch();  // the peer sent bytes a stream ignores; keep watching
        return;
    }
    end("peer-closed");  // EOF or a reset: the peer is gone
}

void stream_session::end(std::string_view reason) {
    {
        std::lock_guard lock(mutex_);
        if (ended_ && !stream_) return;
        ended_ = true;
        pending_.clear();
    }
    ctx_.events.unsubscribe(this);
    if (!stream_ || !stream_->socket().is_open()) return;
    ctx_.log.write(log_level::debug, "stream closed", {{"topics", topics_}, {"reason", reason}});
    error_code ignored;
    // Send FIN after what was written, so a client that reads to the end sees a clean close.
    stream_->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_->close();
}

}  // namespace sse::server::detail
