#include "h2_stream.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/post.hpp>
#include <nghttp2/nghttp2.h>

#include "h2_connection.hpp"

namespace sse::server::detail {

h2_stream::h2_stream(std::weak_ptr<h2_connection> conn, std::int32_t id,
                     net::any_io_executor executor)
    : conn_(std::move(conn)), id_(id), executor_(std::move(executor)) {
    request_.version(11);
}

h2_stream::~h2_stream() = default;

bool h2_stream::add_field(std::string_view name, std::string_view value, std::size_t limit) {
    field_bytes_ += name.size() + value.size() + 4;
    if (field_bytes_ > limit) fields_too_large_ = true;
    if (fields_too_large_) return false;
    if (name == ":method") request_.method_string(value);
    else if (name == ":path") request_.target(value);
    else if (name == ":authority") {
        // :authority wins over a host field (RFC 9113 8.3.1); the request gets one Host field.
        request_.set(http::field::host, value);
        authority_ = true;
    } else if (name == "host") {
        if (!authority_) request_.set(http::field::host, value);
    } else if (!name.empty() && name.front() != ':') request_.insert(name, value);
    return true;
}

bool h2_stream::add_body(std::string_view bytes, std::size_t limit) {
    if (body_too_large_) return false;
    if (request_.body().size() + bytes.size() > limit) {
        body_too_large_ = true;
        request_.body().clear();
        return false;
    }
    request_.body().append(bytes);
    return true;
}

void h2_stream::set_reply_body(std::string body, std::chrono::milliseconds write_timeout) {
    reply_ = true;
    reply_body_ = std::move(body);
    reply_sent_ = 0;
    write_timeout_ = write_timeout;
    arm_reply_timer();
}

void h2_stream::arm_reply_timer() {
    if (write_timeout_.count() <= 0 || gone_) return;
    if (!timer_) timer_.emplace(executor_);
    timer_->expires_after(write_timeout_);
    timer_->async_wait([weak = weak_from_this()](const error_code& ec) {
        if (ec) return;
        auto self = weak.lock();
        if (!self || self->gone_ || !self->reply_ || self->reply_held() == 0) return;
        if (auto conn = self->conn_.lock()) conn->reply_timed_out(self->id_);
    });
}

void h2_stream::start_request_timer(std::chrono::milliseconds timeout) {
    if (timeout.count() <= 0) return;
    if (!request_timer_) request_timer_.emplace(executor_);
    request_timer_->expires_after(timeout);
    request_timer_->async_wait([weak = weak_from_this()](const error_code& ec) {
        if (ec) return;
        auto self = weak.lock();
        if (!self || self->gone_ || self->answered) return;
        if (auto conn = self->conn_.lock()) conn->request_timed_out(self->id_);
    });
}

void h2_stream::stop_request_timer() {
    if (request_timer_) request_timer_->cancel();
}

ssize_t h2_stream::read_data(std::uint8_t* buf, std::size_t length, std::uint32_t* flags) {
    if (reply_) {
        const std::size_t n = std::min(length, reply_body_.size() - reply_sent_);
        std::memcpy(buf, reply_body_.data() + reply_sent_, n);
        reply_sent_ += n;
        if (reply_sent_ == reply_body_.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            reply_body_ = {};
            reply_sent_ = 0;
            if (timer_) timer_->cancel();
        } else if (n > 0) {
            arm_reply_timer();  // progress: the write timeout counts from here
        }
        return static_cast<ssize_t>(n);
    }
    std::size_t n = 0;
    while (n < length && !frames_.empty()) {
        net::const_buffer& b = frames_.front();
        const std::size_t take = std::min(length - n, b.size());
        std::memcpy(buf + n, b.data(), take);
        n += take;
        b += take;
        if (b.size() == 0) frames_ = frames_.subspan(1);
    }
    sent_ += n;
    if (frames_.empty() && pending_) {
        if (in_write_) pending_ = false;  // write() reports it as done
        else report_sent({});
    } else if (n > 0 && pending_) {
        arm_timer();  // progress: the write timeout counts from here
    }
    if (n > 0) return static_cast<ssize_t>(n);
    if (eof_) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
    }
    return NGHTTP2_ERR_DEFERRED;
}

void h2_stream::on_closed(bool by_peer) {
    if (gone_) return;
    gone_ = true;
    if (timer_) timer_->cancel();
    if (request_timer_) request_timer_->cancel();
    reply_body_ = {};
    reply_sent_ = 0;
    frames_ = {};
    if (closed_) {
        // close() came first; a write it left pending is reported cancelled, as on HTTP/1.1.
        if (pending_) report_sent(net::error::operation_aborted);
        watcher_.reset();
        return;
    }
    // Not ended by this side: a reset by the peer (`by_peer`), or nghttp2 ending it on an error or
    // with the connection. Either way the owner's response is over.
    (void)by_peer;
    pending_ = false;
    std::shared_ptr<sink_owner> owner = std::move(watcher_);
    if (!owner) owner = owner_.lock();
    if (owner) net::post(executor_, [owner] { owner->on_peer_gone(); });
}

void h2_stream::watch() {
    if (!gone_ && !closed_) watcher_ = owner_.lock();
}

error_code h2_stream::bind(std::weak_ptr<sink_owner> owner, std::chrono::milliseconds write_timeout) {
    owner_ = std::move(owner);
    write_timeout_ = write_timeout;
    if (gone_) return net::error::connection_reset;
    return {};
}

bool h2_stream::send_head(const boost::beast::http::response_header<>& head) {
    const auto conn = conn_.lock();
    // A head nghttp2 refuses resets the stream: the owner hears on_peer_gone() and its writes fail.
    if (conn && !gone_ && !conn->submit_head(id_, head, true)) conn->reset(id_);
    return true;  // also when the stream is gone: its writes then fail
}

sink_write h2_stream::write(std::span<net::const_buffer> frames, std::size_t bytes) {
    const auto conn = conn_.lock();
    if (!conn || gone_ || closed_) return sink_write::failed(net::error::broken_pipe);
    frames_ = frames;
    total_ = bytes;
    sent_ = 0;
    pending_ = true;
    in_write_ = true;
    conn->resume(id_);  // runs nghttp2's output now unless inside its callbacks
    in_write_ = false;
    // Gone first: a stream closed while its bytes went out did not deliver them for certain.
    if (gone_) {
        pending_ = false;
        return sink_write::failed(net::error::connection_reset, sent_);
    }
    if (!pending_) return sink_write::complete(bytes);
    arm_timer();
    return {};
}

void h2_stream::close(bool graceful) {
    if (closed_) return;
    closed_ = true;
    if (timer_) timer_->cancel();
    watcher_.reset();  // the owner ends the stream: nothing more to keep it for
    const auto conn = conn_.lock();
    if (gone_ || !conn) return;
    if (graceful) {
        eof_ = true;
        conn->resume(id_);
    } else {
        frames_ = {};
        conn->reset(id_);
    }
}

void h2_stream::arm_timer() {
    if (write_timeout_.count() <= 0) return;
    if (!timer_) timer_.emplace(executor_);
    timer_->expires_after(write_timeout_);
    timer_->async_wait([weak = weak_from_this()](const error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_timeout();
    });
}

void h2_stream::on_timeout() {
    if (!pending_ || gone_ || closed_) return;
    report_sent(beast::error::timeout);
}

void h2_stream::report_sent(const error_code& ec) {
    pending_ = false;
    if (timer_) timer_->cancel();
    const std::size_t bytes = ec ? sent_ : total_;
    if (auto owner = owner_.lock())
        net::post(executor_, [owner, ec, bytes] { owner->on_sent(ec, bytes); });
}

}  // namespace sse::server::detail
