#include "sse/net/stream.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl/host_name_verification.hpp>

#include "sse/net/url.hpp"

namespace sse::net {

namespace ssl = boost::asio::ssl;

namespace {

// Asio's host-name check (it matches an IP address against IP SANs and a name against DNS SANs),
// recording a mismatch as X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH, so the handshake's
// verify result names the cause instead of "unspecified".
struct verify_host {
    ssl::host_name_verification check;
    bool ip;
    bool operator()(bool preverified, ssl::verify_context& ctx) const {
        if (!preverified) return false;  // the chain's own error is already recorded
        if (check(preverified, ctx)) return true;
        X509_STORE_CTX_set_error(ctx.native_handle(),
                                 ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
        return false;
    }
};

}  // namespace

stream::stream(const executor_type& ex) : socket_(ex) {}

stream::stream(const executor_type& ex, std::shared_ptr<tls_context> tls, const std::string& host)
    : socket_(ex), context_(std::move(tls)), tls_(std::make_unique<ssl::stream<socket_type&>>(socket_, *context_)) {
    url u;
    u.host = host;
    const bool ip = u.host_is_ip();
    // RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in HostName."
    if (!ip) SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
    if (verifies_peer(*context_)) tls_->set_verify_callback(verify_host{ssl::host_name_verification(host), ip});
}

void stream::handshake(boost::system::error_code& ec) {
    ec = {};
    if (!tls_) return;
    tls_->handshake(ssl::stream_base::client, ec);
    if (ec) failure_ = classify_handshake_error(ec, native_tls());
}

std::string_view stream::negotiated_protocol() const noexcept {
    if (!tls_) return {};
    const unsigned char* data = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(tls_->native_handle(), &data, &len);
    return data ? std::string_view(reinterpret_cast<const char*>(data), len) : std::string_view();
}

void stream::close() noexcept {
    boost::system::error_code ignored;
    if (socket_.is_open()) {
        socket_.shutdown(socket_type::shutdown_both, ignored);
        socket_.close(ignored);
    }
}

}  // namespace sse::net
