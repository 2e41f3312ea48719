// A scripted HTTP or HTTPS peer on 127.0.0.1 for client tests: for each connection it does the
// TLS handshake (when given a server context), reads the request with Beast's parser, records it,
// sends `reply(n)` (n counts connections from 0) and closes its side. Runs on its own thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace sse::test {

/// Where tests/tls/make-certs wrote the test certificates (the ctest fixture tls_certs).
inline std::string tls_dir() {
#ifdef SSE_TEST_TLS_DIR
    return SSE_TEST_TLS_DIR;
#else
    return "tls";
#endif
}

/// A TLS server context with certificate `stem`.pem and key `stem`.key (for `X-chain`, X.key) from
/// tls_dir(); `max_version` (e.g. TLS1_1_VERSION) caps the protocol, for a server too old to talk to.
inline std::shared_ptr<boost::asio::ssl::context> server_tls(const std::string& stem, int max_version = 0) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->use_certificate_chain_file(tls_dir() + "/" + stem + ".pem");
    // "server-chain" (the leaf followed by its CA) uses the leaf's key.
    ctx->use_private_key_file(tls_dir() + "/" + stem.substr(0, stem.find("-chain")) + ".key", ssl::context::pem);
    if (max_version != 0) {
        SSL_CTX_set_security_level(ctx->native_handle(), 0);  // old versions need old ciphers
        SSL_CTX_set_cipher_list(ctx->native_handle(), "DEFAULT:@SECLEVEL=0");
        SSL_CTX_set_min_proto_version(ctx->native_handle(), 0);
        SSL_CTX_set_max_proto_version(ctx->native_handle(), max_version);
    }
    return ctx;
}

class scripted_peer {
public:
    using socket = boost::asio::ip::tcp::socket;

    explicit scripted_peer(std::function<std::string(int)> reply,
                           std::shared_ptr<boost::asio::ssl::context> tls = nullptr)
        : reply_(std::move(reply)), tls_(std::move(tls)),
          acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        accept();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~scripted_peer() {
        io_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int connections() const { return count_; }
    /// The requests received so far: method, target, headers and body, as Beast read them.
    std::vector<boost::beast::http::request<boost::beast::http::string_body>> requests() const {
        std::lock_guard lock(m_);
        return requests_;
    }

private:
    template <class Stream>
    struct conversation : std::enable_shared_from_this<conversation<Stream>> {
        template <class... Args>
        explicit conversation(scripted_peer& p, int n, Args&&... args) : peer(p), index(n), stream(std::forward<Args>(args)...) {}
        scripted_peer& peer;
        int index;
        Stream stream;
        boost::beast::flat_buffer buffer;
        boost::beast::http::request<boost::beast::http::string_body> request;
        std::string out;

        void read() {
            boost::beast::http::async_read(stream, buffer, request,
                                           [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                                               if (ec) return;
                                               {
                                                   std::lock_guard lock(self->peer.m_);
                                                   self->peer.requests_.push_back(self->request);
                                               }
                                               self->out = self->peer.reply_(self->index);
                                               boost::asio::async_write(self->stream, boost::asio::buffer(self->out),
                                                                        [self](boost::system::error_code, std::size_t) {
                                                                            boost::system::error_code ig;
                                                                            self->lowest().shutdown(socket::shutdown_send, ig);
                                                                        });
                                           });
        }
        socket& lowest() {
            if constexpr (std::is_same_v<Stream, socket>) return stream;
            else return stream.next_layer();
        }
    };

    void accept() {
        acceptor_.async_accept([this](boost::system::error_code ec, socket s) {
            if (ec) return;
            const int n = count_++;
            if (!tls_) {
                std::make_shared<conversation<socket>>(*this, n, std::move(s))->read();
            } else {
                using tls_stream = boost::asio::ssl::stream<socket>;
                auto c = std::make_shared<conversation<tls_stream>>(*this, n, std::move(s), *tls_);
                c->stream.async_handshake(boost::asio::ssl::stream_base::server, [c](boost::system::error_code e) {
                    if (!e) c->read();  // a client that refused the certificate just goes away
                });
            }
            accept();
        });
    }

    std::function<std::string(int)> reply_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<int> count_{0};
    mutable std::mutex m_;
    std::vector<boost::beast::http::request<boost::beast::http::string_body>> requests_;
    std::thread thread_;
};

}  // namespace sse::test
