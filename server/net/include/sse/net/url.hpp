// The URL type of ssekit's clients: http:// and https://, host, port and request target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace sse::net {

/// A parsed http:// or https:// URL. `target` is the request target (path plus query, at least
/// "/"); a fragment is never part of it.
struct url {
    bool tls = false;          ///< https://
    std::string host;          ///< a name, an IPv4 address, or an IPv6 address without brackets
    std::uint16_t port = 80;
    std::string target = "/";

    /// "http" or "https".
    std::string_view scheme() const noexcept { return tls ? "https" : "http"; }
    /// 443 for https, 80 for http.
    std::uint16_t default_port() const noexcept { return tls ? 443 : 80; }
    /// The Host header value: the host (brackets around an IPv6 literal), then ":port" unless it
    /// is the scheme's default.
    std::string authority() const;
    /// "scheme://authority" (no target).
    std::string origin() const;
    /// The whole URL: origin() + target.
    std::string str() const;
    /// This URL with another request target (e.g. "/conformance/").
    url with_target(std::string t) const;
    /// Same scheme, host and port (RFC 6454 origin), host compared ASCII case-insensitively.
    bool same_origin(const url& other) const noexcept;
    /// The host is an IPv4 or IPv6 literal (TLS then sends no SNI and checks an IP address SAN).
    bool host_is_ip() const noexcept;
};

/// Parses `text` as `http(s)://host[:port][/path][?query][#fragment]` (scheme case-insensitive;
/// the fragment is dropped, as fetch does). Errors: errc::unsupported_scheme for any other
/// scheme, errc::invalid_url for anything malformed (no host, bad port, userinfo, a space or a
/// control character anywhere). `out` is written only on success.
std::error_code parse_url(std::string_view text, url& out);

/// Resolves a Location header value against `base` (RFC 3986 5.2 for the forms servers send:
/// absolute `http(s)://...`, scheme-relative `//host/...`, absolute path `/...`, query `?...`,
/// relative path). Same errors as parse_url(). `out` is written only on success.
std::error_code resolve_location(const url& base, std::string_view location, url& out);

}  // namespace sse::net
