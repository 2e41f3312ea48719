#include "sse/client/url.hpp"

#include <charconv>

#include "sse/client/error.hpp"

namespace sse::client {

namespace {

bool has_forbidden_byte(std::string_view s) {
    for (unsigned char c : s)
        if (c <= 0x20 || c == 0x7f) return true;
    return false;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// Parses "host[:port]" (authority without userinfo).
std::error_code parse_authority(std::string_view auth, url& out) {
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
    }
    if (host.empty()) return errc::invalid_url;
    std::uint16_t p = 80;
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

std::string url::host_header() const {
    // Built with append(): GCC 12 -O3 warns falsely (-Wrestrict, GCC bug 105329) on "[" + s.
    const bool v6 = host.find(':') != std::string::npos;
    std::string h;
    if (v6) h.append(1, '[');
    h.append(host);
    if (v6) h.append(1, ']');
    if (port != 80) h.append(1, ':').append(std::to_string(port));
    return h;
}

std::error_code parse_url(std::string_view text, url& out) {
    if (has_forbidden_byte(text)) return errc::invalid_url;
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return errc::invalid_url;
    if (!iequals_prefix(text, "http://")) return errc::unsupported_scheme;
    text = drop_fragment(text.substr(7));
    const auto slash = text.find_first_of("/?");
    url u;
    if (auto ec = parse_authority(text.substr(0, slash), u)) return ec;
    if (slash != std::string_view::npos) {
        u.target = std::string(text.substr(slash));
        if (u.target.front() == '?') u.target.insert(u.target.begin(), '/');
    }
    out = std::move(u);
    return {};
}

std::error_code resolve_location(const url& base, std::string_view location, url& out) {
    if (location.empty() || has_forbidden_byte(location)) return errc::invalid_url;
    if (location.find("://") != std::string_view::npos &&
        location.find("://") < location.find_first_of("/?"))
        return parse_url(location, out);
    location = drop_fragment(location);
    if (location.substr(0, 2) == "//") {
        std::string absolute("http:");
        absolute.append(location);
        return parse_url(absolute, out);
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

}  // namespace sse::client
