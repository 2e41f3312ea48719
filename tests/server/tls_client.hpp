// The TLS side of the test clients (test_client.hpp): client contexts and handshake preparation,
// shared by the HTTP helpers, event_stream and tls_probe().
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "test_client.hpp"

namespace sse::test {

/// A client context for `tls`: verification against its CA (none without one), its protocol
/// bounds, and security level 0 when it asks for legacy protocols.
std::unique_ptr<boost::asio::ssl::context> client_context(const tls_options& tls);

/// SNI and, when verifying, the host name check, on a stream about to shake hands.
template <typename Stream>
void prepare_client(Stream& s, const tls_options& tls) {
    SSL_set_tlsext_host_name(s.native_handle(), tls.host.c_str());
    if (!tls.ca_file.empty())
        s.set_verify_callback(boost::asio::ssl::host_name_verification(tls.host));
}

/// SHA-256 of `cert`'s DER encoding as AA:BB:..., or empty for null.
std::string fingerprint(X509* cert);

}  // namespace sse::test
