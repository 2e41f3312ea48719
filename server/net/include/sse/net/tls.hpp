// TLS for ssekit's clients: the options a user gives, the OpenSSL client context made from them,
// and the classifier that turns a failed handshake into the one cause a user can act on.
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace sse::net {

/// How a client checks the servers it connects to over https://.
struct tls_options {
    /// Verify the certificate chain and that the certificate is valid for the URL's host (name or
    /// IP address). false is curl's -k: encrypted, but anyone in the path can impersonate the server.
    bool verify = true;
    /// Trust exactly the certificates in this PEM file (a private CA; curl's --cacert). Empty: the
    /// system's trust store (OpenSSL's default paths, /etc/ssl/certs on Debian).
    std::string ca_file;
    /// The application protocols offered by ALPN (RFC 7301), in order of preference, e.g.
    /// {"h2", "http/1.1"}. Empty: no ALPN extension is sent (the server then speaks HTTP/1.1).
    /// stream::negotiated_protocol() reports the server's choice.
    std::vector<std::string> alpn{};
};

/// An OpenSSL client context, shared by every stream made with it (thread-safe for that use).
using tls_context = boost::asio::ssl::context;

/// A TLS failure as a user reads it: what went wrong (code: an errc::tls_* value, or
/// errc::connect_timeout) and OpenSSL's own words for it.
struct tls_failure {
    std::error_code code;
    std::string detail;  ///< e.g. "unable to get local issuer certificate", "alert handshake failure"

    explicit operator bool() const noexcept { return static_cast<bool>(code); }
    /// One line: code.message(), then the detail in parentheses when there is one.
    std::string message() const;
};

/// A client context: TLS 1.2 or newer, peer verification as `options` say (a trust store from
/// ca_file or the system's), ALPN offering `options.alpn`. Returns null and sets `error`
/// (errc::tls_ca_file, with the file and the reason) when the CA file cannot be loaded, or
/// (errc::tls_handshake_failed) when an ALPN protocol name is empty or longer than 255 bytes.
std::shared_ptr<tls_context> make_tls_context(const tls_options& options, tls_failure& error);

/// Whether streams made with `context` verify the server (its verify mode includes verify_peer).
bool verifies_peer(tls_context& context) noexcept;

/// Classifies the error `ec` of a failed handshake on `ssl` (null: the stream had no TLS object):
/// the verification result (unknown CA, self-signed, name mismatch, expired, not yet valid), an
/// alert the server sent (with its description), no common protocol version, an answer that is not
/// TLS at all, or the connection ending during the handshake. Never returns an empty code for a
/// non-empty `ec`.
tls_failure classify_handshake_error(const boost::system::error_code& ec, const SSL* ssl);

}  // namespace sse::net
