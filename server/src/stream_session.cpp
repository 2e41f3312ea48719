#include "stream_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace sse::server::detail {

stream_session::stream_session(context& ctx, net::any_io_executor executor)
    : ctx_(ctx), executor_(std::move(executor)) {}

stream_session::~stream_session() = default;

std::error_code stream_session::subscribe(const std::vector<std::string>& topics,
                                          const std::optional<std::string>& last_event_id,
                                          resume_result& how) {
    std::error_code ec;
    std::optional<std::string_view> id;
    if (last_event_id) id = *last_event_id;
    how = ctx_.events.subscribe(shared_from_this(), topics, id, ec);
    return ec;
}

void stream_session::attach(beast::tcp_stream&& stream, connection_slot slot, frame head) {
    stream_.emplace(std::move(stream));
    slot_.emplace(std::move(slot));
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
        std::vector<frame> front{std::move(head)};
        if (ctx_.retry_hint) front.push_back(ctx_.retry_hint);
        for (const frame& f : front) {
            queued_bytes_ += f->size();
            exempt_bytes_ += f->size();
        }
        pending_.insert(pending_.begin(), front.begin(), front.end());
        holding_ = false;
        schedule_write_locked();
    }
    do_watch();
}

bool stream_session::deliver(const frame& f, bool exempt) {
    std::lock_guard lock(mutex_);
    if (ended_ || closing_) return true;  // leaving anyway; not a budget failure
    const std::size_t counted = queued_bytes_ - exempt_bytes_;
    if (!exempt && counted + f->size() > ctx_.settings.queue_budget) {
        // Over budget: this reader cannot keep up. Free what it holds now and close it on its
        // strand; the hub unregisters it when this returns false.
        ended_ = true;
        pending_.clear();
        pending_.shrink_to_fit();
        net::post(executor_, [self = shared_from_this()] { self->end(); });
        return false;
    }
    pending_.push_back(f);
    queued_bytes_ += f->size();
    if (exempt) exempt_bytes_ += f->size();
    schedule_write_locked();
    return true;
}

void stream_session::close(const frame& last) {
    std::lock_guard lock(mutex_);
    if (ended_ || closing_) return;
    closing_ = true;
    if (last) {
        pending_.push_back(last);
        queued_bytes_ += last->size();
    }
    // Even with nothing to send, a write pass notices `closing_` and ends the stream.
    schedule_write_locked();
}

void stream_session::schedule_write_locked() {
    if (holding_ || write_scheduled_ || ended_) return;
    write_scheduled_ = true;
    net::post(executor_, [self = shared_from_this()] { self->do_write(); });
}

void stream_session::do_write() {
    {
        std::lock_guard lock(mutex_);
        if (ended_) return;
        if (pending_.empty()) {
            write_scheduled_ = false;
            if (!closing_) return;
        } else {
            writing_.swap(pending_);
        }
    }
    if (writing_.empty()) {  // closing and drained
        end();
        return;
    }
    buffers_.clear();
    buffers_.reserve(writing_.size());
    for (const frame& f : writing_) buffers_.emplace_back(f->data(), f->size());
    // tcp_stream's timeout covers each write_some of the composed write: a peer that stops
    // reading stalls one of them, and the stream closes with beast::error::timeout.
    stream_->expires_after(ctx_.settings.write_timeout);
    net::async_write(*stream_, buffers_,
                     [self = shared_from_this()](const error_code& ec, std::size_t n) {
                         self->on_write(ec, n);
                     });
}

void stream_session::on_write(const error_code& ec, std::size_t bytes) {
    metrics::add(ctx_.stats.bytes_sent, bytes);
    if (ec) {
        if (ec == beast::error::timeout) metrics::add(ctx_.stats.write_timeouts);
        end();
        return;
    }
    stream_->expires_never();
    writing_.clear();
    // A burst can leave big vectors behind; an idle subscriber should cost little memory.
    if (writing_.capacity() > 64) {
        writing_.shrink_to_fit();
        buffers_ = {};
    }
    {
        std::lock_guard lock(mutex_);
        queued_bytes_ -= bytes;
        exempt_bytes_ -= std::min(exempt_bytes_, bytes);
    }
    do_write();
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
    error_code read_ec;
    stream_->socket().non_blocking(true, read_ec);
    const std::size_t n = stream_->socket().read_some(net::buffer(discard), read_ec);
    if (read_ec == net::error::would_block || (!read_ec && n > 0)) {
        do_watch();  // the peer sent bytes a stream ignores; keep watching
        return;
    }
    end();  // EOF or a reset: the peer is gone
}

void stream_session::end() {
    {
        std::lock_guard lock(mutex_);
        ended_ = true;
        pending_.clear();
    }
    ctx_.events.unsubscribe(this);
    if (!stream_) return;
    error_code ignored;
    // Send FIN after what was written, so a client that reads to the end sees a clean close.
    stream_->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_->close();
}

}  // namespace sse::server::detail
