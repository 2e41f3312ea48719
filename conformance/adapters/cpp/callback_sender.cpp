#include "callback_sender.hpp"

#include <chrono>
#include <stdexcept>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

namespace sse::conformance::adapter {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

callback_sender::callback_sender(const std::string& callback_url, logger log) : log_(std::move(log)) {
    if (auto ec = sse::net::parse_url(callback_url, base_))
        throw std::invalid_argument("callbackUrl \"" + callback_url + "\": " + ec.message());
    if (base_.tls) throw std::invalid_argument("callbackUrl must be an http:// URL (the harness listens on plain HTTP)");
    // callbackUrl/N: drop one trailing slash so "/cb/" and "/cb" both give "/cb/1".
    if (base_.target.size() > 1 && base_.target.back() == '/') base_.target.pop_back();
    if (base_.target.find('?') != std::string::npos)
        throw std::invalid_argument("callbackUrl \"" + callback_url + "\" must not have a query (N is appended to its path)");
    thread_ = std::thread([this] { run(); });
}

callback_sender::~callback_sender() { finish(); }

void callback_sender::post(std::string json) {
    {
        std::lock_guard lock(mutex_);
        if (finishing_) return;
        queue_.push_back(std::move(json));
    }
    wake_.notify_one();
}

void callback_sender::finish() {
    {
        std::lock_guard lock(mutex_);
        finishing_ = true;
    }
    wake_.notify_one();
    std::call_once(joined_, [this] {
        if (thread_.joinable()) thread_.join();
    });
}

void callback_sender::run() {
    for (;;) {
        std::string body;
        std::size_t n = 0;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return finishing_ || !queue_.empty(); });
            if (queue_.empty()) return;  // finishing and drained
            body = std::move(queue_.front());
            queue_.pop_front();
            n = ++counter_;
        }
        send_one(n, body);
    }
}

void callback_sender::fail(const std::string& target, const std::string& why) {
    // The protocol says the service ignores the answer; a harness that went away is logged. While
    // finishing, the rest of the queue is dropped so a dead harness cannot hold DELETE for 5 s a
    // message.
    log_("callback " + target + " failed: " + why);
    std::lock_guard lock(mutex_);
    if (finishing_) queue_.clear();
}

void callback_sender::send_one(std::size_t n, const std::string& body) {
    const std::string target = (base_.target == "/" ? std::string() : base_.target) + "/" + std::to_string(n);
    log_("callback " + target + " " + body);
    try {
        asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(std::chrono::seconds(5));
        asio::ip::tcp::resolver resolver(io);
        stream.connect(resolver.resolve(base_.host, std::to_string(base_.port)));
        http::request<http::string_body> req{http::verb::post, target, 11};
        req.set(http::field::host, base_.authority());
        req.set(http::field::content_type, "application/json");
        req.set(http::field::user_agent, "sse-client-adapter");
        req.keep_alive(false);
        req.body() = body;
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        beast::error_code ignored;
        stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    } catch (const boost::system::system_error& e) {
        fail(target, e.code().message());
    } catch (const std::exception& e) {
        fail(target, e.what());
    }
}

}  // namespace sse::conformance::adapter
