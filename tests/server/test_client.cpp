#include "test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cctype>

namespace sse::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

const tcp::endpoint loopback(std::uint16_t port) {
    return {net::ip::make_address("127.0.0.1"), port};
}

// Reads one response from `stream`; every step bounded by the stream's timeout.
std::optional<http_reply> read_reply(net::io_context& ioc, beast::tcp_stream& stream,
                                     beast::flat_buffer& buffer, bool head_only,
                                     std::chrono::milliseconds timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (head_only) parser.skip(true);
    error_code ec;
    bool done = false;
    stream.expires_after(timeout);
    http::async_read(stream, buffer, parser, [&](const error_code& e, std::size_t) {
        ec = e;
        done = true;
    });
    ioc.restart();
    ioc.run();
    if (!done || ec) return std::nullopt;
    http_reply r;
    const auto& msg = parser.get();
    r.status = static_cast<int>(msg.result_int());
    for (const auto& f : msg) r.headers[lower(std::string(f.name_string()))] = std::string(f.value());
    r.body = msg.body();
    return r;
}

bool connect_and_send(net::io_context& ioc, beast::tcp_stream& stream, std::uint16_t port,
                      const std::string& raw, std::chrono::milliseconds timeout) {
    error_code ec;
    stream.expires_after(timeout);
    stream.async_connect(loopback(port), [&](const error_code& e) { ec = e; });
    ioc.restart();
    ioc.run();
    if (ec) return false;
    stream.expires_after(timeout);
    net::async_write(stream, net::buffer(raw), [&](const error_code& e, std::size_t) { ec = e; });
    ioc.restart();
    ioc.run();
    return !ec;
}

}  // namespace

std::optional<http_reply> http_raw(std::uint16_t port, const std::string& raw, bool head_only,
                                   std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    if (!connect_and_send(ioc, stream, port, raw, timeout)) return std::nullopt;
    beast::flat_buffer buffer;
    return read_reply(ioc, stream, buffer, head_only, timeout);
}

std::optional<http_reply> http_request(std::uint16_t port, const std::string& method,
                                       const std::string& target,
                                       const std::vector<std::pair<std::string, std::string>>& headers,
                                       const std::string& body) {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST") raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n" + body;
    return http_raw(port, raw, method == "HEAD");
}

std::vector<http_reply> http_pipeline(std::uint16_t port, const std::vector<std::string>& raws,
                                      std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    beast::flat_buffer buffer;
    std::vector<http_reply> out;
    error_code ec;
    stream.expires_after(timeout);
    stream.async_connect(loopback(port), [&](const error_code& e) { ec = e; });
    ioc.run();
    if (ec) return out;
    for (const std::string& raw : raws) {
        stream.expires_after(timeout);
        net::async_write(stream, net::buffer(raw), [&](const error_code& e, std::size_t) { ec = e; });
        ioc.restart();
        ioc.run();
        if (ec) return out;
        auto r = read_reply(ioc, stream, buffer, false, timeout);
        if (!r) return out;
        out.push_back(std::move(*r));
    }
    return out;
}

event_stream::event_stream() : socket_(ioc_), parser_(recorder_) {}

event_stream::~event_stream() { close(); }

bool event_stream::connect(std::uint16_t port, std::chrono::milliseconds timeout) {
    return open_socket(port, std::nullopt, std::chrono::steady_clock::now() + timeout);
}

bool event_stream::open_socket(std::uint16_t port, std::optional<int> receive_buffer,
                               std::chrono::steady_clock::time_point deadline) {
    error_code ec;
    socket_.open(tcp::v4(), ec);
    if (ec) return false;
    if (receive_buffer)
        socket_.set_option(net::socket_base::receive_buffer_size(*receive_buffer), ec);
    bool done = false;
    socket_.async_connect(loopback(port), [&](const error_code& e) {
        ec = e;
        done = true;
    });
    ioc_.restart();
    ioc_.run_until(deadline);
    if (!done) {
        socket_.close(ec);
        ioc_.restart();
        ioc_.run();
        return false;
    }
    return !ec;
}

bool event_stream::open(std::uint16_t port, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        std::optional<int> receive_buffer, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!open_socket(port, receive_buffer, deadline)) return false;
    error_code ec;

    std::string raw = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
    raw += "\r\n";
    net::write(socket_, net::buffer(raw), ec);
    if (ec) return false;

    // The head ends at the first blank line; what follows is the event stream.
    std::size_t end = std::string::npos;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
        if (closed_ || !read_once(deadline)) return false;
    }
    const std::string head = pending_.substr(0, end + 2);
    std::string rest = pending_.substr(end + 4);
    pending_.clear();

    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return false;
    head_.status = std::stoi(status_line.substr(9, 3));
    for (std::size_t at = line_end + 2; at < head.size(); at = line_end + 2) {
        line_end = head.find("\r\n", at);
        const std::string line = head.substr(at, line_end - at);
        const std::size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        head_.headers[lower(line.substr(0, colon))] = value;
    }
    parser_.feed(rest);
    return true;
}

bool event_stream::send(const std::string& bytes) {
    error_code ec;
    net::write(socket_, net::buffer(bytes), ec);
    return !ec;
}

bool event_stream::wait_raw(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pending_.find(needle) == std::string::npos) {
        if (closed_ || !read_once(deadline)) return false;
    }
    return true;
}

bool event_stream::read_once(std::chrono::steady_clock::time_point deadline) {
    char buf[16384];
    bool done = false;
    error_code ec;
    std::size_t n = 0;
    socket_.async_read_some(net::buffer(buf), [&](const error_code& e, std::size_t got) {
        ec = e;
        n = got;
        done = true;
    });
    ioc_.restart();
    ioc_.run_until(deadline);
    if (!done) {
        // Timed out: cancel and let the handler run, so `buf` is not written after we return.
        socket_.cancel(ec);
        ioc_.restart();
        ioc_.run();
        return false;
    }
    const std::string_view bytes(buf, n);
    if (head_.status == 0)
        pending_.append(bytes);
    else
        parser_.feed(bytes);
    if (ec) {
        closed_ = true;
        parser_.finish();
    }
    return true;
}

std::size_t event_stream::event_count() const {
    return static_cast<std::size_t>(std::count_if(recorder_.records.begin(), recorder_.records.end(),
                                                  [](const record& r) { return !r.is_retry; }));
}

bool event_stream::wait_events(std::size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (event_count() < n) {
        if (closed_ || !read_once(deadline)) return false;
    }
    return true;
}

bool event_stream::wait_comments(std::size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (recorder_.comments.size() < n) {
        if (closed_ || !read_once(deadline)) return false;
    }
    return true;
}

bool event_stream::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
        if (!read_once(deadline)) return false;
    }
    return true;
}

void event_stream::close() {
    error_code ignored;
    socket_.close(ignored);
}

std::vector<record> event_stream::events() const {
    std::vector<record> out;
    for (const record& r : recorder_.records)
        if (!r.is_retry) out.push_back(r);
    return out;
}

}  // namespace sse::test
