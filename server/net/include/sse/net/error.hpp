// Error codes of ssekit's client transport: one enum, one "sse.net" std::error_category.
//
// Network failures arrive as the operating system's / Asio's own codes (connection_refused,
// eof, ...) and malformed responses as Beast's (`beast.http`); this enum covers URLs, the connect
// timeout and TLS, where a failed handshake is classified into the one cause a user can act on,
// and HTTP/2 connection failures.
#pragma once

#include <system_error>

namespace sse::net {

/// Values are stable; 0 is never used.
enum class errc {
    invalid_url = 1,           ///< not `http(s)://host[:port][/path][?query]`
    unsupported_scheme,        ///< a scheme other than http:// and https://
    connect_timeout,           ///< no TCP connection (and TLS handshake) within the connect timeout
    tls_unknown_ca,            ///< the certificate's issuer is not trusted (a private CA: give its file)
    tls_self_signed,           ///< a self-signed certificate that is not trusted
    tls_name_mismatch,         ///< the certificate is not valid for the URL's host name or address
    tls_expired,               ///< the certificate (or one in its chain) has expired
    tls_not_yet_valid,         ///< the certificate (or one in its chain) is not valid yet
    tls_certificate_rejected,  ///< another certificate verification failure (revoked, bad signature, ...)
    tls_alert,                 ///< the server refused the handshake with a TLS alert
    tls_protocol_version,      ///< no TLS version >= 1.2 in common with the server
    tls_not_tls,               ///< the server's answer is not TLS (plain HTTP on an https:// URL?)
    tls_handshake_failed,      ///< another handshake failure (the connection ended, a reset, ...)
    tls_ca_file,               ///< the CA file could not be read or holds no certificate
    stopped,                   ///< a response_parser handler asked to stop (not a failure)
    h2_protocol,               ///< an HTTP/2 connection error (h2_session::last_error() has nghttp2's words)
    h2_not_negotiated,         ///< HTTP/2 was required but the server's ALPN did not select "h2"
    h2_stream_reset,           ///< the server ended an HTTP/2 stream with an error (RST_STREAM or GOAWAY)
};

/// The "sse.net" category. Messages say what happened and what to do.
const std::error_category& net_category() noexcept;

/// Lets `std::error_code ec = sse::net::errc::invalid_url;` work.
std::error_code make_error_code(errc e) noexcept;

/// True for the tls_* codes: the TLS layer failed, not the network or HTTP.
bool is_tls_error(std::error_code ec) noexcept;

}  // namespace sse::net

template <>
struct std::is_error_code_enum<sse::net::errc> : std::true_type {};
