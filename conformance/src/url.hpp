// A parsed http:// URL (the probe speaks plain HTTP/1.1 only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sse::conformance {

struct url {
    std::string host;        ///< as written (name or IPv4; IPv6 without brackets)
    std::uint16_t port = 80;
    std::string target = "/";  ///< path and query, as sent in the request line
    /// `http://host:port` (no target).
    std::string origin() const;
    /// The Host header value.
    std::string authority() const;
    /// This URL with another target (`/conformance/echo?...`).
    url with_target(std::string t) const;
    std::string str() const { return origin() + target; }
};

/// Parses `http://host[:port][/path][?query]`. On error returns nullopt and sets `error` to one
/// line saying what is wrong (https is refused with a hint: put a TLS proxy in front).
std::optional<url> parse_url(std::string_view text, std::string& error);

/// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

/// RFC 4648 section 5 base64url without padding.
std::string base64url(std::string_view bytes);

}  // namespace sse::conformance
