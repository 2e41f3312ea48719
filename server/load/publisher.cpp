#include "publisher.hpp"

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "sse/net/stream.hpp"

namespace sse::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// One keep-alive publish connection: plain or TLS (sse::net::stream), remade after an error.
struct pub_connection {
    std::unique_ptr<net::stream> stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    std::chrono::steady_clock::time_point sent_at;
    bool busy = false;
    bool connected = false;
};

}  // namespace

struct publisher::state {
    asio::io_context io{1};
    asio::steady_timer timer{io};
    std::vector<std::unique_ptr<pub_connection>> conns;
    tcp::resolver::results_type endpoints;
    std::shared_ptr<net::tls_context> tls;  // for an https:// publish URL
    std::chrono::steady_clock::time_point started;
    std::uint64_t issued = 0;
    bool stopping = false;  // no new requests; the io stops once none is in flight
    std::chrono::steady_clock::time_point stop_deadline;
};

publisher::publisher(const load_options& opts) : opts_(opts), state_(std::make_unique<state>()) {}

publisher::~publisher() { stop(); }

void publisher::start() {
    auto& s = *state_;
    boost::system::error_code ec;
    tcp::resolver resolver(s.io);
    s.endpoints = resolver.resolve(opts_.publish->host, std::to_string(opts_.publish->port), ec);
    if (ec) std::cerr << "sse-load: cannot resolve the publish host: " << ec.message() << "\n";
    if (opts_.publish->tls) {
        net::tls_failure error;
        s.tls = net::make_tls_context(opts_.tls, error);
        if (!s.tls) std::cerr << "sse-load: publish: " << error.message() << "\n";
    }
    for (unsigned i = 0; i < opts_.publish_connections; ++i) s.conns.push_back(std::make_unique<pub_connection>());
    s.started = std::chrono::steady_clock::now();

    struct runner {
        publisher& p;
        state& s;
        void count_error(const std::string& what) {
            if (p.errors_++ == 0) std::cerr << "sse-load: publish failed: " << what << "\n";
        }
        void send(pub_connection& c) {
            const auto& o = p.opts_;
            if (!c.connected) {
                if (o.publish->tls && !s.tls) return count_error("no TLS context");
                c.stream = o.publish->tls ? std::make_unique<net::stream>(s.io.get_executor(), s.tls, o.publish->host)
                                          : std::make_unique<net::stream>(s.io.get_executor());
                boost::system::error_code ec;
                asio::connect(c.stream->socket(), s.endpoints, ec);
                if (ec) return count_error("connect: " + ec.message());
                c.stream->handshake(ec);
                if (ec) return count_error(c.stream->tls_failure().message());
                c.connected = true;
            }
            const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
            std::string data = std::to_string(ns) + ".";
            if (data.size() < o.size) data.append(o.size - data.size(), 'x');
            c.request = {};
            c.request.method(http::verb::post);
            c.request.target(o.publish->target);
            c.request.version(11);
            c.request.set(http::field::host, o.publish->authority());
            for (const auto& [n, v] : o.publish_headers) c.request.set(n, v);
            if (o.mode == publish_mode::form) {
                c.request.set(http::field::content_type, "application/x-www-form-urlencoded");
                c.request.body() = "topic=" + url_encode(o.topic) + "&data=" + url_encode(data);
            } else {
                c.request.set(http::field::content_type, "text/plain");
                c.request.body() = std::move(data);
            }
            c.request.prepare_payload();
            c.busy = true;
            c.sent_at = std::chrono::steady_clock::now();
            http::async_write(*c.stream, c.request, [this, &c](boost::system::error_code ec, std::size_t) {
                if (ec) return broken(c, ec);
                c.response = {};
                http::async_read(*c.stream, c.buffer, c.response, [this, &c](boost::system::error_code e, std::size_t) {
                    if (e) return broken(c, e);
                    c.busy = false;
                    p.answers_.record(static_cast<std::uint64_t>(
                        std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - c.sent_at)
                            .count()));
                    const unsigned status = c.response.result_int();
                    if (status >= 200 && status < 300) ++p.published_;
                    else count_error("status " + std::to_string(status) + ": " + c.response.body().substr(0, 200));
                    if (!c.response.keep_alive()) reset(c);
                });
            });
        }
        void broken(pub_connection& c, boost::system::error_code ec) {
            count_error(ec.message());
            reset(c);
        }
        void reset(pub_connection& c) {
            if (c.stream) c.stream->close();
            c.buffer.clear();
            c.connected = false;
            c.busy = false;
        }
        void tick() {
            const auto& o = p.opts_;
            if (s.stopping) {
                bool busy = false;
                for (auto& c : s.conns) busy = busy || c->busy;
                if (!busy || std::chrono::steady_clock::now() > s.stop_deadline) return s.io.stop();
                s.timer.expires_after(std::chrono::milliseconds(1));
                s.timer.async_wait([this](boost::system::error_code ec) {
                    if (!ec) tick();
                });
                return;
            }
            const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
            if (!p.p_seconds_frozen_) p.seconds_ = elapsed;
            auto due = static_cast<std::uint64_t>(elapsed * o.rate) + 1;
            if (due > s.issued + static_cast<std::uint64_t>(o.rate) + 1) {
                // More than a second behind (the server or this machine is saturated): drop the
                // backlog instead of bursting, and say so in the report.
                const auto behind = due - s.issued - 1;
                p.skipped_ += behind;
                s.issued += behind;
            }
            for (auto& c : s.conns) {
                if (s.issued >= due) break;
                if (c->busy) continue;
                ++s.issued;
                send(*c);
            }
            s.timer.expires_after(std::chrono::microseconds(500));
            s.timer.async_wait([this](boost::system::error_code ec) {
                if (!ec) tick();
            });
        }
    };
    thread_ = std::thread([this] {
        runner r{*this, *state_};
        r.tick();
        state_->io.run();
    });
}

void publisher::stop() {
    if (!thread_.joinable()) return;
    // Let requests in flight finish (their events are on the way to subscribers, so they must
    // count as published), for at most 5 s.
    asio::post(state_->io, [this] {
        state_->stopping = true;
        state_->stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        p_seconds_frozen_ = true;
    });
    thread_.join();
}

}  // namespace sse::load
