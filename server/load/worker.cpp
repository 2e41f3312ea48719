#include "worker.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "sse/net/request.hpp"
#include "sse/net/response_parser.hpp"
#include "sse/net/stream.hpp"
#include "sse/parser.hpp"
#include "worker_h2.hpp"
#include "worker_stats.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24  // Linux >= 4.2; older glibc headers lack the name
#endif

namespace sse::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

class pool;

// One subscriber. Holds no read buffer: it waits for readability and the pool reads into one
// shared buffer, so an idle connection costs a socket (plus TLS state for https), Beast's
// response parser, an SSE parser and a few bytes of state.
struct connection final : sse::handler, net::response_parser::handler {
    connection(pool& p, asio::io_context& io, const std::shared_ptr<net::tls_context>& tls, const std::string& host)
        : owner(p), stream(tls ? net::stream(io.get_executor(), tls, host) : net::stream(io.get_executor())),
          http(*this, 64 * 1024), parser(*this, subscriber_limits()) {}
    sse::action on_event(const sse::event& e) override;
    void on_head(net::response_head& head) override;
    bool on_body(std::string_view bytes) override;

    pool& owner;
    net::stream stream;
    net::response_parser http;
    sse::parser parser;
    enum class phase : unsigned char { idle, connecting, head, body, closed } state = phase::idle;
    bool bad_status = false;  // the head was not 200 (set while the response parser runs)
    bool bad_event = false;   // an event past the SSE parser's limits
};

class pool {
public:
    pool(asio::io_context& io, const load_options& o, unsigned index, int fd)
        : io_(io), o_(o),
          url_(o.subscribe_urls.empty() ? o.subscribe
                                        : o.subscribe_urls[index % o.subscribe_urls.size()]),
          index_(index), fd_(fd), connect_timer_(io), report_timer_(io),
          signals_(io, SIGUSR1, SIGTERM) {
        const auto base = o.connections / o.processes;
        count_ = base + (index < o.connections % o.processes ? 1 : 0);
        per_tick_ = o.connect_rate / o.processes / 100.0;  // ticks of 10 ms
        net::header_list h = {{"Accept", "text/event-stream"}, {"Cache-Control", "no-cache"}};
        h.insert(h.end(), o.subscribe_headers.begin(), o.subscribe_headers.end());
        request_ = net::serialize_request("GET", url_, h, {});
    }

    int run() {
        if (url_.tls) {
            net::tls_failure error;
            tls_ = net::make_tls_context(o_.tls, error);
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
        conns_.reserve(count_);
        signals_.async_wait([this](boost::system::error_code e, int) {
            if (!e) stop();
        });
        tick();
        report();
        io_.run();
        return 0;
    }

    // The response head of `c` arrived: a stream opens only on 200.
    void on_head(connection& c, const net::response_head& head) {
        if (head.status == 200) {
            c.state = connection::phase::body;
            --st_.in_flight;
            ++st_.open;
            return;
        }
        if (st_.err_status == 0) std::cerr << "sse-load: subscribe answered " << head.status << " " << head.reason << "\n";
        c.bad_status = true;
    }

    void on_event(const sse::event& e) { st_.on_event(e); }

private:
    void tick() {
        allowance_ = std::min(allowance_ + per_tick_, per_tick_ * 10 + 1);
        while (next_ < count_ && st_.in_flight < o_.connect_concurrency && allowance_ >= 1) {
            allowance_ -= 1;
            start_connect(next_++);
        }
        if (next_ < count_) {
            connect_timer_.expires_after(std::chrono::milliseconds(10));
            connect_timer_.async_wait([this](boost::system::error_code e) {
                if (!e) tick();
            });
        }
    }

    void start_connect(std::uint64_t local) {
        conns_.push_back(std::make_unique<connection>(*this, io_, tls_, url_.host));
        connection& c = *conns_.back();
        c.state = connection::phase::connecting;
        ++st_.in_flight;
        auto& socket = c.stream.socket();
        boost::system::error_code ec;
        socket.open(tcp::v4(), ec);
        if (!ec && o_.source_ips > 1 && target_.address().is_loopback()) {
            const std::uint64_t global = index_ + local * o_.processes;
            const auto ip = asio::ip::make_address_v4(0x7f000001u + static_cast<unsigned>(global % o_.source_ips));
            // Choose the port at connect() time, per 4-tuple, not per address at bind().
            int one = 1;
            ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
            socket.bind(tcp::endpoint(ip, 0), ec);
        }
        if (ec) return connect_failed(c, ec);
        socket.async_connect(target_, [this, &c](boost::system::error_code e) {
            if (e) return connect_failed(c, e);
            c.stream.async_handshake([this, &c](boost::system::error_code he) {
                if (he) return connect_failed(c, he, c.stream.is_tls() ? c.stream.tls_failure().message() : "");
                boost::system::error_code we;
                asio::write(c.stream, asio::buffer(request_), we);  // small, into an empty send buffer
                if (we) return connect_failed(c, we);
                c.stream.socket().non_blocking(true, we);
                c.state = connection::phase::head;
                wait(c);
            });
        });
    }

    void connect_failed(connection& c, boost::system::error_code ec, const std::string& why = {}) {
        if (st_.err_connect == 0) std::cerr << "sse-load: connect failed: " << (why.empty() ? ec.message() : why) << "\n";
        ++st_.err_connect;
        --st_.in_flight;
        ++st_.failed;
        close(c);
    }

    void wait(connection& c) {
        c.stream.socket().async_wait(tcp::socket::wait_read, [this, &c](boost::system::error_code e) {
            if (e || c.state == connection::phase::closed) return;
            readable(c);
        });
    }

    void readable(connection& c) {
        st_.batch_now = now_ns();
        // Plain: a short read means the socket is drained. TLS: a read returns at most one record
        // while more may sit decrypted or buffered, so read until would_block; after a fair share
        // of rounds, yield to other connections and come back without waiting for the socket.
        const bool tls = c.stream.is_tls();
        for (int round = 0; round < (tls ? 16 : 4); ++round) {
            boost::system::error_code ec;
            const std::size_t n = c.stream.read_some(asio::buffer(buffer_), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) return wait(c);
            if (ec) return lost(c, st_.err_closed);  // EOF, reset, TLS close: the server dropped us
            st_.bytes += n;
            if (!consume(c, std::string_view(buffer_.data(), n))) return;
            if (!tls && n < buffer_.size()) return wait(c);
        }
        if (tls) return asio::post(io_, [this, &c] {
            if (c.state != connection::phase::closed) readable(c);
        });
        wait(c);
    }

    // Hands received bytes to the response parser (head, then de-chunked body into the SSE
    // parser); false when the connection was closed.
    bool consume(connection& c, std::string_view bytes) {
        const auto ec = c.http.feed(bytes);
        if (c.bad_status) return lost(c, st_.err_status), false;
        if (c.bad_event) return lost(c, st_.err_parse), false;
        if (ec) return lost(c, c.state == connection::phase::head ? st_.err_status : st_.err_parse), false;
        if (c.http.done()) return lost(c, st_.err_closed), false;  // the last chunk: the stream ended
        return true;
    }

    void lost(connection& c, std::uint64_t& counter) {
        ++counter;
        if (c.state == connection::phase::body) --st_.open;
        else if (c.state == connection::phase::head) { --st_.in_flight; ++st_.failed; }
        close(c);
    }

    void close(connection& c) {
        c.stream.close();
        c.state = connection::phase::closed;
    }

    bool send_line(char kind) { return st_.send_line(fd_, kind); }

    void report() {
        if (!send_line('S')) return stop();  // the parent is gone
        report_timer_.expires_after(std::chrono::milliseconds(250));
        report_timer_.async_wait([this](boost::system::error_code e) {
            if (!e) report();
        });
    }

    void stop() {
        send_line('F');
        for (auto& c : conns_) close(*c);
        io_.stop();
    }

    asio::io_context& io_;
    const load_options& o_;
    const sse::net::url& url_;  // the subscribe URL of this worker process
    unsigned index_;
    int fd_;
    asio::steady_timer connect_timer_;
    asio::steady_timer report_timer_;
    asio::signal_set signals_;
    tcp::endpoint target_;  // url_'s
    std::shared_ptr<net::tls_context> tls_;
    std::string request_;
    std::vector<std::unique_ptr<connection>> conns_;
    std::array<char, 64 * 1024> buffer_{};
    std::uint64_t count_ = 0, next_ = 0;
    double per_tick_ = 0, allowance_ = 0;
    worker_stats st_;
};

sse::action connection::on_event(const sse::event& e) {
    owner.on_event(e);
    return sse::action::proceed;
}

void connection::on_head(net::response_head& head) {
    owner.on_head(*this, head);
    net::response_head drop = std::move(head);  // sse-load keeps no head: free it now
}

bool connection::on_body(std::string_view bytes) {
    if (bad_status) return false;
    if (parser.feed(bytes).error) bad_event = true;
    return !bad_event;
}

}  // namespace

int run_worker(const load_options& opts, unsigned index, int report_fd) {
    std::signal(SIGINT, SIG_IGN);  // the parent coordinates shutdown
    std::signal(SIGPIPE, SIG_IGN);
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
    const std::uint64_t mine = opts.connections / opts.processes + 1;
    if (rl.rlim_cur != RLIM_INFINITY && mine + 32 > rl.rlim_cur) {
        std::cerr << "sse-load: worker " << index << " would hold " << mine
                  << " connections but may open only " << rl.rlim_cur
                  << " files (ulimit -n); raise --processes\n";
        return 3;
    }
    if (opts.http != http_mode::http1_1) return run_h2_worker(opts, index, report_fd);
    asio::io_context io(1);
    auto p = std::make_unique<pool>(io, opts, index, report_fd);
    return p->run();
}

}  // namespace sse::load
