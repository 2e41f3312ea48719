#include "sse/net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include "sse/net/error.hpp"

namespace sse::net {

namespace ssl = boost::asio::ssl;

std::string tls_failure::message() const {
    std::string m = code.message();
    if (!detail.empty()) m.append(" (").append(detail).append(")");
    return m;
}

std::shared_ptr<tls_context> make_tls_context(const tls_options& options, tls_failure& error) {
    auto ctx = std::make_shared<tls_context>(tls_context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    // TLS 1.0 and 1.1 are deprecated (RFC 8996).
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    ctx->set_options(tls_context::default_workarounds | tls_context::no_compression);
    // An idle stream gives OpenSSL's record buffers back between reads: sse-load holds thousands.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    boost::system::error_code ec;
    if (!options.ca_file.empty()) {
        ctx->load_verify_file(options.ca_file, ec);
        if (ec) {
            const unsigned long e = ERR_peek_last_error();
            const char* why = e != 0 ? ERR_reason_error_string(e) : nullptr;
            error = {errc::tls_ca_file, options.ca_file + ": " + (why ? why : ec.message())};
            ERR_clear_error();
            return nullptr;
        }
    } else if (options.verify) {
        ctx->set_default_verify_paths(ec);
        if (ec) {
            error = {errc::tls_ca_file, "the system trust store: " + ec.message()};
            return nullptr;
        }
    }
    ctx->set_verify_mode(options.verify ? ssl::verify_peer : ssl::verify_none);
    if (!options.alpn.empty()) {
        // RFC 7301 3.1: a list of length-prefixed protocol names.
        std::string wire;
        for (const std::string& p : options.alpn) {
            if (p.empty() || p.size() > 255) {
                error = {errc::tls_handshake_failed, "invalid ALPN protocol name \"" + p + "\""};
                return nullptr;
            }
            wire.push_back(static_cast<char>(p.size()));
            wire.append(p);
        }
        if (SSL_CTX_set_alpn_protos(native, reinterpret_cast<const unsigned char*>(wire.data()),
                                    static_cast<unsigned>(wire.size())) != 0) {
            error = {errc::tls_handshake_failed, "ALPN could not be set"};
            return nullptr;
        }
    }
    return ctx;
}

bool verifies_peer(tls_context& context) noexcept {
    return (SSL_CTX_get_verify_mode(context.native_handle()) & SSL_VERIFY_PEER) != 0;
}

namespace {

tls_failure from_verify_result(long v) {
    const std::string detail = X509_verify_cert_error_string(v);
    switch (v) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    // The server sent its chain up to a root (server-chain.pem style) that is not trusted: the
    // leaf is not self-signed, its authority is unknown.
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return {errc::tls_unknown_ca, detail};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return {errc::tls_self_signed, detail};
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return {errc::tls_name_mismatch, detail};
    case X509_V_ERR_CERT_HAS_EXPIRED: return {errc::tls_expired, detail};
    case X509_V_ERR_CERT_NOT_YET_VALID: return {errc::tls_not_yet_valid, detail};
    default: return {errc::tls_certificate_rejected, detail};
    }
}

}  // namespace

tls_failure classify_handshake_error(const boost::system::error_code& ec, const SSL* ssl) {
    if (!ec) return {};
    if (ec == ssl::error::stream_truncated || ec == boost::asio::error::eof)
        return {errc::tls_handshake_failed, "the server closed the connection during the handshake"};
    if (ec.category() != boost::asio::error::get_ssl_category())
        return {errc::tls_handshake_failed, ec.message()};
    const auto e = static_cast<unsigned long>(ec.value());
    const int reason = ERR_GET_REASON(e);
    const char* text = ERR_reason_error_string(e);
    std::string detail = text ? text : ec.message();
    if (ERR_GET_LIB(e) == ERR_LIB_SSL) {
        if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED && ssl != nullptr) {
            const long v = SSL_get_verify_result(ssl);
            if (v != X509_V_OK) return from_verify_result(v);
        }
        // A received alert is reported as reason SSL_AD_REASON_OFFSET + its description.
        if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
            const int alert = reason - SSL_AD_REASON_OFFSET;
            std::string what = std::string("alert: ") + SSL_alert_desc_string_long(alert);
            if (alert == SSL_AD_PROTOCOL_VERSION) return {errc::tls_protocol_version, what};
            return {errc::tls_alert, what};
        }
        switch (reason) {
        case SSL_R_UNSUPPORTED_PROTOCOL:
        case SSL_R_NO_PROTOCOLS_AVAILABLE:
        case SSL_R_VERSION_TOO_LOW:
        case SSL_R_UNSUPPORTED_SSL_VERSION: return {errc::tls_protocol_version, detail};
        case SSL_R_WRONG_VERSION_NUMBER:
        case SSL_R_PACKET_LENGTH_TOO_LONG:
        case SSL_R_UNKNOWN_PROTOCOL: return {errc::tls_not_tls, detail};
        default: break;
        }
    }
    return {errc::tls_handshake_failed, detail};
}

}  // namespace sse::net
