#include "http_probe.hpp"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "sse/net/request.hpp"

namespace sse::conformance {

namespace asio = boost::asio;

http_probe::http_probe(const probe_settings& settings)
    : settings_(settings), stream_(std::make_unique<net::stream>(ioc_.get_executor())), parser_(*this) {}

http_probe::~http_probe() { close(); }

// Runs the io_context until `done` or `wait` passed; on timeout cancels and drains, so no handler
// outlives the call.
bool http_probe::run_until(const bool& done, std::chrono::milliseconds wait) {
    ioc_.restart();
    ioc_.run_for(wait);
    if (done) return true;
    boost::system::error_code ignored;
    stream_->socket().cancel(ignored);
    ioc_.restart();
    ioc_.run();
    return done;
}

std::error_code http_probe::connect(const net::url& u) {
    if (u.tls) {
        if (!settings_.tls) {
            net::tls_failure error;
            settings_.tls = net::make_tls_context({}, error);
            if (!settings_.tls) return error.code;
        }
        stream_ = std::make_unique<net::stream>(ioc_.get_executor(), settings_.tls, u.host);
    }
    asio::ip::tcp::resolver resolver(ioc_);
    boost::system::error_code rec;
    const auto endpoints = resolver.resolve(u.host, std::to_string(u.port), rec);
    if (rec) return rec;
    std::error_code result;
    net::async_connect(*stream_, endpoints, settings_.connect_timeout, [&](std::error_code ec) { result = ec; });
    ioc_.restart();
    ioc_.run();  // the operation's own timer bounds it
    return result;
}

std::string http_probe::serialize(const net::url& u, const http_request& r) {
    net::header_list h = r.headers;
    if (r.default_accept && !net::find_header(h, "accept")) h.emplace_back("Accept", "text/event-stream");
    if (!net::find_header(h, "user-agent")) h.emplace_back("User-Agent", "sse-conformance");
    if (!net::find_header(h, "connection")) h.emplace_back("Connection", "close");
    auto bytes = net::serialize_request(r.method, u, h, r.body);
    if (r.http10) {
        const auto eol = bytes.find("\r\n");
        if (eol != std::string::npos && eol >= 8 && bytes.compare(eol - 8, 8, "HTTP/1.1") == 0)
            bytes.replace(eol - 8, 8, "HTTP/1.0");
    }
    return bytes;
}

std::error_code http_probe::send(std::string_view bytes, bool head_request) {
    if (head_request) parser_.expect_no_body();
    sent_ = clock::now();
    bool done = false;
    boost::system::error_code result;
    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](const boost::system::error_code& e, std::size_t) {
                          result = e;
                          done = true;
                      });
    if (!run_until(done, settings_.first_byte_timeout)) return std::make_error_code(std::errc::timed_out);
    return result;
}

std::chrono::milliseconds http_probe::elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - sent_);
}

void http_probe::on_head(response_head& head) {
    head_at_ = elapsed();
    head_ = std::move(head);
}

bool http_probe::on_body(std::string_view bytes) {
    body_.append(bytes);
    return true;
}

bool http_probe::read_once(std::chrono::milliseconds wait, std::error_code& error) {
    char tmp[16384];
    bool done = false;
    boost::system::error_code ec;
    std::size_t n = 0;
    stream_->async_read_some(asio::buffer(tmp), [&](const boost::system::error_code& e, std::size_t k) {
        ec = e;
        n = k;
        done = true;
    });
    if (!run_until(done, wait) || ec == asio::error::operation_aborted) return false;
    if (n > 0) {
        if (raw_.size() < max_raw) raw_.append(tmp, std::min(n, max_raw - raw_.size()));
        if (head_) arrivals_.push_back({elapsed(), n});
        if (!body_error_) body_error_ = parser_.feed(std::string_view(tmp, n));
    }
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
        eof_ = true;
        if (!body_error_) body_error_ = parser_.finish();
    } else if (ec) {
        error = ec;
    }
    return true;
}

std::error_code http_probe::read_head(response_head& head) {
    const auto deadline = sent_ + settings_.first_byte_timeout;
    while (!head_) {
        if (body_error_) return body_error_;
        if (eof_) return boost::system::error_code(asio::error::eof);
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return std::make_error_code(std::errc::timed_out);
        std::error_code error;
        if (!read_once(left, error)) return std::make_error_code(std::errc::timed_out);
        if (error) return error;
    }
    head = *head_;
    return {};
}

http_probe::body_read http_probe::read_body(std::string& out, std::chrono::milliseconds wait) {
    body_read r;
    const auto deadline = clock::now() + wait;
    for (;;) {
        if (!body_.empty()) {
            out.append(body_);
            r.bytes += body_.size();
            body_.clear();
        }
        if (body_error_) {
            r.error = body_error_;
            return r;
        }
        if (parser_.done() || eof_) {
            r.eof = true;
            return r;
        }
        if (r.bytes > 0) return r;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0 || !read_once(left, r.error)) {
            r.timed_out = true;
            return r;
        }
        if (r.error) return r;
    }
}

void http_probe::close() { stream_->close(); }

}  // namespace sse::conformance
