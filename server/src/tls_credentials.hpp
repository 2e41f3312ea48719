// tls_credentials: the server's TLS context, loaded from PEM files and replaced whole on reload.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "asio.hpp"
#include "sse/server/tls_error.hpp"

namespace sse::server::detail {

/// What a loaded certificate is, for the log (and for an operator checking a reload took).
struct tls_certificate_info {
    std::string subject;     ///< RFC 2253, e.g. CN=example.org
    std::string not_after;   ///< e.g. 2026-12-21T10:00:00Z
    std::string sha256;      ///< fingerprint of the DER encoding, hex pairs joined by ':'
    bool expired = false;    ///< not after is in the past: clients will refuse it
    bool not_yet_valid = false;
};

/// The outcome of load_tls(): a ready context, or an error with a message for a person.
struct tls_load_result {
    std::shared_ptr<net::ssl::context> context;  ///< null on error
    std::error_code error;                        ///< a tls_errc
    std::string detail;  ///< what is wrong, naming the file (and OpenSSL's reason when it has one)
    std::string hint;    ///< what to do about it
    tls_certificate_info info;
};

/// Builds a server context from `cert_file` (PEM: the server certificate first, then any
/// intermediates; a chain file) and `key_file` (its PEM private key, EC or RSA, unencrypted):
/// TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites for TLS 1.2 (OpenSSL's defaults for
/// 1.3), no renegotiation, no compression. Reads the files itself, so a missing or unreadable
/// file is told apart from a malformed one; never prompts for a pass phrase. ALPN: `h2` when
/// `http2` and the client offers it, else `http/1.1` when offered; a client offering neither
/// proceeds without ALPN (and gets HTTP/1.1).
tls_load_result load_tls(const std::string& cert_file, const std::string& key_file,
                         bool http2 = true);

/// The context new TLS connections use. A reload swaps in a new one; connections accepted
/// before keep theirs (connection holds it), so open streams are never touched. Thread-safe.
class tls_credentials {
public:
    /// The current context, or null when the server has no TLS.
    std::shared_ptr<net::ssl::context> current() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    /// Makes `c` the context of every connection accepted from now on.
    void replace(std::shared_ptr<net::ssl::context> c) {
        std::lock_guard lock(mutex_);
        current_ = std::move(c);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<net::ssl::context> current_;
};

}  // namespace sse::server::detail
