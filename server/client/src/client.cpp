#include "sse/client/client.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "sse/net/error.hpp"
#include "sse/net/h2_session.hpp"
#include "sse/net/request.hpp"
#include "sse/net/stream.hpp"
#include "sse/net/url.hpp"
#include "sse/parser.hpp"

namespace sse::client {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::chrono::milliseconds now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
}

bool valid_header(const std::pair<std::string, std::string>& h) {
    return net::is_token(h.first) && net::is_field_value(h.second);
}

}  // namespace

struct client::impl : std::enable_shared_from_this<client::impl>, sse::handler {
    // One connection: the stream, its response parser (HTTP/1.1) or HTTP/2 session, and read
    // buffer. Pending operations hold it (shared_ptr), so abandoning a connection only drops the
    // client's reference; its handlers then see a stale generation and do nothing.
    struct connection final : net::h2_session::stream_handler {
        connection(impl& o, std::uint64_t g, const asio::any_io_executor& ex, std::shared_ptr<net::tls_context> tls,
                   const std::string& host, std::size_t buffer_size)
            : owner(o), generation(g),
              stream(tls ? std::make_unique<net::stream>(ex, std::move(tls), host) : std::make_unique<net::stream>(ex)),
              parser(*this, o.opts.max_header_size), buffer(buffer_size) {}
        void on_head(net::response_head& head) override {
            head_done = true;
            if (generation == owner.generation) owner.on_header(head);
        }
        bool on_body(std::string_view bytes) override {
            return generation == owner.generation && owner.deliver(bytes);
        }
        // HTTP/2 only: the stream ended (0: END_STREAM, the response is complete).
        void on_close(std::uint32_t code, net::h2_session::closed_by by) override {
            stream_ended = true;
            stream_error = code;
            closed_by = by;
        }
        impl& owner;  // outlives the connection: every handler holding one also holds the impl
        std::uint64_t generation;
        std::unique_ptr<net::stream> stream;
        net::response_parser parser;
        std::unique_ptr<net::h2_session> h2;  // set when the connection speaks HTTP/2
        bool head_done = false;
        bool stream_ended = false;
        std::uint32_t stream_error = 0;
        net::h2_session::closed_by closed_by = net::h2_session::closed_by::peer;
        bool writing = false;  // HTTP/2: a write of `request` is in flight
        std::vector<char> buffer;
        std::string request;  // HTTP/1.1: the request; HTTP/2: frames being written
    };

    impl(asio::any_io_executor ex, options o, callbacks c)
        : strand(asio::make_strand(ex)), resolver(strand), wait_timer(strand), deadline(strand), opts(std::move(o)),
          cbs(std::move(c)), rc(opts.policy), parser(*this, opts.limits) {}

    asio::strand<asio::any_io_executor> strand;
    tcp::resolver resolver;
    asio::steady_timer wait_timer;
    asio::steady_timer deadline;
    options opts;
    callbacks cbs;
    sse::reconnector rc;
    sse::parser parser;
    std::shared_ptr<net::tls_context> tls;  // made on the first https:// connection

    net::url origin;          // the URL every attempt starts from (EventSource's url)
    net::url current;         // after redirects within this attempt
    std::string method;       // after 303 / POST-to-GET rewrites within this attempt
    bool send_body = false;
    header_list attempt_headers;  // the user's (and on_before_request's), less what redirects strip
    std::size_t redirects = 0;
    std::shared_ptr<connection> conn;
    std::uint64_t generation = 0;  // bumped when a connection is abandoned: stale handlers drop
    bool started = false;
    bool closed = false;

    std::atomic<bool> close_requested{false};
    std::atomic<bool> silent{false};
    std::atomic<sse::ready_state> snapshot{sse::ready_state::connecting};
    mutable std::mutex id_mutex;
    std::string id_copy;
    std::string detail;       // words for the error being reported (on the strand)
    std::string detail_copy;  // error_detail(), under id_mutex
    std::string last_event_id_header;

    bool live() const { return !closed && !close_requested.load() && !silent.load(); }

    // sse::handler: the parser calls these from deliver(), on the strand.
    sse::action on_event(const sse::event& e) override {
        if (!live()) return sse::action::pause;
        if (cbs.on_event) cbs.on_event(e);
        return live() ? sse::action::proceed : sse::action::pause;
    }
    sse::action on_retry(std::uint64_t ms) override {
        if (!live()) return sse::action::pause;
        if (cbs.on_retry) cbs.on_retry(ms);
        return live() ? sse::action::proceed : sse::action::pause;
    }
    sse::action on_comment(std::string_view text) override {
        if (!live()) return sse::action::pause;
        if (cbs.on_comment) cbs.on_comment(text);
        return live() ? sse::action::proceed : sse::action::pause;
    }

    void report(std::error_code ec, bool will_retry) {
        {
            std::lock_guard lock(id_mutex);
            detail_copy = std::move(detail);
        }
        detail.clear();
        if (!silent.load() && !close_requested.load() && cbs.on_error) cbs.on_error(ec, will_retry);
    }

    void abandon_connection() {
        ++generation;
        resolver.cancel();
        if (conn) conn->stream->close();
        conn.reset();
        deadline.cancel();
    }

    void finish_closed() {
        if (closed) return;
        closed = true;
        rc.close();
        snapshot = sse::ready_state::closed;
        abandon_connection();
        wait_timer.cancel();
        if (!silent.load() && cbs.on_closed) cbs.on_closed();
    }

    void fail(std::error_code ec, std::string why = {}) {
        detail = std::move(why);
        report(ec, false);
        finish_closed();
    }

    void do_start() {
        if (started || closed) return;
        started = true;
        if (close_requested) return finish_closed();
        if (auto ec = net::parse_url(opts.url, origin)) return fail(ec);
        if (!origin.tls && opts.http == http_version::http2)
            return fail(net::errc::h2_not_negotiated, "HTTP/2 without TLS is h2c: use http_version::h2c for http:// URLs");
        if (!net::is_token(opts.method)) return fail(errc::invalid_header);
        for (const auto& h : opts.headers)
            if (!valid_header(h)) return fail(errc::invalid_header);
        if (!net::is_field_value(opts.cookie)) return fail(errc::invalid_header);
        if (!opts.last_event_id.empty() && rc.on_last_event_id(opts.last_event_id))
            return fail(errc::invalid_last_event_id);
        act(rc.start(now()), {});
    }

    // Carries out one reconnector action. `cause` is why a wait or fail happened.
    void act(const sse::reconnect_action& a, std::error_code cause) {
        switch (a.kind) {
        case sse::action_kind::connect:
            snapshot = sse::ready_state::connecting;
            (void)parser.reset(rc.last_event_id());
            begin_attempt(a.send_last_event_id ? std::string(a.last_event_id) : std::string());
            break;
        case sse::action_kind::wait:
            snapshot = sse::ready_state::connecting;
            if (a.fire_error) report(cause, true);
            if (closed || close_requested) return;
            arm_wait(a.when);
            break;
        case sse::action_kind::fail:
            if (a.reason == sse::fail_reason::attempts_exhausted) {
                report(cause, false);
                report(errc::attempts_exhausted, false);
                finish_closed();
            } else {
                fail(cause);
            }
            break;
        case sse::action_kind::open:  // handled in on_header(); never returned elsewhere
        case sse::action_kind::none: break;
        }
    }

    void arm_wait(std::chrono::milliseconds when) {
        const auto delay = when - now();
        wait_timer.expires_after(delay.count() > 0 ? delay : std::chrono::milliseconds(0));
        wait_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->closed) return;
            self->act(self->rc.on_timer(now()), {});
        });
    }

    void begin_attempt(std::string last_id) {
        last_event_id_header = std::move(last_id);
        attempt_headers = opts.headers;
        if (cbs.on_before_request && !silent.load()) cbs.on_before_request(attempt_headers);
        if (closed || close_requested) return;
        for (const auto& h : attempt_headers)
            if (!valid_header(h)) return fail(errc::invalid_header);
        if (!opts.cookie.empty()) attempt_headers.emplace_back("Cookie", opts.cookie);
        current = origin;
        method = opts.method;
        send_body = !opts.body.empty();
        redirects = 0;
        arm_deadline();
        do_resolve();
    }

    // Connect + send + head within response_timeout, for the whole attempt: a redirect does not
    // extend it.
    void arm_deadline() {
        if (opts.response_timeout.count() <= 0) return;
        if (redirects == 0) deadline.expires_after(opts.response_timeout);
        deadline.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
            if (ec || g != self->generation || self->closed) return;
            self->network_error(errc::timeout);
        });
    }

    void do_resolve() {
        resolver.async_resolve(current.host, std::to_string(current.port),
                               [self = shared_from_this(), g = generation](boost::system::error_code ec,
                                                                           tcp::resolver::results_type results) {
                                   if (g != self->generation || self->closed) return;
                                   if (ec) return self->network_error(ec);
                                   self->do_connect(results);
                               });
    }

    void do_connect(const tcp::resolver::results_type& results) {
        if (!current.tls && opts.http == http_version::http2)  // redirected to http://
            return fail(net::errc::h2_not_negotiated, "HTTP/2 without TLS is h2c: a redirect led to an http:// URL");
        if (current.tls && !tls) {
            net::tls_failure error;
            net::tls_options t = opts.tls;
            // HTTP/2 required offers HTTP/1.1 too, so a server without h2 says so by choosing it
            // (then errc::h2_not_negotiated) rather than by a handshake alert.
            if (t.alpn.empty() && opts.http != http_version::http1_1) t.alpn = {"h2", "http/1.1"};
            tls = net::make_tls_context(t, error);
            if (!tls) return fail(error.code);  // an unreadable CA file does not get better
        }
        conn = std::make_shared<connection>(*this, generation, strand, current.tls ? tls : nullptr, current.host,
                                            std::max<std::size_t>(opts.read_buffer_size, 512));
        if (method == "HEAD") conn->parser.expect_no_body();
        net::async_connect(*conn->stream, results, opts.connect_timeout,
                           [self = shared_from_this(), c = conn](std::error_code ec) {
                               if (c->generation != self->generation || self->closed) return;
                               if (ec == net::errc::tls_alert && self->requires_h2() &&
                                   c->stream->tls_failure().detail.find("no application protocol") != std::string::npos)
                                   return self->fail(net::errc::h2_not_negotiated);
                               if (ec) return self->network_error(ec);
                               self->on_connected();
                           });
    }

    bool requires_h2() const { return opts.http == http_version::http2 || opts.http == http_version::h2c; }

    // Chooses the protocol for the connection just made: HTTP/2 when ALPN selected "h2" (or h2c
    // was asked for on http://), else HTTP/1.1.
    void on_connected() {
        bool h2 = false;
        if (current.tls) {
            h2 = conn->stream->negotiated_protocol() == "h2";
            if (!h2 && requires_h2()) return fail(net::errc::h2_not_negotiated);
        } else {
            h2 = opts.http == http_version::h2c;
        }
        if (!h2) return do_write();
        net::h2_session::options ho;
        ho.window = static_cast<std::uint32_t>(std::clamp<std::size_t>(opts.read_buffer_size * 16, 65535, 1u << 24));
        conn->h2 = std::make_unique<net::h2_session>(ho);
        const std::int32_t id = conn->h2->submit(method, current, request_headers(), send_body ? std::string_view(opts.body) : "",
                                                 *conn);
        if (id < 0) return network_error(net::errc::h2_protocol, std::string(conn->h2->last_error()));
        // The stream can end inside submit() (frames nghttp2 still had to send decided it).
        if (conn->stream_ended) return h2_stream_ended(*conn, {});
        h2_flush(conn);
        do_read();
    }

    // HTTP/2: writes what the session has to send, one write at a time.
    void h2_flush(const std::shared_ptr<connection>& c) {
        if (c->writing || !c->h2) return;
        const std::string_view out = c->h2->output();
        if (out.empty()) return;
        c->request.assign(out);
        c->h2->consume(out.size());
        c->writing = true;
        asio::async_write(*c->stream, asio::buffer(c->request),
                          [self = shared_from_this(), c](boost::system::error_code ec, std::size_t) {
                              c->writing = false;
                              if (c->generation != self->generation || self->closed) return;
                              if (ec) return self->network_error(ec);
                              self->h2_flush(c);
                          });
    }

    header_list request_headers() const {
        header_list h;
        h.reserve(attempt_headers.size() + 4);
        h.emplace_back("Accept", "text/event-stream");
        h.emplace_back("Cache-Control", "no-cache");
        if (!last_event_id_header.empty()) h.emplace_back("Last-Event-ID", last_event_id_header);
        h.insert(h.end(), attempt_headers.begin(), attempt_headers.end());
        return h;
    }

    void do_write() {
        header_list h = request_headers();
        h.emplace_back("Connection", "close");
        conn->request = net::serialize_request(method, current, h, send_body ? std::string_view(opts.body) : "");
        asio::async_write(*conn->stream, asio::buffer(conn->request),
                          [self = shared_from_this(), c = conn](boost::system::error_code ec, std::size_t) {
                              if (c->generation != self->generation || self->closed) return;
                              if (ec) return self->network_error(ec);
                              self->do_read();
                          });
    }

    void do_read() {
        conn->stream->async_read_some(
            asio::buffer(conn->buffer), [self = shared_from_this(), c = conn](boost::system::error_code ec, std::size_t n) {
                if (c->generation != self->generation || self->closed) return;
                self->on_read(*c, ec, n);
            });
    }

    void on_read(connection& c, boost::system::error_code ec, std::size_t n) {
        if (c.h2) return on_read_h2(c, ec, n);
        if (n > 0) {
            const auto perr = c.parser.feed(std::string_view(c.buffer.data(), n));
            // A handler above may have moved on (redirect, open failed, closed, a parser limit).
            if (c.generation != generation || closed) return;
            if (perr) return network_error(perr);
            if (c.parser.done()) return end_of_stream();
        }
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
            if (!c.parser.head_done()) return network_error(c.parser.finish());
            if (auto ferr = c.parser.finish()) return network_error(ferr);
            return end_of_stream();
        }
        if (ec) return network_error(ec);
        do_read();
    }

    void on_read_h2(connection& c, boost::system::error_code ec, std::size_t n) {
        if (n > 0) {
            const auto herr = c.h2->feed(std::string_view(c.buffer.data(), n));
            // A handler above may have moved on (redirect, open failed, closed, a parser limit).
            if (c.generation != generation || closed) return;
            if (c.stream_ended) return h2_stream_ended(c, herr);
            if (herr) return network_error(herr, std::string(c.h2->last_error()));
            h2_flush(conn);
        }
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
            // The connection ended without END_STREAM (HTTP/2 frames every response's end, so
            // this is a truncated response, like an unfinished chunked body over HTTP/1.1).
            c.h2->finish();
            return h2_stream_ended(c, {});
        }
        if (ec) return network_error(ec);
        do_read();
    }

    // HTTP/2: the stream ended (on_close() was called); `herr` is feed()'s connection error.
    void h2_stream_ended(connection& c, std::error_code herr) {
        using by = net::h2_session::closed_by;
        std::string why(c.h2->last_error());
        if (c.stream_error == 0) return end_of_stream();
        if (herr) return network_error(herr, std::move(why));
        switch (c.closed_by) {
        case by::local:
            // nghttp2 reset a response that broke HTTP/2's rules (RFC 9113 8.2.2); a CANCEL of
            // our own only follows a failure already reported.
            if (c.stream_error == net::h2_session::protocol_error) return network_error(errc::malformed_response, std::move(why));
            return network_error(errc::stream_reset, std::move(why));
        case by::peer:
            why.assign("the server reset the stream with ").append(net::h2_session::error_name(c.stream_error));
            return network_error(errc::stream_reset, std::move(why));
        case by::connection:
            // The connection ended: after a GOAWAY with an error the server's words, else EOF.
            if (c.stream_error != net::h2_session::internal_error) return network_error(errc::stream_reset, std::move(why));
            return network_error(boost::system::error_code(asio::error::eof), std::move(why));
        }
    }

    // The response head arrived (called from the parser inside on_read).
    void on_header(net::response_head& head) {
        if (net::is_redirect(head.status)) return on_redirect(head.status, head.header("location"));
        deadline.cancel();
        const auto a = rc.on_response(now(), head.status, head.header("content-type"));
        if (a.kind == sse::action_kind::fail) {
            return fail(a.reason == sse::fail_reason::not_event_stream ? errc::not_event_stream : errc::bad_status);
        }
        if (a.kind != sse::action_kind::open) return;
        snapshot = sse::ready_state::open;
        if (cbs.on_open && live()) cbs.on_open(head);
    }

    void on_redirect(int status, std::string_view location) {
        const bool follow = opts.redirects == redirect_mode::follow && redirects < opts.max_redirects;
        if (cbs.on_redirect && live()) cbs.on_redirect(status, location, follow);
        if (!live()) return;
        if (opts.redirects == redirect_mode::refuse) return fail(errc::redirect_refused);
        if (++redirects > opts.max_redirects) return network_error(errc::too_many_redirects);
        net::url next;
        if (location.empty() || net::resolve_location(current, location, next))
            return network_error(errc::bad_redirect);
        const auto change = net::after_redirect(status, method);
        net::strip_for_redirect(attempt_headers, !change.keep_body, !next.same_origin(current));
        method = change.method;
        send_body = send_body && change.keep_body;
        current = std::move(next);
        ++generation;
        conn->stream->close();
        conn.reset();
        arm_deadline();
        do_resolve();
    }

    // Feeds body bytes to the parser; false when the client stopped (closed or failed).
    bool deliver(std::string_view bytes) {
        if (cbs.on_bytes && live()) cbs.on_bytes(bytes);
        if (!live()) return false;
        const auto r = parser.feed(bytes);
        rc.update_from(parser);
        {
            std::lock_guard lock(id_mutex);
            id_copy = std::string(rc.last_event_id());
        }
        if (!live()) return false;
        if (r.error && r.error != sse::errc::paused) {
            // A limit: the stream is abandoned, never truncated; the same server would send the
            // same oversized event again, so this is final (like a user abort).
            (void)rc.on_abort(now());
            fail(r.error);
            return false;
        }
        return true;
    }

    void end_of_stream() {
        (void)parser.finish();
        abandon_connection();
        act(rc.on_end_of_stream(now()), errc::end_of_stream);
    }

    void network_error(std::error_code ec, std::string why = {}) {
        detail = std::move(why);
        abandon_connection();
        act(rc.on_network_error(now()), ec);
    }
};

client::client(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

client::~client() {
    impl_->silent = true;
    close();
}

std::shared_ptr<client> client::create(asio::any_io_executor executor, options opts, callbacks cbs) {
    return std::shared_ptr<client>(
        new client(std::make_shared<impl>(std::move(executor), std::move(opts), std::move(cbs))));
}

void client::start() {
    asio::post(impl_->strand, [p = impl_] { p->do_start(); });
}

void client::close() {
    impl_->close_requested = true;
    asio::post(impl_->strand, [p = impl_] {
        if (!p->closed) p->finish_closed();
    });
}

sse::ready_state client::state() const noexcept { return impl_->snapshot.load(); }

std::string client::last_event_id() const {
    std::lock_guard lock(impl_->id_mutex);
    return impl_->id_copy;
}

std::string client::error_detail() const {
    std::lock_guard lock(impl_->id_mutex);
    return impl_->detail_copy;
}

}  // namespace sse::client
