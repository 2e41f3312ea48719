#include "scripted_session.hpp"

#include <sstream>

#include <boost/asio/post.hpp>
#include <boost/beast/http/write.hpp>

namespace sse::server::detail {

scripted_session::scripted_session(context& ctx, net::any_io_executor executor,
                                   std::shared_ptr<stream_sink> sink,
                                   std::optional<connection_slot> slot, script s)
    : ctx_(ctx),
      executor_(std::move(executor)),
      sink_(std::move(sink)),
      slot_(std::move(slot)),
      script_(std::move(s)),
      timer_(executor_) {}

scripted_session::~scripted_session() { ctx_.scripts.remove(this); }

void scripted_session::run() {
    ctx_.scripts.add(shared_from_this());
    ctx_.log.write(log_level::debug, "conformance stream open", {{"hold", script_.hold ? "yes" : "no"}});
    if (sink_->bind(weak_from_this(), ctx_.settings.write_timeout)) return end(false);
    if (sink_->send_head(script_.head.base())) {
        // The transport framed the head itself (HTTP/2): the items follow.
        script_.head = {};
        sink_->watch();
        return do_next();
    }
    std::ostringstream head;
    head << script_.head.base();
    script_.head = {};
    write(make_frame(std::move(head).str()));
    sink_->watch();
}

void scripted_session::heartbeat(const frame& f) {
    net::post(executor_, [self = shared_from_this(), f] {
        if (self->phase_ == phase::holding && !self->writing_) self->write(f);
    });
}

void scripted_session::close(const frame& last) {
    net::post(executor_, [self = shared_from_this(), last] {
        if (self->phase_ == phase::closing || self->phase_ == phase::ended) return;
        self->phase_ = phase::closing;
        self->last_ = last;
        self->pending_.reset();
        self->timer_.cancel();
        // A write in flight finishes first; on_write then sends `last`.
        if (!self->writing_) self->on_write({}, 0);
    });
}

void scripted_session::do_next() {
    std::optional<script_item> item = script_.source->next();
    if (!item) {
        if (script_.hold) {
            phase_ = phase::holding;
            return;
        }
        return end(true);
    }
    frame bytes = make_frame(std::move(item->bytes));
    if (item->delay.count() <= 0) return write(std::move(bytes));
    pending_ = std::move(bytes);
    timer_.expires_after(item->delay);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) { self->on_timer(ec); });
}

void scripted_session::on_timer(const error_code& ec) {
    // close() may have run after the timer fired but before this handler: it owns the socket now.
    if (ec || phase_ != phase::playing || !pending_) return;
    write(std::move(pending_));
}

void scripted_session::write(frame bytes) {
    writing_ = true;
    current_ = std::move(bytes);
    current_buffer_ = net::buffer(current_->data(), current_->size());
    const sink_write r = sink_->write({&current_buffer_, 1}, current_->size());
    if (r.pending()) return;  // on_sent() follows
    // Done (or failed) now. The next step is posted, not called: a script of many items without
    // delays would otherwise recurse once per item.
    net::post(executor_, [self = shared_from_this(), r] { self->on_write(r.ec, r.sent); });
}

void scripted_session::on_sent(const error_code& ec, std::size_t bytes) { on_write(ec, bytes); }

void scripted_session::on_peer_gone() { end(false); }  // EOF or a reset: the peer is gone

void scripted_session::on_write(const error_code& ec, std::size_t bytes) {
    writing_ = false;
    current_.reset();
    metrics::add(ctx_.stats.bytes_sent, bytes);
    if (ec) {
        if (ec == beast::error::timeout) {
            metrics::add(ctx_.stats.write_timeouts);
            ctx_.log.write(log_level::warn, "write timeout",
                           {{"kind", "conformance"}, {"timeout_ms", ctx_.settings.write_timeout.count()}});
        }
        return end(false);
    }
    switch (phase_) {
        case phase::playing: return do_next();
        case phase::holding: return;
        case phase::closing:
            if (last_ && !last_sent_) {
                last_sent_ = true;
                return write(last_);
            }
            return end(true);
        case phase::ended: return;
    }
}

void scripted_session::end(bool graceful) {
    if (phase_ == phase::ended) return;
    phase_ = phase::ended;
    ctx_.log.write(log_level::debug, "conformance stream closed");
    pending_.reset();
    timer_.cancel();
    // Graceful: FIN after what was written (TLS: close_notify first), so the client reads to the
    // end, then sees the close.
    sink_->close(graceful);
}
}  // namespace sse::server::detail
