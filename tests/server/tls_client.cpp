#include "tls_client.hpp"

#include <cstdio>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace sse::test {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using error_code = boost::system::error_code;

}  // namespace

std::unique_ptr<ssl::context> client_context(const tls_options& tls) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    if (tls.legacy) {
        SSL_CTX_set_security_level(native, 0);
        SSL_CTX_set_cipher_list(native, "DEFAULT@SECLEVEL=0");
    }
    if (tls.min_version) SSL_CTX_set_min_proto_version(native, tls.min_version);
    if (tls.max_version) SSL_CTX_set_max_proto_version(native, tls.max_version);
    if (!tls.ca_file.empty()) {
        error_code ignored;  // a bad file shows up as a failed verification
        ctx->load_verify_file(tls.ca_file, ignored);
        ctx->set_verify_mode(ssl::verify_peer);
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    return ctx;
}

std::string fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!cert || X509_digest(cert, EVP_sha256(), md, &len) != 1) return {};
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        if (i) out += ':';
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

tls_handshake tls_probe(std::uint16_t port, const tls_options& tls,
                        std::chrono::milliseconds timeout) {
    net::io_context ioc;
    const auto ctx = client_context(tls);
    ssl::stream<boost::beast::tcp_stream> stream(ioc, *ctx);
    prepare_client(stream, tls);
    tls_handshake out;
    error_code ec;
    stream.next_layer().expires_after(timeout);
    stream.next_layer().async_connect({net::ip::make_address("127.0.0.1"), port},
                                      [&](const error_code& e) {
                                          if (e) {
                                              ec = e;
                                              return;
                                          }
                                          stream.async_handshake(ssl::stream_base::client,
                                                                 [&](const error_code& h) { ec = h; });
                                      });
    ioc.run();
    if (ec) {
        out.error = ec.message();
        return out;
    }
    out.ok = true;
    out.version = SSL_get_version(stream.native_handle());
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    out.peer_sha256 = fingerprint(cert);
    X509_free(cert);
    return out;
}

std::string pem_sha256(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return {};
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    std::string out = fingerprint(cert);
    X509_free(cert);
    return out;
}

}  // namespace sse::test
