// A TCP proxy for one test, on loopback: listens on a free port and forwards every connection to
// 127.0.0.1:`target_port`, both ways, on one Asio thread. pause() stops forwarding in both
// directions without closing anything (bytes already read are held, nothing more is read), so the
// peers see a live but silent link; resume() forwards again, held bytes first. The destructor
// closes every socket and joins the thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace sse::test {

class tcp_proxy {
public:
    explicit tcp_proxy(std::uint16_t target_port)
        : target_(boost::asio::ip::make_address_v4("127.0.0.1"), target_port),
          acceptor_(io_, {boost::asio::ip::make_address_v4("127.0.0.1"), 0}) {
        port_ = acceptor_.local_endpoint().port();
        do_accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~tcp_proxy() {
        run_here([this] {
            boost::system::error_code ignored;
            acceptor_.close(ignored);
            for (const auto& d : directions_) {
                d->from.close(ignored);
                d->to.close(ignored);
            }
            directions_.clear();
        });
        io_.stop();
        thread_.join();
    }
    tcp_proxy(const tcp_proxy&) = delete;
    tcp_proxy& operator=(const tcp_proxy&) = delete;

    std::uint16_t port() const { return port_; }

    /// From when it returns, no byte is forwarded either way until resume().
    void pause() {
        run_here([this] { paused_ = true; });
    }

    /// Forwards again: first what was held, then whatever comes.
    void resume() {
        run_here([this] {
            paused_ = false;
            const auto all = directions_;  // close() erases from directions_
            for (const auto& d : all)
                if (d->parked) {
                    d->parked = false;
                    if (d->ended) close(d);
                    else do_write(d);
                }
        });
    }

private:
    /// One direction of one connection: reads `from`, writes `to`. Each socket belongs to two
    /// directions (it is `from` of one, `to` of the other), shared through the connection.
    struct direction {
        direction(boost::asio::ip::tcp::socket& f, boost::asio::ip::tcp::socket& t)
            : from(f), to(t) {}
        boost::asio::ip::tcp::socket& from;
        boost::asio::ip::tcp::socket& to;
        std::array<char, 16384> buffer{};
        std::size_t held = 0;  // bytes read and not yet written
        bool ended = false;    // the read failed or met the end: close on resume()
        bool parked = false;   // held bytes (or the end) wait for resume()
    };
    struct connection {
        explicit connection(boost::asio::io_context& io) : client(io), server(io) {}
        boost::asio::ip::tcp::socket client;
        boost::asio::ip::tcp::socket server;
    };

    /// Runs `f` on the proxy's thread and waits for it.
    template <typename F>
    void run_here(F f) {
        std::promise<void> done;
        boost::asio::post(io_, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }

    void do_accept() {
        auto c = std::make_shared<connection>(io_);
        acceptor_.async_accept(c->client, [this, c](boost::system::error_code ec) {
            if (ec) return;  // closed by the destructor
            c->server.async_connect(target_, [this, c](boost::system::error_code ec2) {
                if (ec2) {
                    boost::system::error_code ignored;
                    c->client.close(ignored);
                    return;
                }
                start(c, c->client, c->server);
                start(c, c->server, c->client);
            });
            do_accept();
        });
    }

    void start(const std::shared_ptr<connection>& c, boost::asio::ip::tcp::socket& from,
               boost::asio::ip::tcp::socket& to) {
        // The direction keeps the connection (and so both sockets) alive through `keep`.
        auto d = std::shared_ptr<direction>(new direction(from, to), [c](direction* p) {
            delete p;
        });
        directions_.push_back(d);
        do_read(d);
    }

    void do_read(const std::shared_ptr<direction>& d) {
        d->from.async_read_some(boost::asio::buffer(d->buffer),
                                [this, d](boost::system::error_code ec, std::size_t n) {
                                    // Paused, even an end is held: the other peer
                                    // must not learn of it before resume().
                                    d->ended = static_cast<bool>(ec);
                                    d->held = ec ? 0 : n;
                                    if (paused_) d->parked = true;
                                    else if (d->ended) close(d);
                                    else do_write(d);
                                });
    }

    void do_write(const std::shared_ptr<direction>& d) {
        boost::asio::async_write(d->to, boost::asio::buffer(d->buffer.data(), d->held),
                                 [this, d](boost::system::error_code ec, std::size_t) {
                                     if (ec) return close(d);
                                     d->held = 0;
                                     do_read(d);
                                 });
    }

    /// One side ended or failed: both sockets of the connection are closed (the other direction's
    /// pending operation then ends too).
    void close(const std::shared_ptr<direction>& d) {
        boost::system::error_code ignored;
        d->from.close(ignored);
        d->to.close(ignored);
        std::erase(directions_, d);
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::endpoint target_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::vector<std::shared_ptr<direction>> directions_;
    bool paused_ = false;
    std::thread thread_;
};

}  // namespace sse::test
