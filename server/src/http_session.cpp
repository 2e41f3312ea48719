#include "http_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "scripted_session.hpp"
#include "stream_session.hpp"

namespace sse::server::detail {

http_session::http_session(tcp::socket&& socket, context& ctx)
    : ctx_(ctx),
      executor_(socket.get_executor()),
      stream_(std::move(socket)),
      slot_(ctx.stats) {}

http_session::~http_session() { ctx_.sessions.remove(this); }

void http_session::run() {
    ctx_.sessions.add(shared_from_this());
    // The acceptor's handler may run on another I/O thread; start on this connection's.
    net::dispatch(executor_, [self = shared_from_this()] { self->do_read(); });
}

void http_session::close() {
    net::post(executor_, [self = shared_from_this()] {
        // A request being answered finishes first; on_write sees `stopping` and closes.
        if (!self->streaming_ && !self->response_) self->do_close();
    });
}

void http_session::do_read() {
    if (ctx_.stopping.load()) return do_close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ctx_.settings.max_header_size));
    parser_->body_limit(ctx_.settings.max_body_size);
    stream_.expires_after(ctx_.settings.request_timeout);
    // The head first: a client that sent `Expect: 100-continue` (curl does, for bodies over
    // 1 KiB) waits for the interim response before it sends the body.
    http::async_read_header(stream_, buffer_, *parser_,
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
        net::async_write(stream_, net::buffer(interim.data(), interim.size()),
                         [self = shared_from_this()](const error_code& write_ec, std::size_t) {
                             if (write_ec) return self->do_close();
                             self->do_read_body();
                         });
        return;
    }
    do_read_body();
}

void http_session::do_read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const error_code& ec, std::size_t n) {
                         self->on_read(ec, n);
                     });
}

void http_session::on_read(const error_code& ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset)
        return do_close();
    if (ec == http::error::header_limit)
        return answer(router::error(http::status::request_header_fields_too_large,
                                    "request header fields too large\n"));
    if (ec == http::error::body_limit)
        return answer(router::error(http::status::payload_too_large, "request body too large\n"));
    if (ec) return answer(router::error(http::status::bad_request, "bad request\n"));

    route r = router(ctx_).handle(parser_->get());
    if (r.stream) return open_stream(std::move(*r.stream));
    if (r.scripted) return open_script(std::move(*r.scripted));
    answer(std::move(*r.reply));
}

void http_session::answer(response r) {
    response_.emplace(std::move(r));
    const bool keep_alive = response_->keep_alive();
    stream_.expires_after(ctx_.settings.request_timeout);
    http::async_write(stream_, *response_,
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
    auto session = std::make_shared<stream_session>(ctx_, executor_);
    resume_result how{};
    if (const std::error_code ec = session->subscribe(s.topics, s.last_event_id, how)) {
        const request& req = parser_->get();
        if (ec == std::errc::no_buffer_space)
            return answer(router::text(http::status::service_unavailable, req, "too many topics\n"));
        return answer(router::text(http::status::bad_request, req, "bad topic name\n"));
    }
    stream_.expires_never();
    streaming_ = true;
    parser_.reset();
    buffer_ = {};
    session->attach(std::move(stream_), std::move(slot_), ctx_.stream_head_for(s.cors_origin));
    // stop() sets `stopping` before it closes every registered stream: a stream that registered
    // too late for that closes itself here, so shutdown never waits for it.
    if (ctx_.stopping.load()) session->close(ctx_.goodbye);
}

void http_session::open_script(script s) {
    stream_.expires_never();
    streaming_ = true;
    parser_.reset();
    buffer_ = {};
    auto session = std::make_shared<scripted_session>(ctx_, std::move(stream_), std::move(slot_),
                                                      std::move(s));
    session->run();
    // As for streams: one that registered after stop() closed the others closes itself.
    if (ctx_.stopping.load()) session->close(ctx_.goodbye);
}

void http_session::do_close() {
    if (streaming_) return;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
}

}  // namespace sse::server::detail
