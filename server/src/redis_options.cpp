#include "sse/server/redis_options.hpp"

#include <charconv>

#include "parse_number.hpp"

namespace sse::server {
using detail::parse_number;

bool parse_host_port(std::string_view text, std::string& host, std::uint16_t& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::uint16_t p = 0;
    if (!parse_number(text.substr(colon + 1), p) || p == 0) return false;
    std::string_view h = text.substr(0, colon);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.find_first_of("/@ ") != std::string_view::npos) return false;
    host = h;
    port = p;
    return true;
}

bool parse_redis_url(std::string_view url, redis_options& out) {
    constexpr std::string_view scheme = "redis://";
    if (url.substr(0, scheme.size()) != scheme) return false;
    std::string_view rest = url.substr(scheme.size());
    if (rest.find('@') != std::string_view::npos) return false;
    int db = 0;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        const std::string_view d = rest.substr(slash + 1);
        if (!d.empty() && (!parse_number(d, db) || db < 0)) return false;
        rest = rest.substr(0, slash);
    }
    std::string host;
    std::uint16_t port = 6379;
    const bool bracketed = !rest.empty() && rest.front() == '[';
    const auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && (!bracketed || rest[colon - 1] == ']')) {
        if (!parse_host_port(rest, host, port)) return false;
    } else {
        if (bracketed && rest.size() > 2 && rest.back() == ']') rest = rest.substr(1, rest.size() - 2);
        host = rest;
    }
    if (host.empty()) return false;
    out.host = std::move(host);
    out.port = port;
    out.db = db;
    return true;
}

}  // namespace sse::server
