#include "sse/client/client.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "sse/content_type.hpp"
#include "sse/parser.hpp"

namespace sse::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

std::string_view response_head::header(std::string_view name) const noexcept {
    for (const auto& [n, v] : headers) {
        if (n.size() != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < n.size() && same; ++i) same = ascii_lower(n[i]) == ascii_lower(name[i]);
        if (same) return v;
    }
    return {};
}

namespace {

std::chrono::milliseconds now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now().time_since_epoch());
}

// RFC 9110 5.6.2 token: a method or a header name.
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
            return false;
    }
    return true;
}

bool valid_header(const std::pair<std::string, std::string>& h) {
    if (!is_token(h.first)) return false;
    for (unsigned char c : h.second)
        if (c == '\r' || c == '\n' || c == 0) return false;
    return true;
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

struct client::impl : std::enable_shared_from_this<client::impl>, sse::handler {
    impl(asio::any_io_executor ex, options o, callbacks c)
        : strand(asio::make_strand(ex)), resolver(strand), socket(strand), wait_timer(strand),
          deadline(strand), opts(std::move(o)), cbs(std::move(c)), rc(opts.policy),
          parser(*this, opts.limits), body_buffer(std::max<std::size_t>(opts.read_buffer_size, 512)) {}

    asio::strand<asio::any_io_executor> strand;
    tcp::resolver resolver;
    tcp::socket socket;
    asio::steady_timer wait_timer;
    asio::steady_timer deadline;
    options opts;
    callbacks cbs;
    sse::reconnector rc;
    sse::parser parser;
    std::vector<char> body_buffer;

    url origin;               // the URL every attempt starts from (EventSource's url)
    url current;              // after redirects within this attempt
    std::string method;       // after 303 / POST-to-GET rewrites within this attempt
    bool send_body = false;
    header_list attempt_headers;
    std::string request;
    std::size_t redirects = 0;
    // One connection's HTTP parser and read buffer. Shared with the pending read operation: Beast's
    // composed read touches them when it completes, even after the connection was abandoned (a
    // completion already queued when the socket closed), so abandoning only drops our reference.
    struct http_reader {
        http::response_parser<http::buffer_body> response;
        beast::flat_buffer buffer;
    };
    std::shared_ptr<http_reader> reader;
    std::uint64_t generation = 0;  // bumped when a connection is abandoned: stale handlers drop
    bool started = false;
    bool closed = false;

    std::atomic<bool> close_requested{false};
    std::atomic<bool> silent{false};
    std::atomic<sse::ready_state> snapshot{sse::ready_state::connecting};
    mutable std::mutex id_mutex;
    std::string id_copy;

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
        if (!silent.load() && !close_requested.load() && cbs.on_error) cbs.on_error(ec, will_retry);
    }

    void abandon_connection() {
        ++generation;
        boost::system::error_code ignored;
        resolver.cancel();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        deadline.cancel();
        reader.reset();
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

    void fail(std::error_code ec) {
        report(ec, false);
        finish_closed();
    }

    void do_start() {
        if (started || closed) return;
        started = true;
        if (close_requested) return finish_closed();
        if (auto ec = parse_url(opts.url, origin)) return fail(ec);
        if (!is_token(opts.method)) return fail(errc::invalid_header);
        for (const auto& h : opts.headers)
            if (!valid_header(h)) return fail(errc::invalid_header);
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

    std::string last_event_id_header;

    void begin_attempt(std::string last_id) {
        last_event_id_header = std::move(last_id);
        attempt_headers = opts.headers;
        if (cbs.on_before_request && !silent.load()) cbs.on_before_request(attempt_headers);
        if (closed || close_requested) return;
        for (const auto& h : attempt_headers)
            if (!valid_header(h)) return fail(errc::invalid_header);
        current = origin;
        method = opts.method;
        send_body = !opts.body.empty();
        redirects = 0;
        if (opts.response_timeout.count() > 0) {
            deadline.expires_after(opts.response_timeout);
            deadline.async_wait([self = shared_from_this(), g = generation](boost::system::error_code ec) {
                if (ec || g != self->generation || self->closed) return;
                self->network_error(errc::timeout);
            });
        }
        do_resolve();
    }

    void do_resolve() {
        resolver.async_resolve(
            current.host, std::to_string(current.port),
            [self = shared_from_this(), g = generation](boost::system::error_code ec,
                                                        tcp::resolver::results_type results) {
                if (g != self->generation || self->closed) return;
                if (ec) return self->network_error(ec);
                asio::async_connect(self->socket, results,
                                    [self, g](boost::system::error_code ec2, const tcp::endpoint&) {
                                        if (g != self->generation || self->closed) return;
                                        if (ec2) return self->network_error(ec2);
                                        self->do_write();
                                    });
            });
    }

    void do_write() {
        request.clear();
        request += method + " " + current.target + " HTTP/1.1\r\nHost: " + current.host_header() +
                   "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n";
        if (!last_event_id_header.empty()) request += "Last-Event-ID: " + last_event_id_header + "\r\n";
        for (const auto& [n, v] : attempt_headers) request += n + ": " + v + "\r\n";
        if (send_body) request += "Content-Length: " + std::to_string(opts.body.size()) + "\r\n";
        request += "Connection: close\r\n\r\n";
        if (send_body) request += opts.body;
        asio::async_write(socket, asio::buffer(request),
                          [self = shared_from_this(), g = generation](boost::system::error_code ec, std::size_t) {
                              if (g != self->generation || self->closed) return;
                              if (ec) return self->network_error(ec);
                              self->read_head();
                          });
    }

    void read_head() {
        reader = std::make_shared<http_reader>();
        reader->response.header_limit(opts.max_header_size);
        reader->response.body_limit(boost::none);
        http::async_read_header(socket, reader->buffer, reader->response,
                                [self = shared_from_this(), g = generation, keep = reader](boost::system::error_code ec, std::size_t) {
                                    if (g != self->generation || self->closed) return;
                                    if (ec) return self->network_error(ec);
                                    self->on_header();
                                });
    }

    void on_header() {
        const auto& msg = reader->response.get();
        const int status = static_cast<int>(msg.result_int());
        if (is_redirect(status)) return follow_redirect(status, msg[http::field::location]);
        deadline.cancel();
        const std::string content_type(msg[http::field::content_type]);
        const auto a = rc.on_response(now(), status, content_type);
        if (a.kind == sse::action_kind::fail) {
            return fail(a.reason == sse::fail_reason::not_event_stream ? errc::not_event_stream
                                                                         : errc::bad_status);
        }
        if (a.kind != sse::action_kind::open) return;
        snapshot = sse::ready_state::open;
        if (cbs.on_open && live()) {
            response_head head;
            head.status = status;
            head.reason = std::string(msg.reason());
            for (const auto& f : msg) head.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            cbs.on_open(head);
        }
        if (!live()) return;
        read_body();
    }

    void follow_redirect(int status, std::string_view location) {
        url next;
        if (++redirects > opts.max_redirects) return network_error(errc::too_many_redirects);
        if (location.empty()) return network_error(errc::bad_redirect);
        if (auto ec = resolve_location(current, location, next))
            return network_error(ec == errc::unsupported_scheme ? ec : errc::bad_redirect);
        // Fetch 4.4 "HTTP-redirect fetch": 303 (unless HEAD), and 301/302 of a POST, become GET
        // without a body; 307/308 keep the method and body.
        if ((status == 303 && method != "HEAD") || ((status == 301 || status == 302) && method == "POST")) {
            method = "GET";
            send_body = false;
        }
        current = std::move(next);
        // Keep the attempt's deadline: a redirect loop must not extend it.
        const auto g = ++generation;
        (void)g;
        boost::system::error_code ignored;
        socket.close(ignored);
        reader.reset();
        if (opts.response_timeout.count() > 0) {
            deadline.async_wait([self = shared_from_this(), g2 = generation](boost::system::error_code ec) {
                if (ec || g2 != self->generation || self->closed) return;
                self->network_error(errc::timeout);
            });
        }
        do_resolve();
    }

    void read_body() {
        if (reader->response.is_done()) return end_of_stream();
        auto& body = reader->response.get().body();
        body.data = body_buffer.data();
        body.size = body_buffer.size();
        http::async_read_some(socket, reader->buffer, reader->response,
                              [self = shared_from_this(), g = generation, keep = reader](boost::system::error_code ec, std::size_t) {
                                  if (g != self->generation || self->closed) return;
                                  self->on_read(ec);
                              });
    }

    void on_read(boost::system::error_code ec) {
        if (ec == http::error::need_buffer) ec = {};
        const std::size_t n = body_buffer.size() - reader->response.get().body().size;
        if (n > 0 && !deliver(std::string_view(body_buffer.data(), n))) return;
        if (ec == http::error::end_of_stream) return end_of_stream();
        if (ec) return network_error(ec);
        read_body();
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

    void network_error(std::error_code ec) {
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

}  // namespace sse::client
