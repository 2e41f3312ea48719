#include "worker_h2.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "sse/net/h2_session.hpp"
#include "sse/net/stream.hpp"
#include "sse/parser.hpp"
#include "worker_stats.hpp"

namespace sse::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class h2_pool;
struct h2_connection;

// One subscriber: a stream on an h2_connection, with its own SSE parser.
struct subscriber final : net::h2_session::stream_handler, sse::handler {
    subscriber(h2_pool& p, h2_connection& c) : owner(p), conn(c), parser(*this, subscriber_limits()) {}
    void on_head(net::response_head& head) override;
    bool on_body(std::string_view bytes) override;
    void on_close(std::uint32_t code, net::h2_session::closed_by by) override;
    sse::action on_event(const sse::event& e) override;

    h2_pool& owner;
    h2_connection& conn;
    sse::parser parser;
    std::int32_t id = 0;
    enum class phase : unsigned char { head, body, closed } state = phase::head;
    bool bad_status = false;
    bool bad_event = false;
};

// One HTTP/2 connection and the subscribers it carries. `planned` subscribers are reserved for
// it until the server's SETTINGS say how many streams it may open.
struct h2_connection {
    h2_connection(asio::io_context& io, const std::shared_ptr<net::tls_context>& tls, const std::string& host,
                  std::uint64_t n)
        : stream(tls ? net::stream(io.get_executor(), tls, host) : net::stream(io.get_executor())), planned(n),
          buffer(64 * 1024) {}
    net::stream stream;
    std::unique_ptr<net::h2_session> session;
    std::vector<std::unique_ptr<subscriber>> subs;
    std::uint64_t planned;
    bool submitted = false;  // the streams were opened (the connection counts no more as connecting)
    bool writing = false;
    bool closed = false;
    std::string out;
    std::vector<char> buffer;
};

class h2_pool {
public:
    h2_pool(asio::io_context& io, const load_options& o, unsigned index, int fd)
        : io_(io), o_(o),
          url_(o.subscribe_urls.empty() ? o.subscribe : o.subscribe_urls[index % o.subscribe_urls.size()]), fd_(fd),
          connect_timer_(io), report_timer_(io), signals_(io, SIGUSR1, SIGTERM) {
        const auto base = o.connections / o.processes;
        unassigned_ = base + (index < o.connections % o.processes ? 1 : 0);
        per_tick_ = o.connect_rate / o.processes / 100.0;  // ticks of 10 ms
        headers_ = {{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}};
        headers_.insert(headers_.end(), o.subscribe_headers.begin(), o.subscribe_headers.end());
    }

    int run() {
        if (url_.tls) {
            net::tls_options t = o_.tls;
            // HTTP/1.1 is offered too, so a server without h2 says so by choosing it.
            t.alpn = {"h2", "http/1.1"};
            net::tls_failure error;
            tls_ = net::make_tls_context(t, error);
            if (!tls_) {
                std::cerr << "sse-load: " << error.message() << "\n";
                return 1;
            }
        }
        boost::system::error_code ec;
        tcp::resolver resolver(io_);
        const auto results = resolver.resolve(url_.host, std::to_string(url_.port), ec);
        if (ec || results.empty()) {
            std::cerr << "sse-load: cannot resolve " << url_.host << ": " << ec.message() << "\n";
            return 1;
        }
        target_ = results.begin()->endpoint();
        signals_.async_wait([this](boost::system::error_code e, int) {
            if (!e) stop();
        });
        tick();
        report();
        io_.run();
        return 0;
    }

    void on_event(const sse::event& e) { st_.on_event(e); }

    void on_head(subscriber& s, const net::response_head& head) {
        if (head.status == 200) {
            s.state = subscriber::phase::body;
            --st_.in_flight;
            ++st_.open;
            return;
        }
        if (st_.err_status == 0) std::cerr << "sse-load: subscribe answered " << head.status << "\n";
        s.bad_status = true;
        s.conn.session->reset(s.id);  // calls on_close()
    }

    // The stream ended. In the head phase, a reset (the server's RST_STREAM or GOAWAY refusing
    // it, or nghttp2's PROTOCOL_ERROR for a malformed response) is a rejected subscription and
    // counts as err_status (in the exit code), like a bad status or an unparsable head over
    // HTTP/1.1; a connection that just ended counts as err_closed, as over HTTP/1.1.
    void on_close(subscriber& s, std::uint32_t code, net::h2_session::closed_by by) {
        using closed_by = net::h2_session::closed_by;
        if (s.state == subscriber::phase::closed) return;
        const bool in_head = s.state == subscriber::phase::head;
        if (in_head) {
            --st_.in_flight;
            ++st_.failed;
        } else {
            --st_.open;
        }
        s.state = subscriber::phase::closed;
        if (s.bad_status) {
            ++st_.err_status;
        } else if (s.bad_event) {
            ++st_.err_parse;
        } else if (in_head && code != 0 && !(by == closed_by::connection && code == net::h2_session::internal_error)) {
            if (st_.err_status == 0) {
                std::cerr << "sse-load: ";
                if (by == closed_by::local) std::cerr << "a subscribe response was rejected: " << s.conn.session->last_error();
                else if (by == closed_by::peer)
                    std::cerr << "the server reset a subscribe stream before its response: "
                              << net::h2_session::error_name(code);
                else std::cerr << "the connection ended before a subscribe response: " << s.conn.session->last_error();
                std::cerr << "\n";
            }
            ++st_.err_status;
        } else {
            if (st_.err_closed == 0 && code != 0) {
                if (by == closed_by::connection) {
                    const std::string_view why = s.conn.session->last_error();
                    std::cerr << "sse-load: the connection ended mid-stream" << (why.empty() ? "" : ": ") << why << "\n";
                } else {
                    std::cerr << "sse-load: " << (by == closed_by::peer ? "the server reset a stream: " : "a stream was reset: ")
                              << net::h2_session::error_name(code) << "\n";
                }
            }
            ++st_.err_closed;
        }
    }

private:
    void tick() {
        allowance_ = std::min(allowance_ + per_tick_, per_tick_ * 10 + 1);
        while (unassigned_ > 0 && connecting_ < o_.connect_concurrency && allowance_ >= 1) {
            allowance_ -= 1;
            const std::uint64_t n = std::min<std::uint64_t>(unassigned_, o_.streams_per_connection);
            unassigned_ -= n;
            start_connect(n);
        }
        // Subscribers come back when a server allows fewer streams than planned: keep ticking
        // while any connection still has to say.
        if (unassigned_ > 0 || connecting_ > 0) {
            connect_timer_.expires_after(std::chrono::milliseconds(10));
            connect_timer_.async_wait([this](boost::system::error_code e) {
                if (!e) tick();
            });
        }
    }

    void start_connect(std::uint64_t n) {
        conns_.push_back(std::make_unique<h2_connection>(io_, tls_, url_.host, n));
        h2_connection& c = *conns_.back();
        ++connecting_;
        st_.in_flight += n;
        c.stream.socket().async_connect(target_, [this, &c](boost::system::error_code e) {
            if (e) return connect_failed(c, e.message());
            boost::system::error_code ig;
            c.stream.socket().set_option(tcp::no_delay(true), ig);
            c.stream.async_handshake([this, &c](boost::system::error_code he) {
                if (he) return connect_failed(c, c.stream.is_tls() ? c.stream.tls_failure().message() : he.message());
                if (c.stream.is_tls() && c.stream.negotiated_protocol() != "h2")
                    return connect_failed(c, "the server did not select HTTP/2 (h2) by ALPN");
                c.session = std::make_unique<net::h2_session>();
                flush(c);
                read(c);
            });
        });
    }

    // The connection failed before its streams were opened: its planned subscribers failed.
    void connect_failed(h2_connection& c, const std::string& why) {
        if (st_.err_connect == 0) std::cerr << "sse-load: connect failed: " << why << "\n";
        st_.err_connect += c.planned;
        st_.failed += c.planned;
        st_.in_flight -= c.planned;
        c.planned = 0;
        --connecting_;
        close(c);
    }

    // The server's SETTINGS arrived: open as many streams as it allows, give the rest back.
    void open_streams(h2_connection& c) {
        c.submitted = true;
        --connecting_;
        const std::uint64_t take = std::min<std::uint64_t>(c.planned, c.session->max_concurrent_streams());
        unassigned_ += c.planned - take;
        st_.in_flight -= c.planned - take;
        c.planned = 0;
        if (take == 0) {
            // A server that allows no stream at all would make connections forever.
            if (st_.err_connect == 0) std::cerr << "sse-load: the server allows no concurrent streams\n";
            st_.err_connect += unassigned_;
            st_.failed += unassigned_;
            unassigned_ = 0;
            return close(c);
        }
        for (std::uint64_t i = 0; i < take; ++i) {
            c.subs.push_back(std::make_unique<subscriber>(*this, c));
            subscriber& s = *c.subs.back();
            s.id = c.session->submit("GET", url_, headers_, {}, s);
            if (s.id < 0) {
                s.state = subscriber::phase::closed;
                --st_.in_flight;
                ++st_.failed;
                ++st_.err_connect;
            }
        }
    }

    void read(h2_connection& c) {
        c.stream.async_read_some(asio::buffer(c.buffer), [this, &c](boost::system::error_code ec, std::size_t n) {
            if (c.closed) return;
            if (n > 0) {
                st_.batch_now = now_ns();
                st_.bytes += n;
                const auto herr = c.session->feed(std::string_view(c.buffer.data(), n));
                if (!herr && !c.submitted && c.session->has_remote_settings()) open_streams(c);
                if (c.closed) return;
                if (herr) {
                    if (st_.err_closed == 0) std::cerr << "sse-load: HTTP/2: " << c.session->last_error() << "\n";
                    return lost(c);
                }
                flush(c);
            }
            if (ec) return lost(c);  // EOF, reset, TLS close: the server dropped us
            read(c);
        });
    }

    void flush(h2_connection& c) {
        if (c.writing || c.closed || !c.session) return;
        const std::string_view out = c.session->output();
        if (out.empty()) return;
        c.out.assign(out);
        c.session->consume(out.size());
        c.writing = true;
        asio::async_write(c.stream, asio::buffer(c.out), [this, &c](boost::system::error_code ec, std::size_t) {
            c.writing = false;
            if (c.closed) return;
            if (ec) return lost(c);
            flush(c);
        });
    }

    // The connection ended: every subscriber on it is lost (closed by the server).
    void lost(h2_connection& c) {
        if (!c.submitted) return connect_failed(c, "the connection ended before the server's SETTINGS");
        c.session->finish();  // on_close() for every open stream
        close(c);
    }

    void close(h2_connection& c) {
        c.closed = true;
        c.stream.close();
    }

    void report() {
        if (!st_.send_line(fd_, 'S')) return stop();  // the parent is gone
        report_timer_.expires_after(std::chrono::milliseconds(250));
        report_timer_.async_wait([this](boost::system::error_code e) {
            if (!e) report();
        });
    }

    void stop() {
        st_.send_line(fd_, 'F');
        for (auto& c : conns_) close(*c);
        io_.stop();
    }

    asio::io_context& io_;
    const load_options& o_;
    const sse::net::url& url_;
    int fd_;
    asio::steady_timer connect_timer_;
    asio::steady_timer report_timer_;
    asio::signal_set signals_;
    tcp::endpoint target_;
    std::shared_ptr<net::tls_context> tls_;
    net::header_list headers_;
    std::vector<std::unique_ptr<h2_connection>> conns_;
    std::uint64_t unassigned_ = 0;  // subscribers not yet planned on a connection
    std::uint64_t connecting_ = 0;  // connections waiting for their server's SETTINGS
    double per_tick_ = 0, allowance_ = 0;
    worker_stats st_;
};

void subscriber::on_head(net::response_head& head) { owner.on_head(*this, head); }

bool subscriber::on_body(std::string_view bytes) {
    if (bad_status || state == phase::closed) return false;
    if (parser.feed(bytes).error) bad_event = true;
    return !bad_event;
}

void subscriber::on_close(std::uint32_t code, net::h2_session::closed_by by) { owner.on_close(*this, code, by); }

sse::action subscriber::on_event(const sse::event& e) {
    owner.on_event(e);
    return sse::action::proceed;
}

}  // namespace

int run_h2_worker(const load_options& opts, unsigned index, int report_fd) {
    asio::io_context io(1);
    auto p = std::make_unique<h2_pool>(io, opts, index, report_fd);
    return p->run();
}

}  // namespace sse::load
