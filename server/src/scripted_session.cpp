#include "scripted_session.hpp"

#include <sstream>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

namespace sse::server::detail {

scripted_session::scripted_session(context& ctx, beast::tcp_stream&& stream, connection_slot slot,
                                   script s)
    : ctx_(ctx),
      stream_(std::move(stream)),
      slot_(std::move(slot)),
      script_(std::move(s)),
      timer_(stream_.get_executor()) {}

scripted_session::~scripted_session() { ctx_.scripts.remove(this); }

void scripted_session::run() {
    ctx_.scripts.add(shared_from_this());
    ctx_.log.write(log_level::debug, "conformance stream open", {{"hold", script_.hold ? "yes" : "no"}});
    std::ostringstream head;
    head << script_.head.base();
    script_.head = {};
    write(make_frame(std::move(head).str()));
    do_watch();
}

void scripted_session::heartbeat(const frame& f) {
    net::post(stream_.get_executor(), [self = shared_from_this(), f] {
        if (self->phase_ == phase::holding && !self->writing_) self->write(f);
    });
}

void scripted_session::close(const frame& last) {
    net::post(stream_.get_executor(), [self = shared_from_this(), last] {
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
        return end();
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
    stream_.expires_after(ctx_.settings.write_timeout);
    net::async_write(stream_, net::buffer(current_->data(), current_->size()),
                     [self = shared_from_this()](const error_code& ec, std::size_t n) {
                         self->on_write(ec, n);
                     });
}

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
        return end();
    }
    stream_.expires_never();
    switch (phase_) {
        case phase::playing: return do_next();
        case phase::holding: return;
        case phase::closing:
            if (last_ && !last_sent_) {
                last_sent_ = true;
                return write(last_);
            }
            return end();
        case phase::ended: return;
    }
}

void scripted_session::do_watch() {
    // Nothing is read from a scripted stream; a readable socket is how a closed peer shows up.
    stream_.socket().async_wait(tcp::socket::wait_read,
                                [self = shared_from_this()](const error_code& ec) {
                                    self->on_watch(ec);
                                });
}

void scripted_session::on_watch(const error_code& ec) {
    if (ec || phase_ == phase::ended) return;
    char discard[512];
    error_code read_ec;
    stream_.socket().non_blocking(true, read_ec);
    const std::size_t n = stream_.socket().read_some(net::buffer(discard), read_ec);
    if (read_ec == net::error::would_block || (!read_ec && n > 0)) return do_watch();
    end();  // EOF or a reset: the peer is gone
}

void scripted_session::end() {
    if (phase_ == phase::ended) return;
    phase_ = phase::ended;
    ctx_.log.write(log_level::debug, "conformance stream closed");
    pending_.reset();
    timer_.cancel();
    error_code ignored;
    // FIN after what was written: the client reads to the end, then sees the close.
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
}

}  // namespace sse::server::detail
