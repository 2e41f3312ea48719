// sse::net::stream: one client connection that is plain TCP or TLS behind one interface.
//
// sse::client, sse-conformance's probe and sse-load read and write through it without knowing
// which it is: async_read_some / async_write_some (Asio's AsyncReadStream and AsyncWriteStream,
// so Beast's algorithms accept it), read_some / write_some for non-blocking use, and a handshake
// that is TLS's for https:// and completes at once for http://. A TLS stream sends SNI (the URL's
// host name; none for an IP address), and when its context verifies, checks the certificate
// against the host name or IP address (Asio's host_name_verification); a failed handshake is
// classified (tls_failure) so the caller can say why in one line.
//
// Lifetime and threading: not movable (the TLS layer refers to the socket); pending operations
// must complete (close() makes them complete with operation_aborted) before it is destroyed. Like
// an Asio socket, one operation of each kind at a time, all on one strand.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sse/net/error.hpp"
#include "sse/net/tls.hpp"

namespace sse::net {

class stream {
public:
    using executor_type = boost::asio::any_io_executor;
    using socket_type = boost::asio::ip::tcp::socket;

    /// A plain TCP stream (http://).
    explicit stream(const executor_type& ex);
    /// A TLS stream (https://) to `host` with `tls` (from make_tls_context(); kept alive by the
    /// stream). `host` is the URL's host: sent as SNI unless it is an IP address, and the name the
    /// certificate must match when the context verifies.
    stream(const executor_type& ex, std::shared_ptr<tls_context> tls, const std::string& host);
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    /// The TCP socket underneath: connect it, set options, wait for readability on it.
    socket_type& socket() noexcept { return socket_; }
    bool is_tls() const noexcept { return tls_ != nullptr; }
    /// The OpenSSL connection (null for plain streams).
    SSL* native_tls() noexcept { return tls_ ? tls_->native_handle() : nullptr; }
    /// The protocol the server selected by ALPN after the handshake ("h2", "http/1.1"), or empty
    /// (a plain stream, no ALPN offered, or the server ignored it). The view lives as long as the
    /// stream's TLS connection.
    std::string_view negotiated_protocol() const noexcept;

    /// The TLS handshake (a plain stream completes at once, posted, with no error). On failure
    /// the cause is kept: tls_failure().
    template <class Token>
    auto async_handshake(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) {
                if (!tls_) {
                    boost::asio::post(socket_.get_executor(), [h = std::move(handler)]() mutable {
                        std::move(h)(boost::system::error_code());
                    });
                    return;
                }
                tls_->async_handshake(boost::asio::ssl::stream_base::client,
                                      [this, h = std::move(handler)](boost::system::error_code ec) mutable {
                                          if (ec) failure_ = classify_handshake_error(ec, native_tls());
                                          std::move(h)(ec);
                                      });
            },
            token);
    }

    /// The TLS handshake, blocking (a plain stream returns at once). On failure `ec` is Asio's
    /// code and tls_failure() has the classified cause.
    void handshake(boost::system::error_code& ec);

    /// Why the last handshake failed (empty when it did not).
    const net::tls_failure& tls_failure() const noexcept { return failure_; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& b) {
                if (tls_) tls_->async_read_some(b, std::move(handler));
                else socket_.async_read_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& b) {
                if (tls_) tls_->async_write_some(b, std::move(handler));
                else socket_.async_write_some(b, std::move(handler));
            },
            token, buffers);
    }

    /// Synchronous reads and writes; with socket().non_blocking(true) they fail with would_block
    /// instead of waiting. A TLS read may return data already decrypted while the socket has
    /// nothing: read until would_block before waiting for readability again.
    template <class MutableBuffers>
    std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
        return tls_ ? tls_->read_some(buffers, ec) : socket_.read_some(buffers, ec);
    }
    template <class ConstBuffers>
    std::size_t write_some(const ConstBuffers& buffers, boost::system::error_code& ec) {
        return tls_ ? tls_->write_some(buffers, ec) : socket_.write_some(buffers, ec);
    }

    /// Closes the socket (no TLS close_notify: a client leaving an endless stream just goes, and
    /// waiting for the server's close_notify could hang). Pending operations complete with
    /// operation_aborted. Idempotent, never throws.
    void close() noexcept;

private:
    socket_type socket_;
    std::shared_ptr<tls_context> context_;
    std::unique_ptr<boost::asio::ssl::stream<socket_type&>> tls_;
    net::tls_failure failure_;
};

/// Connects `s` to the first of `endpoints` that accepts and does the TLS handshake, all within
/// `timeout` (zero: no limit). Calls `handler(std::error_code)` once: empty on success,
/// errc::connect_timeout, the connect error, or the handshake failure's classified code
/// (s.tls_failure() has the detail). The timer runs on s's executor, which must be a strand (or
/// single-threaded) shared with s; s must outlive the operation.
template <class Handler>
void async_connect(stream& s, const boost::asio::ip::tcp::resolver::results_type& endpoints,
                   std::chrono::milliseconds timeout, Handler&& handler) {
    struct state {
        state(stream& st, std::decay_t<Handler>&& h) : s(st), timer(st.get_executor()), handler(std::move(h)) {}
        stream& s;
        boost::asio::steady_timer timer;
        std::decay_t<Handler> handler;
        bool done = false;
        bool timed_out = false;
        void finish(std::error_code ec) {
            if (done) return;
            done = true;
            timer.cancel();
            std::move(handler)(timed_out ? std::error_code(errc::connect_timeout) : ec);
        }
    };
    auto st = std::make_shared<state>(s, std::decay_t<Handler>(std::forward<Handler>(handler)));
    if (timeout.count() > 0) {
        st->timer.expires_after(timeout);
        st->timer.async_wait([st](boost::system::error_code ec) {
            if (ec || st->done) return;  // after done, `s` may be gone: touch nothing
            st->timed_out = true;
            st->s.close();  // the pending connect or handshake completes with operation_aborted
        });
    }
    boost::asio::async_connect(
        s.socket(), endpoints, [st](boost::system::error_code ec, const boost::asio::ip::tcp::endpoint&) {
            if (ec) return st->finish(ec);
            st->s.socket().set_option(boost::asio::ip::tcp::no_delay(true), ec);
            st->s.async_handshake([st](boost::system::error_code hec) {
                if (hec && st->s.is_tls()) return st->finish(st->s.tls_failure().code);
                st->finish(hec);
            });
        });
}

}  // namespace sse::net
