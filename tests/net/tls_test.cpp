// sse::net::stream over TLS against a loopback peer with the test certificates (tests/tls/make-certs):
// verification on by default, the CA file, verification off, and one classified cause per failure.
#include <gtest/gtest.h>

#include <array>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "sse/net/error.hpp"
#include "sse/net/stream.hpp"
#include "support/scripted_peer.hpp"

namespace {

namespace net = sse::net;
namespace asio = boost::asio;
using sse::test::scripted_peer;
using sse::test::server_tls;
using sse::test::tls_dir;

const char* const answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

struct attempt {
    std::error_code ec;
    std::string detail;
    std::string received;
    std::string protocol;  // chosen by ALPN
};

// Connects to 127.0.0.1:port as `host`, sends a GET, reads to the end.
attempt fetch(std::uint16_t port, const std::string& host, const net::tls_options& opts, bool tls = true) {
    asio::io_context io;
    net::tls_failure error;
    auto ctx = tls ? net::make_tls_context(opts, error) : nullptr;
    if (tls && !ctx) return {error.code, error.detail, {}, {}};
    net::stream s = tls ? net::stream(io.get_executor(), ctx, host) : net::stream(io.get_executor());
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port));
    attempt a;
    std::string request = "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    std::array<char, 512> buf{};
    std::function<void()> read = [&] {
        s.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
            a.received.append(buf.data(), n);
            if (!ec) read();
        });
    };
    net::async_connect(s, endpoints, std::chrono::seconds(10), [&](std::error_code ec) {
        a.ec = ec;
        a.detail = s.tls_failure().detail;
        a.protocol = std::string(s.negotiated_protocol());
        if (ec) return;
        asio::async_write(s, asio::buffer(request), [&](boost::system::error_code wec, std::size_t) {
            if (!wec) read();
        });
    });
    io.run_for(std::chrono::seconds(20));
    return a;
}

net::tls_options with_ca(const std::string& file) {
    net::tls_options o;
    o.ca_file = tls_dir() + "/" + file;
    return o;
}

TEST(NetTls, VerifiesAgainstTheGivenCaByNameAndByAddress) {
    scripted_peer peer([](int) { return std::string(answer); }, server_tls("server"));
    for (const char* host : {"localhost", "127.0.0.1"}) {
        const auto a = fetch(peer.port(), host, with_ca("ca.pem"));
        EXPECT_FALSE(a.ec) << host << ": " << a.ec.message() << " " << a.detail;
        EXPECT_NE(a.received.find("\r\n\r\nok"), std::string::npos) << host;
    }
    const auto requests = peer.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].target(), "/");
}

// A server context that selects the first of `supported` the client offers (none: no ALPN answer).
std::shared_ptr<asio::ssl::context> server_with_alpn(std::vector<std::string> supported) {
    auto ctx = server_tls("server");
    static std::vector<std::string> chosen_from;
    chosen_from = std::move(supported);
    SSL_CTX_set_alpn_select_cb(
        ctx->native_handle(),
        [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen, void*) {
            for (const std::string& want : chosen_from)
                for (unsigned i = 0; i < inlen; i += 1u + in[i])
                    if (std::string_view(reinterpret_cast<const char*>(in + i + 1), in[i]) == want) {
                        *out = in + i + 1;
                        *outlen = in[i];
                        return SSL_TLSEXT_ERR_OK;
                    }
            return SSL_TLSEXT_ERR_NOACK;
        },
        nullptr);
    return ctx;
}

TEST(NetTls, AlpnOffersTheGivenProtocolsAndReportsTheChoice) {
    net::tls_options both = with_ca("ca.pem");
    both.alpn = {"h2", "http/1.1"};
    net::tls_options h1 = with_ca("ca.pem");
    h1.alpn = {"http/1.1"};
    {
        scripted_peer peer([](int) { return std::string(answer); }, server_with_alpn({"h2", "http/1.1"}));
        EXPECT_EQ(fetch(peer.port(), "localhost", both).protocol, "h2");
        EXPECT_EQ(fetch(peer.port(), "localhost", h1).protocol, "http/1.1");
        EXPECT_EQ(fetch(peer.port(), "localhost", with_ca("ca.pem")).protocol, "");  // nothing offered
    }
    {
        scripted_peer peer([](int) { return std::string(answer); }, server_with_alpn({"http/1.1"}));
        const auto a = fetch(peer.port(), "localhost", both);
        EXPECT_FALSE(a.ec) << a.ec.message();
        EXPECT_EQ(a.protocol, "http/1.1");
    }
    net::tls_options bad;
    bad.alpn = {""};
    net::tls_failure error;
    EXPECT_FALSE(net::make_tls_context(bad, error));
    EXPECT_TRUE(error);
}

TEST(NetTls, EachFailureNamesItsCause) {
    struct row {
        const char* stem;
        net::tls_options opts;
        const char* host;
        net::errc want;
        const char* detail;
    };
    const row rows[] = {
        {"server", with_ca("other-ca.pem"), "localhost", net::errc::tls_unknown_ca, "local issuer"},
        {"server", {}, "localhost", net::errc::tls_unknown_ca, "local issuer"},  // the system store
        // The server sends its untrusted root along: still an unknown authority, not a
        // self-signed server certificate.
        {"server-chain", {}, "localhost", net::errc::tls_unknown_ca, "self-signed certificate in certificate chain"},
        {"wrongname", with_ca("ca.pem"), "localhost", net::errc::tls_name_mismatch, "mismatch"},
        {"server", with_ca("ca.pem"), "127.0.0.2", net::errc::tls_name_mismatch, "IP address mismatch"},
        {"expired", with_ca("ca.pem"), "localhost", net::errc::tls_expired, "expired"},
        {"selfsigned", with_ca("ca.pem"), "localhost", net::errc::tls_self_signed, "self-signed"},
    };
    for (const auto& r : rows) {
        scripted_peer peer([](int) { return std::string(answer); }, server_tls(r.stem));
        const auto a = fetch(peer.port(), r.host, r.opts);
        EXPECT_EQ(a.ec, r.want) << r.stem << " as " << r.host << ": " << a.ec.message() << " (" << a.detail << ")";
        EXPECT_TRUE(net::is_tls_error(a.ec)) << r.stem;
        EXPECT_NE(a.detail.find(r.detail), std::string::npos) << r.stem << ": " << a.detail;
        EXPECT_TRUE(a.received.empty()) << r.stem;
        EXPECT_TRUE(peer.requests().empty()) << "a request went to an unverified server: " << r.stem;
    }
}

TEST(NetTls, VerificationOffTalksToAnyCertificate) {
    net::tls_options off;
    off.verify = false;
    for (const char* stem : {"selfsigned", "expired", "wrongname"}) {
        scripted_peer peer([](int) { return std::string(answer); }, server_tls(stem));
        const auto a = fetch(peer.port(), "localhost", off);
        EXPECT_FALSE(a.ec) << stem << ": " << a.ec.message();
        EXPECT_NE(a.received.find("ok"), std::string::npos) << stem;
    }
}

TEST(NetTls, ProtocolAndTransportFailures) {
    {
        // A server that speaks plain HTTP on the port an https:// URL names: it answers the
        // ClientHello with a 400, as nginx or sse-server would.
        asio::io_context io;
        asio::ip::tcp::acceptor plain(io, {asio::ip::make_address("127.0.0.1"), 0});
        std::thread server([&] {
            boost::system::error_code ec;
            auto s = plain.accept(ec);
            if (ec) return;
            std::array<char, 512> hello{};
            (void)s.read_some(asio::buffer(hello), ec);
            asio::write(s, asio::buffer(std::string("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")), ec);
        });
        const auto a = fetch(plain.local_endpoint().port(), "localhost", with_ca("ca.pem"));
        server.join();
        EXPECT_EQ(a.ec, net::errc::tls_not_tls) << a.ec.message() << " (" << a.detail << ")";
    }
    {
        // A server that stops at TLS 1.1: the client asks for 1.2 or newer.
        scripted_peer old([](int) { return std::string(answer); }, server_tls("server", TLS1_1_VERSION));
        const auto a = fetch(old.port(), "localhost", with_ca("ca.pem"));
        EXPECT_EQ(a.ec, net::errc::tls_protocol_version) << a.ec.message() << " (" << a.detail << ")";
    }
    net::tls_failure error;
    EXPECT_EQ(net::make_tls_context(with_ca("no-such-file.pem"), error), nullptr);
    EXPECT_EQ(error.code, net::errc::tls_ca_file);
    EXPECT_NE(error.message().find("no-such-file.pem"), std::string::npos) << error.message();
}

TEST(NetStream, PlainStreamsHandshakeAtOnceAndConnectTimesOut) {
    scripted_peer plain([](int) { return std::string(answer); });
    const auto a = fetch(plain.port(), "127.0.0.1", {}, false);
    EXPECT_FALSE(a.ec);
    EXPECT_NE(a.received.find("ok"), std::string::npos);

    // A listener that never completes a TLS handshake: the connect timeout covers it.
    asio::io_context io;
    asio::ip::tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    net::tls_failure error;
    auto ctx = net::make_tls_context({}, error);
    net::stream s(io.get_executor(), ctx, "localhost");
    asio::ip::tcp::resolver resolver(io);
    std::error_code result;
    bool done = false;
    net::async_connect(s, resolver.resolve("127.0.0.1", std::to_string(silent.local_endpoint().port())),
                       std::chrono::milliseconds(200), [&](std::error_code ec) {
                           result = ec;
                           done = true;
                       });
    io.run_for(std::chrono::seconds(10));
    ASSERT_TRUE(done);
    EXPECT_EQ(result, net::errc::connect_timeout);
}

}  // namespace
