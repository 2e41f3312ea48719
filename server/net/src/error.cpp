#include "sse/net/error.hpp"

#include <string>

namespace sse::net {

namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "sse.net"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::invalid_url: return "invalid URL: expected http(s)://host[:port][/path][?query]";
        case errc::unsupported_scheme: return "unsupported URL scheme: use http:// or https://";
        case errc::connect_timeout: return "no connection within the connect timeout";
        case errc::tls_unknown_ca:
            return "TLS: the server's certificate was issued by an unknown certificate authority";
        case errc::tls_self_signed:
            return "TLS: the server's certificate is self-signed and not trusted";
        case errc::tls_name_mismatch:
            return "TLS: the server's certificate does not match the host name in the URL";
        case errc::tls_expired: return "TLS: the server's certificate has expired";
        case errc::tls_not_yet_valid: return "TLS: the server's certificate is not valid yet (check the clock)";
        case errc::tls_certificate_rejected: return "TLS: the server's certificate failed verification";
        case errc::tls_alert: return "TLS: the server refused the handshake with an alert";
        case errc::tls_protocol_version:
            return "TLS: no common protocol version (TLS 1.2 or newer is required)";
        case errc::tls_not_tls:
            return "TLS: the server did not answer with TLS (is it plain HTTP? try http://)";
        case errc::tls_handshake_failed: return "TLS: the handshake failed";
        case errc::tls_ca_file: return "TLS: the CA file could not be loaded (PEM certificates expected)";
        case errc::stopped: return "stopped by the handler";
        case errc::h2_protocol: return "HTTP/2 protocol error on the connection";
        case errc::h2_not_negotiated:
            return "HTTP/2 was required but the server did not select it by ALPN (it offers HTTP/1.1 only?)";
        case errc::h2_stream_reset:
            return "the server ended the HTTP/2 stream with an error (RST_STREAM or GOAWAY)";
        }
        return "unknown sse.net error";
    }
};

}  // namespace

const std::error_category& net_category() noexcept {
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), net_category()}; }

bool is_tls_error(std::error_code ec) noexcept {
    return ec.category() == net_category() && ec.value() >= static_cast<int>(errc::tls_unknown_ca) &&
           ec.value() <= static_cast<int>(errc::tls_ca_file);
}

}  // namespace sse::net
