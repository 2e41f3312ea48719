#include "service_client.hpp"

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace sse::conformance::client {
namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

namespace {

struct url_parts {
    std::string host, port, path;
};

// http://HOST[:PORT][/PATH]; no userinfo, no https (the services run on loopback).
bool split_url(const std::string& url, url_parts& out) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme)) return false;
    std::string rest = url.substr(scheme.size());
    auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    out.path = slash == std::string::npos ? "/" : rest.substr(slash);
    auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']') == std::string::npos) {
        out.host = authority.substr(0, colon);
        out.port = authority.substr(colon + 1);
    } else {
        out.host = authority;
        out.port = "80";
    }
    return !out.host.empty() && !out.port.empty();
}

}  // namespace

bool service_info::has(std::string_view capability) const {
    for (const auto& c : capabilities)
        if (c == capability) return true;
    return false;
}

service_client::service_client(std::string base_url, std::chrono::milliseconds timeout)
    : base_(std::move(base_url)), timeout_(timeout) {
    while (base_.size() > 7 && base_.back() == '/') base_.pop_back();
    url_parts p;
    if (!split_url(base_, p))
        throw std::invalid_argument("service URL \"" + base_ + "\" is not of the form http://HOST:PORT");
    host_ = p.host;
    port_ = p.port;
}

service_client::answer service_client::call(const std::string& method, const std::string& url,
                                            const std::string& body) const {
    url_parts p;
    if (!split_url(url, p)) throw std::runtime_error("bad URL \"" + url + "\"");
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        stream.expires_after(timeout_);
        tcp::resolver resolver(io);
        stream.connect(resolver.resolve(p.host, p.port));
        http::request<http::string_body> req{http::string_to_verb(method), p.path, 11};
        req.set(http::field::host, p.host + ":" + p.port);
        req.set(http::field::user_agent, "sse-conformance");
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.keep_alive(false);
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1 << 20);
        http::read(stream, buffer, parser);
        auto& res = parser.get();
        answer a{int(res.result_int()), res.body(), std::string(res[http::field::location])};
        beast::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_both, ec);
        return a;
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("test service " + base_ + ": " + method + " " + p.path + " failed: " +
                                 e.code().message() + " (is the service running at that address?)");
    }
}

service_info service_client::info() const {
    answer a = call("GET", base_ + "/", "");
    if (a.status != 200)
        throw std::runtime_error("test service " + base_ + ": GET / answered " + std::to_string(a.status) +
                                 ", expected 200 (ADAPTERS.md: status resource)");
    service_info info;
    if (a.body.empty()) return info;
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return info;  // a plain 200 is allowed
    if (auto c = j.find("capabilities"); c != j.end() && c->is_array())
        for (const auto& v : *c)
            if (v.is_string()) info.capabilities.push_back(v.get<std::string>());
    if (auto n = j.find("name"); n != j.end() && n->is_string()) info.name = *n;
    if (auto v = j.find("version"); v != j.end() && v->is_string()) info.version = *v;
    return info;
}

std::string service_client::create(const nlohmann::json& params) const {
    answer a = call("POST", base_ + "/", params.dump());
    if (a.status < 200 || a.status > 299)
        throw std::runtime_error("test service " + base_ + ": create stream answered " + std::to_string(a.status) +
                                 (a.body.empty() ? "" : ": " + a.body.substr(0, 200)));
    if (a.location.empty())
        throw std::runtime_error("test service " + base_ + ": create stream answered without a Location header");
    if (a.location.starts_with("http://")) return a.location;
    std::string origin = "http://" + host_ + ":" + port_;
    return a.location.starts_with("/") ? origin + a.location : base_ + "/" + a.location;
}

void service_client::command(const std::string& stream_url, const nlohmann::json& command) const {
    answer a = call("POST", stream_url, command.dump());
    if (a.status < 200 || a.status > 299)
        throw std::runtime_error("test service " + base_ + ": command " + command.dump() + " answered " +
                                 std::to_string(a.status) + (a.body.empty() ? "" : ": " + a.body.substr(0, 200)));
}

void service_client::close(const std::string& stream_url) const {
    answer a = call("DELETE", stream_url, "");
    if ((a.status < 200 || a.status > 299) && a.status != 404)
        throw std::runtime_error("test service " + base_ + ": DELETE " + stream_url + " answered " +
                                 std::to_string(a.status));
}

void service_client::stop() const noexcept {
    try {
        (void)call("DELETE", base_ + "/", "");
    } catch (...) {
        // It may exit before it answers: that is success too.
    }
}

}  // namespace sse::conformance::client
