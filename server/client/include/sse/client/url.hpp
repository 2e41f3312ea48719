// The part of a URL the client needs: plain http://host[:port]/target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace sse::client {

/// A parsed http:// URL. `target` is the request target (path plus query, at least "/").
struct url {
    std::string host;      ///< host name or IPv4 address; an IPv6 literal without brackets
    std::uint16_t port = 80;
    std::string target = "/";

    /// "host:port" as a Host header value (brackets around an IPv6 literal).
    std::string host_header() const;
};

/// Parses `text` as `http://host[:port][/path][?query]` (a fragment is dropped, as fetch does).
/// Returns errc::unsupported_scheme for https:// and any other scheme (this client has no TLS),
/// errc::invalid_url for anything malformed (no host, bad port, userinfo, spaces or control
/// characters). `out` is written only on success.
std::error_code parse_url(std::string_view text, url& out);

/// Resolves a Location header value against `base` (RFC 3986 5.2 for the forms servers send:
/// absolute `http://...`, scheme-relative `//host/...`, absolute path `/...`, relative path).
/// Same errors as parse_url(); errc::unsupported_scheme for a redirect to https.
std::error_code resolve_location(const url& base, std::string_view location, url& out);

}  // namespace sse::client
