// sse::server::tls_errc: why the server's TLS could not be set up or reloaded.
#pragma once

#include <system_error>
#include <type_traits>

namespace sse::server {

/// Errors of server::start() and server::reload_tls() about config::tls_cert_file and
/// config::tls_key_file. The server's log line (msg "cannot load TLS certificate" or "tls reload
/// failed") names the file, OpenSSL's reason and what to do.
enum class tls_errc {
    incomplete_config = 1,  ///< a certificate without a key or the reverse, or tls_port without them
    cert_unreadable,        ///< the certificate file cannot be read (missing, no permission)
    key_unreadable,         ///< the private key file cannot be read
    bad_certificate,        ///< no usable PEM certificate in the certificate file
    bad_key,                ///< no usable PEM private key in the key file (or an encrypted one)
    key_mismatch,           ///< the private key does not belong to the (first) certificate
    not_configured,         ///< reload_tls() on a server without TLS
};

/// The category of tls_errc ("sse-server tls").
const std::error_category& tls_category() noexcept;

inline std::error_code make_error_code(tls_errc e) noexcept {
    return {static_cast<int>(e), tls_category()};
}

}  // namespace sse::server

template <>
struct std::is_error_code_enum<sse::server::tls_errc> : std::true_type {};
