#include "url.hpp"

#include <charconv>

namespace sse::conformance {

std::string url::origin() const { return "http://" + authority(); }

std::string url::authority() const {
    // Appended piece by piece: GCC 12 at -O3 reports a false -Wrestrict on the equivalent chain
    // of operator+ (GCC bug 105651).
    const bool v6 = host.find(':') != std::string::npos;
    std::string out;
    if (v6) out += '[';
    out += host;
    if (v6) out += ']';
    if (port != 80) {
        out += ':';
        out += std::to_string(port);
    }
    return out;
}

url url::with_target(std::string t) const {
    url u = *this;
    u.target = std::move(t);
    return u;
}

std::optional<url> parse_url(std::string_view text, std::string& error) {
    constexpr std::string_view scheme = "http://";
    if (text.substr(0, 8) == "https://") {
        error = "https is not supported: test the plain HTTP endpoint, or put a TLS-terminating "
                "proxy in front (" + std::string(text) + ")";
        return std::nullopt;
    }
    if (text.substr(0, scheme.size()) != scheme) {
        error = "URL must start with http:// (got '" + std::string(text) + "')";
        return std::nullopt;
    }
    std::string_view rest = text.substr(scheme.size());
    const auto slash = rest.find_first_of("/?#");
    std::string_view auth = rest.substr(0, slash);
    std::string_view tgt = slash == std::string_view::npos ? "/" : rest.substr(slash);
    if (const auto hash = tgt.find('#'); hash != std::string_view::npos) tgt = tgt.substr(0, hash);
    url u;
    u.target = tgt.empty() || tgt.front() != '/' ? "/" + std::string(tgt) : std::string(tgt);
    if (auth.find('@') != std::string_view::npos) {
        error = "URL with user info is not supported: " + std::string(text);
        return std::nullopt;
    }
    std::string_view port_text;
    if (!auth.empty() && auth.front() == '[') {
        const auto close = auth.find(']');
        if (close == std::string_view::npos) {
            error = "URL has an unclosed [ in its host: " + std::string(text);
            return std::nullopt;
        }
        u.host = std::string(auth.substr(1, close - 1));
        if (close + 1 < auth.size() && auth[close + 1] == ':') port_text = auth.substr(close + 2);
    } else {
        const auto colon = auth.rfind(':');
        u.host = std::string(auth.substr(0, colon));
        if (colon != std::string_view::npos) port_text = auth.substr(colon + 1);
    }
    if (u.host.empty()) {
        error = "URL has no host: " + std::string(text);
        return std::nullopt;
    }
    if (!port_text.empty()) {
        unsigned p = 0;
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || p == 0 || p > 65535) {
            error = "URL has a bad port '" + std::string(port_text) + "': " + std::string(text);
            return std::nullopt;
        }
        u.port = static_cast<std::uint16_t>(p);
    }
    for (char c : u.target) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            error = "URL contains a space or control character: percent-encode it";
            return std::nullopt;
        }
    }
    return u;
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string base64url(std::string_view bytes) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto v = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                       (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (const auto left = bytes.size() - i; left > 0) {
        auto v = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        if (left == 2) v |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        if (left == 2) out += alphabet[(v >> 6) & 63];
    }
    return out;
}

}  // namespace sse::conformance
