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

#include "tls_client.hpp"

namespace sse::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using tls_stream = ssl::stream<beast::tcp_stream>;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

const tcp::endpoint loopback(std::uint16_t port) {
    return {net::ip::make_address("127.0.0.1"), port};
}

beast::tcp_stream& lowest(beast::tcp_stream& s) { return s; }
beast::tcp_stream& lowest(tls_stream& s) { return s.next_layer(); }

// Reads one response from `stream`; every step bounded by the stream's timeout.
template <typename Stream>
std::optional<http_reply> read_reply(net::io_context& ioc, Stream& stream,
                                     beast::flat_buffer& buffer, bool head_only,
                                     std::chrono::milliseconds timeout) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (head_only) parser.skip(true);
    error_code ec;
    bool done = false;
    lowest(stream).expires_after(timeout);
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

// Connects (and over TLS shakes hands) within `timeout`.
bool open_connection(net::io_context& ioc, beast::tcp_stream& stream, std::uint16_t port,
             std::chrono::milliseconds timeout) {
    error_code ec;
    stream.expires_after(timeout);
    stream.async_connect(loopback(port), [&](const error_code& e) { ec = e; });
    ioc.restart();
    ioc.run();
    return !ec;
}

bool open_connection(net::io_context& ioc, tls_stream& stream, std::uint16_t port,
             std::chrono::milliseconds timeout) {
    if (!open_connection(ioc, stream.next_layer(), port, timeout)) return false;
    error_code ec;
    stream.next_layer().expires_after(timeout);
    stream.async_handshake(ssl::stream_base::client, [&](const error_code& e) { ec = e; });
    ioc.restart();
    ioc.run();
    return !ec;
}

// Sends each request of `raws` and reads its reply, on one connection; stops at the first failure.
template <typename Stream>
std::vector<http_reply> exchange(net::io_context& ioc, Stream& stream, std::uint16_t port,
                                 const std::vector<std::string>& raws, bool head_only,
                                 std::chrono::milliseconds timeout) {
    std::vector<http_reply> out;
    if (!open_connection(ioc, stream, port, timeout)) return out;
    beast::flat_buffer buffer;
    for (const std::string& raw : raws) {
        error_code ec;
        lowest(stream).expires_after(timeout);
        net::async_write(stream, net::buffer(raw), [&](const error_code& e, std::size_t) { ec = e; });
        ioc.restart();
        ioc.run();
        if (ec) return out;
        auto r = read_reply(ioc, stream, buffer, head_only, timeout);
        if (!r) return out;
        out.push_back(std::move(*r));
    }
    return out;
}

std::optional<http_reply> first(std::vector<http_reply> replies) {
    if (replies.empty()) return std::nullopt;
    return std::move(replies.front());
}

std::string request_text(const std::string& method, const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body) {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
    if (!body.empty() || method == "POST") raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    raw += "\r\n" + body;
    return raw;
}

std::vector<http_reply> tls_exchange(std::uint16_t port, const tls_options& tls,
                                     const std::vector<std::string>& raws, bool head_only,
                                     std::chrono::milliseconds timeout) {
    net::io_context ioc;
    const auto ctx = client_context(tls);
    tls_stream stream(ioc, *ctx);
    prepare_client(stream, tls);
    return exchange(ioc, stream, port, raws, head_only, timeout);
}

}  // namespace

std::optional<http_reply> http_raw(std::uint16_t port, const std::string& raw, bool head_only,
                                   std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    return first(exchange(ioc, stream, port, {raw}, head_only, timeout));
}

std::optional<http_reply> http_request(std::uint16_t port, const std::string& method,
                                       const std::string& target,
                                       const std::vector<std::pair<std::string, std::string>>& headers,
                                       const std::string& body) {
    return http_raw(port, request_text(method, target, headers, body), method == "HEAD");
}

std::vector<http_reply> http_pipeline(std::uint16_t port, const std::vector<std::string>& raws,
                                      std::chrono::milliseconds timeout) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    return exchange(ioc, stream, port, raws, false, timeout);
}

std::optional<http_reply> https_raw(std::uint16_t port, const tls_options& tls,
                                    const std::string& raw, bool head_only,
                                    std::chrono::milliseconds timeout) {
    return first(tls_exchange(port, tls, {raw}, head_only, timeout));
}

std::optional<http_reply> https_request(std::uint16_t port, const tls_options& tls,
                                        const std::string& method, const std::string& target,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body) {
    return https_raw(port, tls, request_text(method, target, headers, body), method == "HEAD");
}

std::vector<http_reply> https_pipeline(std::uint16_t port, const tls_options& tls,
                                       const std::vector<std::string>& raws,
                                       std::chrono::milliseconds timeout) {
    return tls_exchange(port, tls, raws, false, timeout);
}

event_stream::event_stream() : socket_(ioc_), parser_(recorder_) {}

event_stream::~event_stream() { close(); }

void event_stream::use_tls(const tls_options& tls) {
    tls_options_ = tls;
    tls_context_ = client_context(tls);
}

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
    return run_until(done, deadline) && !ec;
}

bool event_stream::run_until(const bool& done, std::chrono::steady_clock::time_point deadline) {
    ioc_.restart();
    ioc_.run_until(deadline);
    if (done) return true;
    // Timed out: cancel and let the handler run, so nothing it refers to is written after we
    // return.
    error_code ignored;
    socket_.cancel(ignored);
    ioc_.restart();
    ioc_.run();
    return false;
}

bool event_stream::open(std::uint16_t port, const std::string& target,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        std::optional<int> receive_buffer, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!open_socket(port, receive_buffer, deadline)) return false;
    if (tls_options_ && !handshake(deadline)) return false;
    error_code ec;

    std::string raw = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
    for (const auto& [name, value] : headers) raw += name + ": " + value + "\r\n";
    raw += "\r\n";
    if (!send(raw)) return false;

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

bool event_stream::handshake(std::chrono::steady_clock::time_point deadline) {
    tls_.emplace(socket_, *tls_context_);
    prepare_client(*tls_, *tls_options_);
    error_code ec;
    bool done = false;
    tls_->async_handshake(ssl::stream_base::client, [&](const error_code& e) {
        ec = e;
        done = true;
    });
    return run_until(done, deadline) && !ec;
}

bool event_stream::send(const std::string& bytes) {
    error_code ec;
    if (tls_) net::write(*tls_, net::buffer(bytes), ec);
    else net::write(socket_, net::buffer(bytes), ec);
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
    const auto on_read = [&](const error_code& e, std::size_t got) {
        ec = e;
        n = got;
        done = true;
    };
    if (tls_) tls_->async_read_some(net::buffer(buf), on_read);
    else socket_.async_read_some(net::buffer(buf), on_read);
    if (!run_until(done, deadline)) return false;
    const std::string_view bytes(buf, n);
    if (head_.status == 0)
        pending_.append(bytes);
    else
        parser_.feed(bytes);
    if (ec) {
        closed_ = true;
        // Over TLS, EOF means close_notify arrived; a bare TCP close is stream_truncated.
        tls_clean_close_ = tls_ && ec == net::error::eof;
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
