#include "sse/net/url.hpp"

#include <charconv>

#include <boost/asio/ip/address.hpp>

#include "sse/net/error.hpp"

namespace sse::net {

namespace {

bool has_forbidden_byte(std::string_view s) {
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f) return true;
    return false;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

// Parses "host[:port]" (an authority without userinfo); the port defaults to `default_port`.
std::error_code parse_authority(std::string_view auth, std::uint16_t default_port, url& out) {
    if (auth.empty() || auth.find('@') != std::string_view::npos) return errc::invalid_url;
    std::string_view host = auth;
    std::string_view port;
    if (auth.front() == '[') {
        const auto close = auth.find(']');
        if (close == std::string_view::npos || close == 1) return errc::invalid_url;
        host = auth.substr(1, close - 1);
        const auto rest = auth.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return errc::invalid_url;
            port = rest.substr(1);
        }
    } else if (const auto colon = auth.rfind(':'); colon != std::string_view::npos) {
        host = auth.substr(0, colon);
        port = auth.substr(colon + 1);
        if (port.empty()) return errc::invalid_url;
    }
    if (host.empty()) return errc::invalid_url;
    std::uint16_t p = default_port;
    if (!port.empty()) {
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535)
            return errc::invalid_url;
        p = static_cast<std::uint16_t>(value);
    }
    out.host = std::string(host);
    out.port = p;
    return {};
}

std::string_view drop_fragment(std::string_view s) {
    const auto hash = s.find('#');
    return hash == std::string_view::npos ? s : s.substr(0, hash);
}

}  // namespace

std::string url::authority() const {
    // Built with append(): GCC 12 -O3 warns falsely (-Wrestrict, GCC bug 105329) on "[" + s.
    const bool v6 = host.find(':') != std::string::npos;
    std::string h;
    if (v6) h.append(1, '[');
    h.append(host);
    if (v6) h.append(1, ']');
    if (port != default_port()) h.append(1, ':').append(std::to_string(port));
    return h;
}

std::string url::origin() const {
    std::string o(scheme());
    o.append("://").append(authority());
    return o;
}

std::string url::str() const {
    std::string s = origin();
    s.append(target);
    return s;
}

url url::with_target(std::string t) const {
    url u = *this;
    u.target = std::move(t);
    return u;
}

bool url::same_origin(const url& other) const noexcept {
    return tls == other.tls && port == other.port && iequals(host, other.host);
}

bool url::host_is_ip() const noexcept {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    return !ec;
}

std::error_code parse_url(std::string_view text, url& out) {
    if (has_forbidden_byte(text)) return errc::invalid_url;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return errc::invalid_url;
    const auto scheme = text.substr(0, scheme_end);
    url u;
    if (iequals(scheme, "https")) u.tls = true;
    else if (!iequals(scheme, "http")) return errc::unsupported_scheme;
    text = drop_fragment(text.substr(scheme_end + 3));
    const auto slash = text.find_first_of("/?");
    if (auto ec = parse_authority(text.substr(0, slash), u.default_port(), u)) return ec;
    if (slash != std::string_view::npos) {
        u.target = std::string(text.substr(slash));
        if (u.target.front() == '?') u.target.insert(u.target.begin(), '/');
    }
    out = std::move(u);
    return {};
}

std::error_code resolve_location(const url& base, std::string_view location, url& out) {
    if (location.empty() || has_forbidden_byte(location)) return errc::invalid_url;
    const auto scheme_end = location.find("://");
    if (scheme_end != std::string_view::npos && scheme_end < location.find_first_of("/?"))
        return parse_url(location, out);
    location = drop_fragment(location);
    if (location.substr(0, 2) == "//") {
        std::string absolute(base.scheme());
        absolute.append(":").append(location);
        return parse_url(absolute, out);
    }
    if (location.empty()) {  // only a fragment: the same resource
        out = base;
        return {};
    }
    url u = base;
    if (location.front() == '/') {
        u.target = std::string(location);
    } else if (location.front() == '?') {
        u.target = base.target.substr(0, base.target.find('?'));
        u.target.append(location);
    } else {
        // A relative path replaces the last segment of the base path (dot segments are left for
        // the server to normalise: they cannot leave the origin).
        std::string path = base.target.substr(0, base.target.find('?'));
        path = path.substr(0, path.rfind('/') + 1);
        u.target = std::move(path);
        u.target.append(location);
    }
    out = std::move(u);
    return {};
}

}  // namespace sse::net
