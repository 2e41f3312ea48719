#include "h2_connection.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <nghttp2/nghttp2.h>

#include "h2_stream.hpp"
#include "scripted_session.hpp"
#include "stream_session.hpp"

namespace sse::server::detail {
namespace {

// Fields that describe one connection, not a message: an HTTP/2 response carrying one is
// malformed (RFC 9113 8.2.2), and browsers fail the stream on it.
bool connection_specific(std::string_view lower_name) {
    return lower_name == "connection" || lower_name == "keep-alive" ||
           lower_name == "proxy-connection" || lower_name == "transfer-encoding" ||
           lower_name == "upgrade" || lower_name == "te";
}

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
            value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::string_view view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

/// nghttp2's callbacks, forwarding to the h2_connection given as the session's user data.
struct h2_callbacks {
    static h2_connection& self(void* user_data) { return *static_cast<h2_connection*>(user_data); }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
            self(user_data).on_request_begin(frame->hd.stream_id);
        return 0;
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                         std::uint8_t, void* user_data) {
        h2_connection& c = self(user_data);
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
            return 0;  // trailers are ignored, as HTTP/1.1's chunked trailers are
        if (auto st = c.find(frame->hd.stream_id))
            st->add_field(view(name, namelen), view(value, valuelen), c.ctx_.settings.max_header_size);
        return 0;
    }

    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        h2_connection& c = self(user_data);
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
        auto st = c.find(frame->hd.stream_id);
        if (!st || st->answered) return 0;
        // Answered as soon as the head is known to be too large; otherwise when the request ends.
        if (st->fields_too_large() || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
            c.dispatch(st);
        return 0;
    }

    static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                             const std::uint8_t* data, std::size_t len, void* user_data) {
        h2_connection& c = self(user_data);
        auto st = c.find(stream_id);
        if (!st || st->answered) return 0;
        if (!st->add_body(view(data, len), c.ctx_.settings.max_body_size)) c.dispatch(st);  // 413
        return 0;
    }

    // A response ended (END_STREAM sent) while its request is still open: RST_STREAM NO_ERROR
    // tells the peer to stop sending the rest (RFC 9113 8.1).
    static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void*) {
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
        if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
        if (nghttp2_session_get_stream_remote_close(session, frame->hd.stream_id) == 0)
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                      NGHTTP2_NO_ERROR);
        return 0;
    }

    static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t code,
                               void* user_data) {
        self(user_data).on_stream_closed(stream_id, code != NGHTTP2_NO_ERROR);
        return 0;
    }

    static ssize_t read_data(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf,
                             std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                             void* user_data) {
        auto st = self(user_data).find(stream_id);
        if (!st) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        return st->read_data(buf, length, flags);
    }
};

h2_connection::h2_connection(std::shared_ptr<connection> conn, connection_slot slot, context& ctx)
    : ctx_(ctx),
      executor_(conn->get_executor()),
      conn_(std::move(conn)),
      slot_(std::move(slot)),
      idle_timer_(executor_),
      write_timer_(executor_) {}

h2_connection::~h2_connection() {
    ctx_.h2_connections.remove(this);
    if (session_) nghttp2_session_del(session_);
}

void h2_connection::run(std::string_view received) {
    ctx_.h2_connections.add(shared_from_this());
    metrics::add(ctx_.stats.h2_connections_total);
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &h2_callbacks::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, &h2_callbacks::on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &h2_callbacks::on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &h2_callbacks::on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &h2_callbacks::on_stream_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &h2_callbacks::on_frame_send);
    const int rv = nghttp2_session_server_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    if (rv != 0) {
        session_ = nullptr;
        return finish(false);
    }
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, ctx_.settings.h2_max_streams},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         static_cast<std::uint32_t>(std::min<std::size_t>(ctx_.settings.max_header_size, UINT32_MAX))}};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    conn_->tcp_layer().expires_never();  // this class bounds idleness and writes with its timers
    if (ctx_.log.enabled(log_level::debug))
        ctx_.log.write(log_level::debug, "http/2 connection open",
                       {{"transport", conn_->is_tls() ? "h2" : "h2c"}});
    if (!received.empty()) {
        in_callback_ = true;
        const auto n = nghttp2_session_mem_recv(
            session_, reinterpret_cast<const std::uint8_t*>(received.data()), received.size());
        in_callback_ = false;
        if (n < 0) return finish(false);
    }
    pump();
    arm_idle();
    do_read();
}

void h2_connection::close() {
    net::post(executor_, [self = shared_from_this()] {
        if (self->finished_ || self->goaway_ || !self->session_) return;
        self->goaway_ = true;
        nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE,
                              nghttp2_session_get_last_proc_stream_id(self->session_),
                              NGHTTP2_NO_ERROR, nullptr, 0);
        self->pump();
    });
}

bool h2_connection::submit_head(std::int32_t id, const http::response_header<>& head, bool body) {
    // Names lower-cased (HTTP/2 requires it), connection-specific fields left out. Every string
    // is in place before the first pointer to one is taken; nghttp2 copies them.
    std::vector<std::string> strings;
    strings.push_back(":status");
    strings.push_back(std::to_string(head.result_int()));
    for (const auto& f : head) {
        std::string name(f.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        if (connection_specific(name)) continue;
        strings.push_back(std::move(name));
        strings.emplace_back(f.value());
    }
    std::vector<nghttp2_nv> nva;
    nva.reserve(strings.size() / 2);
    for (std::size_t k = 0; k + 1 < strings.size(); k += 2)
        nva.push_back(make_nv(strings[k], strings[k + 1]));
    nghttp2_data_provider provider{};
    provider.read_callback = &h2_callbacks::read_data;
    return nghttp2_submit_response(session_, id, nva.data(), nva.size(),
                                   body ? &provider : nullptr) == 0;
}

void h2_connection::resume(std::int32_t id) {
    if (finished_) return;
    nghttp2_session_resume_data(session_, id);  // an error only says it was not deferred
    pump();
}

void h2_connection::reset(std::int32_t id) {
    if (finished_) return;
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    pump();
}

void h2_connection::reply_timed_out(std::int32_t id) {
    if (finished_ || !find(id)) return;
    metrics::add(ctx_.stats.write_timeouts);
    ctx_.log.write(log_level::warn, "write timeout",
                   {{"kind", "http/2 reply"}, {"timeout_ms", ctx_.settings.write_timeout.count()}});
    reset(id);
}

void h2_connection::request_timed_out(std::int32_t id) {
    auto st = find(id);
    if (finished_ || !st || st->answered) return;
    st->answered = true;
    if (ctx_.log.enabled(log_level::debug))
        ctx_.log.write(log_level::debug, "request timeout",
                       {{"kind", "http/2"}, {"timeout_ms", ctx_.settings.request_timeout.count()}});
    answer(st, router::error(http::status::request_timeout, "request timeout\n"));
    pump();
}

void h2_connection::pump() {
    if (finished_ || !session_) return;
    if (in_callback_) {
        if (pump_posted_) return;
        pump_posted_ = true;
        net::post(executor_, [self = shared_from_this()] {
            self->pump_posted_ = false;
            self->pump();
        });
        return;
    }
    in_callback_ = true;
    while (out_.size() < out_limit) {
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) {
            in_callback_ = false;
            return finish(false);
        }
        if (n == 0) break;
        out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
    }
    in_callback_ = false;
    do_write();
    check_done();
}

void h2_connection::do_read() {
    conn_->async_read_some(net::buffer(read_buffer_),
                           [self = shared_from_this()](const error_code& ec, std::size_t n) {
                               self->on_read(ec, n);
                           });
}

void h2_connection::on_read(const error_code& ec, std::size_t n) {
    if (finished_) return;
    if (ec) return finish(false);  // the peer closed or reset the connection, or TLS failed
    in_callback_ = true;
    const auto rv = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const std::uint8_t*>(read_buffer_.data()), n);
    in_callback_ = false;
    if (rv < 0) {
        if (ctx_.log.enabled(log_level::debug))
            ctx_.log.write(log_level::debug, "http/2 connection failed",
                           {{"error", nghttp2_strerror(static_cast<int>(rv))}});
        return finish(false);
    }
    pump();
    if (!finished_) do_read();
}

void h2_connection::do_write() {
    if (write_pending_ || out_.empty() || finished_) return;
    writing_.swap(out_);
    out_.clear();
    write_pending_ = true;
    if (ctx_.settings.write_timeout.count() > 0) {
        write_timer_.expires_after(ctx_.settings.write_timeout);
        write_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
            if (ec) return;
            auto self = weak.lock();
            if (!self || !self->write_pending_) return;
            metrics::add(self->ctx_.stats.write_timeouts);
            self->ctx_.log.write(log_level::warn, "write timeout",
                                 {{"kind", "http/2"},
                                  {"timeout_ms", self->ctx_.settings.write_timeout.count()}});
            self->finish(false);
        });
    }
    net::async_write(*conn_, net::buffer(writing_),
                     [self = shared_from_this()](const error_code& ec, std::size_t) {
                         self->on_written(ec);
                     });
}

void h2_connection::on_written(const error_code& ec) {
    write_pending_ = false;
    write_timer_.cancel();
    if (finished_) return;
    if (ec) return finish(false);
    writing_.clear();
    if (writing_.capacity() > out_limit * 2) writing_.shrink_to_fit();
    pump();  // what waited for room, then the close if all is done
}

void h2_connection::check_done() {
    if (finished_ || write_pending_ || !out_.empty()) return;
    if (nghttp2_session_want_read(session_) || nghttp2_session_want_write(session_)) return;
    finish(true);  // GOAWAY went out and no stream is left
}

void h2_connection::arm_idle() {
    if (!streams_.empty() || awaiting_ > 0 || goaway_ || finished_) return;
    idle_timer_.expires_after(ctx_.settings.request_timeout);
    idle_timer_.async_wait([weak = weak_from_this()](const error_code& ec) {
        if (ec) return;
        auto self = weak.lock();
        if (!self || !self->streams_.empty() || self->awaiting_ > 0) return;
        self->close();
    });
}

void h2_connection::finish(bool graceful) {
    if (finished_) return;
    finished_ = true;
    idle_timer_.cancel();
    write_timer_.cancel();
    if (ctx_.log.enabled(log_level::debug))
        ctx_.log.write(log_level::debug, "http/2 connection closed",
                       {{"open_streams", streams_.size()}});
    // Every stream still open lost its peer.
    auto streams = std::move(streams_);
    streams_.clear();
    for (auto& [id, st] : streams) st->on_closed(true);
    conn_->close(graceful);
}

void h2_connection::on_request_begin(std::int32_t id) {
    idle_timer_.cancel();
    metrics::add(ctx_.stats.h2_streams_total);
    auto st = std::make_shared<h2_stream>(weak_from_this(), id, executor_);
    st->start_request_timer(ctx_.settings.request_timeout);
    streams_.emplace(id, std::move(st));
}

void h2_connection::on_stream_closed(std::int32_t id, bool by_peer) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) return;
    std::shared_ptr<h2_stream> st = std::move(it->second);
    streams_.erase(it);
    st->on_closed(by_peer);
    arm_idle();
}

std::shared_ptr<h2_stream> h2_connection::find(std::int32_t id) const {
    const auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second;
}

void h2_connection::dispatch(const std::shared_ptr<h2_stream>& st) {
    st->answered = true;
    st->stop_request_timer();
    if (st->fields_too_large())
        return answer(st, router::error(http::status::request_header_fields_too_large,
                                        "request header fields too large\n"));
    if (st->body_too_large())
        return answer(st, router::error(http::status::payload_too_large, "request body too large\n"));
    route r = router(ctx_).handle(st->message());
    if (r.later) {
        // The answer comes from another thread (the backplane's); it is submitted on this one.
        ++awaiting_;
        r.later([weak = weak_from_this(), wst = std::weak_ptr<h2_stream>(st),
                 executor = executor_](response res) {
            net::post(executor, [weak, wst, res = std::move(res)]() mutable {
                auto self = weak.lock();
                if (!self) return;
                --self->awaiting_;
                auto stream = wst.lock();
                if (stream && stream->is_open() && !self->finished_) {
                    self->answer(stream, std::move(res));
                    self->pump();
                }
                self->arm_idle();
            });
        });
        return;
    }
    if (r.stream) return open_stream(st, std::move(*r.stream));
    if (r.scripted) return open_script(st, std::move(*r.scripted));
    answer(st, std::move(*r.reply));
}

void h2_connection::answer(const std::shared_ptr<h2_stream>& st, response r) {
    std::size_t held = 0;
    for (const auto& [id, other] : streams_) held += other->reply_held();
    if (held > 0 && held + r.body().size() > reply_limit) {
        // Replies the peer has not taken yet already fill the connection's share: refuse this
        // one rather than hold more (the 503's own body is a few bytes).
        r = router::error(http::status::service_unavailable,
                          "too many reply bytes waiting for this HTTP/2 connection's peer\n");
    }
    const bool body = !r.body().empty();
    if (body) st->set_reply_body(std::move(r.body()), ctx_.settings.write_timeout);
    if (!submit_head(st->id(), r.base(), body)) reset(st->id());
}

void h2_connection::open_stream(const std::shared_ptr<h2_stream>& st, stream_request s, bool waited) {
    if (ctx_.redis && s.last_event_id && !waited) {
        // As on HTTP/1.1: an id this node has not ingested yet (the client got it from a node
        // ahead of this one) is waited for, within --redis resume wait.
        std::uint64_t id = 0;
        const std::string& text = *s.last_event_id;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
        if (r.ec == std::errc{} && r.ptr == text.data() + text.size() && id > ctx_.events.last_id()) {
            ++awaiting_;
            return await_ingest(st, std::move(s), id,
                                std::chrono::steady_clock::now() + ctx_.settings.redis.resume_wait,
                                std::make_shared<net::steady_timer>(executor_));
        }
    }
    auto session = std::make_shared<stream_session>(ctx_, executor_);
    resume_result how{};
    if (const std::error_code ec = session->subscribe(s.topics, s.last_event_id, how)) {
        const request& req = st->message();
        if (ec == std::errc::no_buffer_space)
            return answer(st, router::text(http::status::service_unavailable, req, "too many topics\n"));
        return answer(st, router::text(http::status::bad_request, req, "bad topic name\n"));
    }
    st->send_head(context::stream_head_header(s.cors_origin));
    session->attach(st, std::nullopt, nullptr);
    // As on HTTP/1.1: a stream that registered after stop() closed the others closes itself.
    if (ctx_.stopping.load()) session->close(ctx_.goodbye);
}

void h2_connection::await_ingest(std::weak_ptr<h2_stream> st, stream_request s, std::uint64_t id,
                                 std::chrono::steady_clock::time_point deadline,
                                 std::shared_ptr<net::steady_timer> timer) {
    auto stream = st.lock();
    if (!stream || !stream->is_open() || finished_ || ctx_.stopping.load()) {
        --awaiting_;
        if (stream && stream->is_open() && !finished_) reset(stream->id());
        return arm_idle();
    }
    if (ctx_.events.last_id() >= id || std::chrono::steady_clock::now() >= deadline) {
        --awaiting_;
        open_stream(stream, std::move(s), true);
        return pump();  // outside nghttp2's callbacks here: what open_stream submitted goes now
    }
    timer->expires_after(std::chrono::milliseconds(5));
    timer->async_wait([self = shared_from_this(), st = std::move(st), s = std::move(s), id, deadline,
                       timer](const error_code& ec) mutable {
        if (ec) return;
        self->await_ingest(std::move(st), std::move(s), id, deadline, std::move(timer));
    });
}

void h2_connection::open_script(const std::shared_ptr<h2_stream>& st, script s) {
    auto session = std::make_shared<scripted_session>(ctx_, executor_, st, std::nullopt, std::move(s));
    session->run();
    if (ctx_.stopping.load()) session->close(ctx_.goodbye);
}

}  // namespace sse::server::detail
