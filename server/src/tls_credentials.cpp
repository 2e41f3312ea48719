#include "tls_credentials.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace sse::server {
namespace {

class tls_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "sse-server tls"; }
    std::string message(int value) const override {
        switch (static_cast<tls_errc>(value)) {
            case tls_errc::incomplete_config:
                return "TLS needs both a certificate and a private key (--tls-cert and --tls-key)";
            case tls_errc::cert_unreadable: return "the TLS certificate file cannot be read";
            case tls_errc::key_unreadable: return "the TLS private key file cannot be read";
            case tls_errc::bad_certificate: return "no usable PEM certificate in the certificate file";
            case tls_errc::bad_key: return "no usable PEM private key in the key file";
            case tls_errc::key_mismatch: return "the TLS private key does not match the certificate";
            case tls_errc::not_configured: return "this server has no TLS to reload";
        }
        return "unknown TLS error";
    }
};

}  // namespace

const std::error_category& tls_category() noexcept {
    static const tls_category_impl category;
    return category;
}

namespace detail {
namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only, Mozilla's "intermediate" list without
// the DHE suites (they would need DH parameters). TLS 1.3 keeps OpenSSL's defaults, all AEAD.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

bool read_file(const std::string& path, std::string& out, std::string& why) {
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        why = errno != 0 ? std::strerror(errno) : "cannot open";
        return false;
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        why = "read error";
        return false;
    }
    return true;
}

// OpenSSL's reason for the last failure (e.g. "no start line"), and a clean error queue.
std::string openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return reason ? reason : "unknown reason";
}

// Never prompts: an encrypted key is an error the operator fixes, not a question on a terminal
// nobody watches.
int no_pass_phrase(char*, int, int, void*) { return -1; }

tls_load_result failure(tls_errc e, std::string detail, std::string hint) {
    tls_load_result r;
    r.error = e;
    r.detail = std::move(detail);
    r.hint = std::move(hint);
    return r;
}

std::string iso_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) return "unknown";
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

tls_certificate_info describe(X509* cert) {
    tls_certificate_info info;
    if (bio_ptr out(BIO_new(BIO_s_mem()), &BIO_free); out) {
        X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
        char* data = nullptr;
        const long n = BIO_get_mem_data(out.get(), &data);
        info.subject.assign(data, static_cast<std::size_t>(n));
    }
    info.not_after = iso_time(X509_get0_notAfter(cert));
    info.expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
    info.not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(cert)) > 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) == 1) {
        static constexpr char hex[] = "0123456789ABCDEF";
        for (unsigned int i = 0; i < len; ++i) {
            if (i) info.sha256 += ':';
            info.sha256 += hex[md[i] >> 4];
            info.sha256 += hex[md[i] & 15];
        }
    }
    return info;
}

// ALPN protocol lists in wire format (length-prefixed), in the server's order of preference.
constexpr unsigned char alpn_h2_http11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// The server's ALPN choice: its first protocol the client also offers. `arg` is non-null when
// HTTP/2 is on. No overlap: the handshake proceeds without ALPN (RFC 7301 allows the server to
// ignore it), and the connection speaks HTTP/1.1.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
    const unsigned char* ours = arg ? alpn_h2_http11 : alpn_http11;
    const unsigned int ours_len = arg ? sizeof alpn_h2_http11 : sizeof alpn_http11;
    unsigned char* chosen = nullptr;
    unsigned char chosen_len = 0;
    if (SSL_select_next_proto(&chosen, &chosen_len, ours, ours_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = chosen;
    *outlen = chosen_len;
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace

tls_load_result load_tls(const std::string& cert_file, const std::string& key_file, bool http2) {
    if (cert_file.empty() || key_file.empty())
        return failure(tls_errc::incomplete_config, "a TLS certificate needs its private key",
                       "give both --tls-cert FILE and --tls-key FILE");
    std::string cert_pem, key_pem, why;
    if (!read_file(cert_file, cert_pem, why))
        return failure(tls_errc::cert_unreadable,
                       "cannot read the TLS certificate file '" + cert_file + "': " + why,
                       "check the path given to --tls-cert and that this user may read it");
    if (!read_file(key_file, key_pem, why))
        return failure(tls_errc::key_unreadable,
                       "cannot read the TLS private key file '" + key_file + "': " + why,
                       "check the path given to --tls-key and that this user may read it");

    ERR_clear_error();
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    // Renegotiation would let a peer make a stream's writes wait for reads; compression is an
    // attack surface (CRIME) and off in OpenSSL 3 anyway.
    SSL_CTX_set_options(native, SSL_OP_ALL | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_cipher_list(native, tls12_ciphers);
    SSL_CTX_set_default_passwd_cb(native, &no_pass_phrase);
    // Any non-null pointer says "HTTP/2 on"; the callback only tests it.
    static int http2_on = 1;
    SSL_CTX_set_alpn_select_cb(native, &select_alpn, http2 ? &http2_on : nullptr);

    error_code ec;
    ctx->use_certificate_chain(net::buffer(cert_pem), ec);
    if (ec)
        return failure(tls_errc::bad_certificate,
                       "no usable PEM certificate in '" + cert_file + "' (OpenSSL: " +
                           openssl_reason() + ")",
                       "--tls-cert takes PEM text: BEGIN CERTIFICATE blocks, the server's "
                       "certificate first, then its intermediates");
    X509* leaf = SSL_CTX_get0_certificate(native);

    if (key_pem.find("ENCRYPTED") != std::string::npos)
        return failure(tls_errc::bad_key,
                       "the private key in '" + key_file + "' is encrypted with a pass phrase",
                       "decrypt it once (openssl pkey -in KEY -out PLAIN.key) and keep that file "
                       "readable by this user only");
    bio_ptr key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), &BIO_free);
    pkey_ptr key(key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, &no_pass_phrase, nullptr)
                         : nullptr,
                 &EVP_PKEY_free);
    if (!key)
        return failure(tls_errc::bad_key,
                       "no usable PEM private key in '" + key_file + "' (OpenSSL: " +
                           openssl_reason() + ")",
                       "--tls-key takes the certificate's private key as PEM (BEGIN PRIVATE KEY, "
                       "BEGIN EC PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
    if (X509_check_private_key(leaf, key.get()) != 1 ||
        SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
        ERR_clear_error();
        return failure(tls_errc::key_mismatch,
                       "the private key in '" + key_file + "' does not match the certificate in '" +
                           cert_file + "'",
                       "give the key the certificate was issued for, and put the server's own "
                       "certificate first in the --tls-cert file");
    }
    tls_load_result r;
    r.info = describe(leaf);
    r.context = std::move(ctx);
    return r;
}

}  // namespace detail
}  // namespace sse::server
