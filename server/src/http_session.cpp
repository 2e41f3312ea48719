#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <charconv>
#include <sstream>

#include "h2_connection.hpp"
#include "scripted_session.hpp"
#include "stream_session.hpp"

namespace sse::server::detail {

namespace {

// What a client that speaks plain HTTP to a TLS port gets: a readable answer, not a hang or a
// TLS alert it cannot show.
constexpr std::string_view plain_http_body = "this port speaks HTTPS: use an https:// URL\n";

// What an HTTP/2 client sends first (RFC 9113 3.4); a prior-knowledge (h2c) connection is told
// from HTTP/1.1 by it.
constexpr std::string_view h2_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

bool is_plain_http_on_tls(const error_code& ec) {
    return ec.category() == net::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_HTTP_REQUEST;
}

}  // namespace

http_session::http_session(std::shared_ptr<connection> conn, context& ctx)
    : ctx_(ctx),
      executor_(conn->get_executor()),
      conn_(std::move(conn)),
      slot_(ctx.stats),
      secured_(!conn_->is_tls()) {}

http_session::~http_session() { ctx_.sessions.remove(this); }

void http_session::run() {
    ctx_.sessions.add(shared_from_this());
    // The acceptor's handler may run on another I/O thread; start on this connection's.
    net::dispatch(executor_, [self = shared_from_this()] {
        if (!self->secured_) return self->do_handshake();
        if (self->ctx_.settings.http2 && self->ctx_.settings.h2c) return self->sniff_preface();
        self->do_read();
    });
}

void http_session::do_handshake() {
    if (ctx_.stopping.load()) return do_close(false);
    // A peer that never finishes the handshake holds its connection no longer than one that never
    // finishes its request.
    conn_->tcp_layer().expires_after(ctx_.settings.request_timeout);
    conn_->async_handshake(
        [self = shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
}

void http_session::on_handshake(const error_code& ec) {
    if (!ec) {
        secured_ = true;
        if (ctx_.settings.http2 && conn_->alpn() == "h2") return open_h2();
        return do_read();
    }
    if (ctx_.stopping.load()) return do_close(false);  // cut short by the shutdown
    metrics::add(ctx_.stats.tls_handshake_failures);
    if (ctx_.log.enabled(log_level::debug))
        ctx_.log.write(log_level::debug, "tls handshake failed",
                       {{"error", ec == beast::error::timeout ? std::string("timeout") : ec.message()}});
    if (is_plain_http_on_tls(ec)) return refuse_plain_http();
    do_close(false);
}

void http_session::refuse_plain_http() {
    static const std::string reply = [] {
        response r = router::error(http::status::bad_request, plain_http_body);
        std::ostringstream out;
        out << r;
        return std::move(out).str();
    }();
    conn_->tcp_layer().expires_after(ctx_.settings.request_timeout);
    net::async_write(conn_->tcp_layer(), net::buffer(reply),
                     [self = shared_from_this()](const error_code& ec, std::size_t) {
                         if (ec) return self->do_close(false);
                         error_code ignored;
                         self->conn_->tcp_layer().socket().shutdown(tcp::socket::shutdown_send,
                                                                    ignored);
                         self->linger();
                     });
}

void http_session::linger() {
    // The rest of the request is read and dropped until the client closes (or the request timeout
    // set above passes): closing with unread bytes would send a reset, which can destroy the
    // answer before the client reads it.
    conn_->tcp_layer().async_read_some(
        buffer_.prepare(512), [self = shared_from_this()](const error_code& ec, std::size_t) {
            self->buffer_.clear();
            if (ec) return self->do_close(false);
            self->linger();
        });
}

void http_session::sniff_preface() {
    if (ctx_.stopping.load()) return do_close();
    const auto have = static_cast<const char*>(buffer_.data().data());
    const std::string_view seen(have, std::min(buffer_.size(), h2_preface.size()));
    if (seen != h2_preface.substr(0, seen.size())) return do_read();  // HTTP/1.1, bytes kept
    if (seen.size() == h2_preface.size()) return open_h2();
    conn_->tcp_layer().expires_after(ctx_.settings.request_timeout);
    conn_->async_read_some(buffer_.prepare(512),
                           [self = shared_from_this()](const error_code& ec, std::size_t n) {
                               if (ec) return self->on_read(ec, 0);
                               self->buffer_.commit(n);
                               self->sniff_preface();
                           });
}

void http_session::open_h2() {
    // As for an HTTP/1.1 request: a connection that reaches this after stop() closes.
    if (ctx_.stopping.load()) return do_close(false);
    streaming_ = true;
    const auto received = static_cast<const char*>(buffer_.data().data());
    auto h2 = std::make_shared<h2_connection>(std::move(conn_), std::move(slot_), ctx_);
    h2->run(std::string_view(received, buffer_.size()));
    buffer_ = {};
}

void http_session::close() {
    net::post(executor_, [self = shared_from_this()] {
        // A request being answered finishes first; on_write sees `stopping` and closes.
        if (!self->streaming_ && !self->response_ && !self->awaiting_) self->do_close();
    });
}

void http_session::do_read() {
    if (ctx_.stopping.load()) return do_close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.settings.max_header_size));
    parser_->body_limit(ctx_.settings.max_body_size);
    conn_->tcp_layer().expires_after(ctx_.settings.request_timeout);
    // The head first: a client that sent `Expect: 100-continue` (curl does, for bodies over
    // 1 KiB) waits for the interim response before it sends the body.
    http::async_read_header(*conn_, buffer_, *parser_,
                            [self = shared_from_this()](const error_code& ec, std::size_t) {
                                self->on_header(ec);
                            });
}

void http_session::on_header(const error_code& ec) {
    if (ec) return on_read(ec, 0);
    if (parser_->is_done()) return on_read({}, 0);
    const auto expect = parser_->get().find(http::field::expect);
    if (expect != parser_->get().end() && beast::iequals(expect->value(), "100-continue")) {
        static constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
        net::async_write(*conn_, net::buffer(interim.data(), interim.size()),
                         [self = shared_from_this()](const error_code& write_ec, std::size_t) {
                             if (write_ec) return self->do_close();
                             self->do_read_body();
                         });
        return;
    }
    do_read_body();
}

void http_session::do_read_body() {
    http::async_read(*conn_, buffer_, *parser_,
                     [self = shared_from_this()](const error_code& ec, std::size_t n) {
                         self->on_read(ec, n);
                     });
}

void http_session::on_read(const error_code& ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset)
        return do_close();
    // A TLS peer that closed without close_notify, or broke the TLS layer: nothing to answer.
    if (ec == net::ssl::error::stream_truncated || ec.category() == net::error::get_ssl_category())
        return do_close(false);
    if (ec == http::error::header_limit)
        return answer(router::error(http::status::request_header_fields_too_large,
                                    "request header fields too large\n"));
    if (ec == http::error::body_limit)
        return answer(router::error(http::status::payload_too_large, "request body too large\n"));
    if (ec) return answer(router::error(http::status::bad_request, "bad request\n"));

    route r = router(ctx_).handle(parser_->get());
    if (r.later) {
        // The answer comes from another thread (the backplane's); it is written on this one.
        awaiting_ = true;
        r.later([self = shared_from_this()](response res) {
            net::post(self->executor_, [self, res = std::move(res)]() mutable {
                self->awaiting_ = false;
                self->answer(std::move(res));
            });
        });
        return;
    }
    if (r.stream) return open_stream(std::move(*r.stream));
    if (r.scripted) return open_script(std::move(*r.scripted));
    answer(std::move(*r.reply));
}

void http_session::answer(response r) {
    response_.emplace(std::move(r));
    const bool keep_alive = response_->keep_alive();
    conn_->tcp_layer().expires_after(ctx_.settings.request_timeout);
    http::async_write(*conn_, *response_,
                      [self = shared_from_this(), keep_alive](const error_code& ec, std::size_t n) {
                          self->on_write(keep_alive, ec, n);
                      });
}

void http_session::on_write(bool keep_alive, const error_code& ec, std::size_t) {
    response_.reset();
    if (ec || !keep_alive || ctx_.stopping.load()) return do_close();
    do_read();
}

void http_session::open_stream(stream_request s) {
    if (ctx_.redis && s.last_event_id && !awaiting_) {
        // Resume on any node: an id this node has not ingested yet (the client got it from a
        // node ahead of this one) is waited for, within --redis resume wait, rather than being
        // treated as unknown.
        std::uint64_t id = 0;
        const std::string& text = *s.last_event_id;
        const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
        if (r.ec == std::errc{} && r.ptr == text.data() + text.size() &&
            id > ctx_.events.last_id()) {
            awaiting_ = true;
            return await_ingest(std::move(s), id,
                                std::chrono::steady_clock::now() + ctx_.settings.redis.resume_wait);
        }
    }
    awaiting_ = false;
    auto session = std::make_shared<stream_session>(ctx_, executor_);
    resume_result how{};
    if (const std::error_code ec = session->subscribe(s.topics, s.last_event_id, how)) {
        const request& req = parser_->get();
        if (ec == std::errc::no_buffer_space)
            return answer(router::text(http::status::service_unavailable, req, "too many topics\n"));
        return answer(router::text(http::status::bad_request, req, "bad topic name\n"));
    }
    conn_->tcp_layer().expires_never();
    streaming_ = true;
    parser_.reset();
    buffer_ = {};
    session->attach(std::move(conn_), std::move(slot_), ctx_.stream_head_for(s.cors_origin));
    // stop() sets `stopping` before it closes every registered stream: a stream that registered
    // too late for that closes itself here, so shutdown never waits for it.
    if (ctx_.stopping.load()) session->close(ctx_.goodbye);
}

void http_session::await_ingest(stream_request s, std::uint64_t id,
                                std::chrono::steady_clock::time_point deadline) {
    if (ctx_.stopping.load()) {
        awaiting_ = false;
        return do_close();
    }
    if (ctx_.events.last_id() >= id || std::chrono::steady_clock::now() >= deadline)
        return open_stream(std::move(s));  // awaiting_ still set: no second wait
    if (!wait_timer_) wait_timer_.emplace(executor_);
    wait_timer_->expires_after(std::chrono::milliseconds(5));
    wait_timer_->async_wait([self = shared_from_this(), s = std::move(s), id,
                             deadline](const error_code& ec) mutable {
        if (ec) return;
        self->await_ingest(std::move(s), id, deadline);
    });
}

void http_session::open_script(script s) {
    conn_->tcp_layer().expires_never();
    streaming_ = true;
    parser_.reset();
    buffer_ = {};
    auto session = std::make_shared<scripted_session>(ctx_, executor_, std::move(conn_),
                                                      std::move(slot_), std::move(s));
    session->run();
    // As for streams: one that registered after stop() closed the others closes itself.
    if (ctx_.stopping.load()) session->close(ctx_.goodbye);
}

void http_session::do_close(bool graceful) {
    if (streaming_) return;
    // Graceful: FIN after what was written, and on TLS a close_notify first.
    conn_->close(graceful && secured_);
}

}  // namespace sse::server::detail
