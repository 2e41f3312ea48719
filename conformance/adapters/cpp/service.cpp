#include "service.hpp"

#include <iostream>
#include <stdexcept>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/version.hpp>
#include <sys/socket.h>

namespace sse::conformance::adapter {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;

namespace {

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

response answer(const request& req, http::status status, std::string body = {},
                const char* content_type = "text/plain; charset=utf-8") {
    response res{status, req.version()};
    res.set(http::field::server, "sse-client-adapter");
    if (!body.empty()) res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

json parse_body(const request& req) {
    const std::string& text = req.body();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) throw std::invalid_argument("the body is not valid JSON");
    return j;
}

}  // namespace

service::service(asio::io_context& io, const std::string& host, unsigned short port, bool verbose)
    : io_(io), acceptor_(io), verbose_(verbose) {
    tcp::endpoint ep(asio::ip::make_address(host), port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
}

service::~service() {
    request_stop();
    wait_and_shut_down();
}

unsigned short service::port() const { return acceptor_.local_endpoint().port(); }

void service::start() { do_accept(); }

void service::log(const std::string& line) {
    if (!verbose_) return;
    static std::mutex out;
    std::lock_guard lock(out);
    std::cerr << "[sse-client-adapter] " << line << '\n';
}

void service::do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        std::lock_guard lock(mutex_);
        if (stop_) return;
        // Reap the connections that ended, so a long run keeps no finished threads.
        for (auto it = connections_.begin(); it != connections_.end();) {
            if (it->done) {
                it->thread.join();
                it = connections_.erase(it);
            } else {
                ++it;
            }
        }
        if (!ec) {
            auto& c = connections_.emplace_back();
            c.socket = std::make_shared<tcp::socket>(std::move(socket));
            c.thread = std::thread([this, &c] {
                serve(*c.socket);
                c.done = true;
            });
        } else {
            log("accept failed: " + ec.message());
        }
        do_accept();
    });
}

void service::request_stop() {
    {
        std::lock_guard lock(mutex_);
        if (stop_) return;
        stop_ = true;
    }
    stop_cv_.notify_all();
    asio::post(io_, [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
}

void service::wait_and_shut_down() {
    std::map<std::string, std::shared_ptr<adapter_stream>> streams;
    {
        std::unique_lock lock(mutex_);
        stop_cv_.wait(lock, [this] { return stop_; });
        streams.swap(streams_);
    }
    for (auto& [id, s] : streams) s->close();
    streams.clear();
    // Unblock connection threads waiting for a next request, then join them. No new connection
    // is added once stop_ is set.
    std::list<connection> connections;
    {
        std::lock_guard lock(mutex_);
        connections.splice(connections.end(), connections_);
    }
    for (auto& c : connections) {
        ::shutdown(c.socket->native_handle(), SHUT_RDWR);
        if (c.thread.joinable()) c.thread.join();
    }
}

void service::serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        beast::error_code ec;
        http::read(socket, buffer, parser, ec);
        if (ec) {
            if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::connection_reset &&
                ec != asio::error::not_connected && ec != asio::error::shut_down)
                log("reading a request failed: " + ec.message());
            return;
        }
        const request& req = parser.get();
        bool stop_after = false;
        response res = [&]() -> response {
            try {
                const std::string target(req.target());
                log(std::string(req.method_string()) + " " + target);
                if (target == "/") {
                    if (req.method() == http::verb::get || req.method() == http::verb::head) {
                        json caps = json::array();
                        for (auto c = capabilities(); *c; ++c) caps.push_back(*c);
                        json body = {{"capabilities", caps}, {"name", "ssekit sse::client (C++, Asio)"}};
                        return answer(req, http::status::ok, body.dump(), "application/json");
                    }
                    if (req.method() == http::verb::delete_) {
                        stop_after = true;
                        return answer(req, http::status::no_content);
                    }
                    if (req.method() == http::verb::post) {
                        json params = parse_body(req);
                        std::lock_guard lock(mutex_);
                        if (stop_) return answer(req, http::status::service_unavailable, "the service is stopping");
                        const std::string id = std::to_string(next_id_);
                        auto s = std::make_shared<adapter_stream>(
                            io_.get_executor(), params,
                            [this, id](const std::string& line) { log("stream " + id + ": " + line); });
                        ++next_id_;
                        streams_.emplace(id, std::move(s));
                        response created = answer(req, http::status::created,
                                                  json{{"id", std::stoul(id)}}.dump(), "application/json");
                        created.set(http::field::location, "/streams/" + id);
                        return created;
                    }
                    return answer(req, http::status::method_not_allowed, "GET, POST or DELETE");
                }
                constexpr std::string_view prefix = "/streams/";
                if (!target.starts_with(prefix)) return answer(req, http::status::not_found, "no such resource");
                const std::string id = target.substr(prefix.size());
                std::shared_ptr<adapter_stream> s;
                {
                    std::lock_guard lock(mutex_);
                    auto it = streams_.find(id);
                    if (it == streams_.end()) return answer(req, http::status::not_found, "no such stream");
                    s = it->second;
                    if (req.method() == http::verb::delete_) streams_.erase(it);
                }
                if (req.method() == http::verb::delete_) {
                    s->close();  // waits for the callbacks already reported: none is sent after this answer
                    return answer(req, http::status::no_content);
                }
                if (req.method() == http::verb::post) {
                    json cmd = parse_body(req);
                    const json* command = cmd.is_object() ? &cmd["command"] : nullptr;
                    if (command && *command == "listen") {
                        // sse::client reports every event type, so `listen` changes nothing; it is
                        // accepted for harnesses that send it without the capability. "Listen" is
                        // the contract-test harness's spelling.
                        const json& l = cmd.contains("listen") ? cmd["listen"] : cmd["Listen"];
                        if (!l.is_object() || !l.contains("type") || !l["type"].is_string())
                            return answer(req, http::status::bad_request, "listen needs {\"listen\":{\"type\":\"...\"}}");
                        return answer(req, http::status::no_content);
                    }
                    return answer(req, http::status::bad_request,
                                  "unsupported command " + (command ? command->dump() : std::string("(none)")) +
                                      " (this adapter supports \"listen\")");
                }
                return answer(req, http::status::method_not_allowed, "POST or DELETE");
            } catch (const std::invalid_argument& e) {
                return answer(req, http::status::bad_request, e.what());
            } catch (const std::exception& e) {
                return answer(req, http::status::internal_server_error, e.what());
            }
        }();
        http::write(socket, res, ec);
        if (stop_after) request_stop();
        if (ec || !res.keep_alive() || stop_after) break;
        std::lock_guard lock(mutex_);
        if (stop_) break;
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace sse::conformance::adapter
