// connection: one accepted connection's byte stream, plain TCP or TLS, and the HTTP/1.1 body sink.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_stream.hpp>

#include "asio.hpp"
#include "stream_sink.hpp"

namespace sse::server::detail {

/// The transport under every session, so no route or case is written twice: an accepted TCP
/// socket, optionally with TLS (an Asio ssl::stream over it). Models Asio's AsyncReadStream and
/// AsyncWriteStream, so Beast reads requests and writes responses over either, and is the
/// stream_sink of an HTTP/1.1 streaming response (the rest of the connection is the body).
///
/// Streaming writes: on plain TCP a write is non-blocking gathered sendmsg calls first (no copy,
/// no asynchronous operation) and an async_write for what the socket does not take at once. On TLS
/// the frames are coalesced into records of up to 16 KiB (one SSL_write, one socket write each)
/// rather than one record per frame; a frame that fills a record alone is encrypted in place.
///
/// Lifetime: owned through std::shared_ptr (the http_session, then the stream or scripted session
/// it hands over to); asynchronous operations hold it too, so a TLS close_notify still goes out
/// after the session is gone. Timeouts use the beast::tcp_stream underneath (tcp_layer()).
///
/// Threading: one I/O thread (the socket's executor), like the sessions that own it. Not `final`:
/// Asio's executor detection derives from the stream types it is given.
class connection : public stream_sink, public std::enable_shared_from_this<connection> {
public:
    using tls_stream = net::ssl::stream<beast::tcp_stream>;
    using executor_type = beast::tcp_stream::executor_type;

    /// Plain TCP.
    explicit connection(tcp::socket&& socket);
    /// TLS over TCP, the server side, with `tls` (the context current when the connection was
    /// accepted; kept alive by the connection, so a reload never pulls it from under it).
    connection(tcp::socket&& socket, std::shared_ptr<net::ssl::context> tls);
    ~connection() override;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    bool is_tls() const { return tls_ != nullptr; }
    /// The protocol agreed by ALPN in the TLS handshake ("h2", "http/1.1"), empty when none was
    /// (or on plain TCP). Valid after async_handshake() completed.
    std::string_view alpn();
    executor_type get_executor() { return tcp_layer().get_executor(); }
    /// The TCP layer: its timeouts (expires_after / expires_never) bound every operation, TLS
    /// records included, and its socket is the raw one.
    beast::tcp_stream& tcp_layer() { return tls_ ? tls_->ssl().next_layer() : *plain_; }

    /// The TLS server handshake. Only on a TLS connection (is_tls()). `token` gets (error_code).
    template <class Token>
    auto async_handshake(Token&& token) {
        return tls_->ssl().async_handshake(net::ssl::stream_base::server,
                                           std::forward<Token>(token));
    }

    /// AsyncReadStream: reads application bytes (decrypted on TLS).
    template <class MutableBufferSequence, class Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        return net::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto handler, const MutableBufferSequence& b) {
                if (tls_) tls_->flat.async_read_some(b, std::move(handler));
                else plain_->async_read_some(b, std::move(handler));
            },
            token, buffers);
    }

    /// AsyncWriteStream: writes application bytes (encrypted on TLS; a response's head and body
    /// share a record, as Beast's flat_stream joins small buffers).
    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        return net::async_initiate<Token, void(error_code, std::size_t)>(
            [this](auto handler, const ConstBufferSequence& b) {
                if (tls_) tls_->flat.async_write_some(b, std::move(handler));
                else plain_->async_write_some(b, std::move(handler));
            },
            token, buffers);
    }

    // stream_sink. write() may advance the buffers of `frames` in place (they are the caller's
    // scratch array). close() also ends a connection that never streamed (http_session).
    error_code bind(std::weak_ptr<sink_owner> owner, std::chrono::milliseconds write_timeout) override;
    sink_write write(std::span<net::const_buffer> frames, std::size_t bytes) override;
    void watch() override;
    void close(bool graceful) override;
    bool is_open() const override;

private:
    /// The TLS layer and the state of its streaming write.
    struct tls_layer {
        tls_layer(tcp::socket&& socket, std::shared_ptr<net::ssl::context> c);
        std::shared_ptr<net::ssl::context> context;  // declared first: outlives the stream
        // Asio's ssl::stream does one record per buffer of a gathered write; flat_stream joins a
        // Beast response's small buffers first. The streaming path joins frames itself (below).
        beast::flat_stream<tls_stream> flat;
        tls_stream& ssl() { return flat.next_layer(); }
        std::span<net::const_buffer> frames;  // the pending write's, advanced as bytes go out
        std::size_t sent = 0, total = 0;
        std::string record;                   // plaintext of the record being written
        std::array<char, 256> discard{};      // bytes a watched peer sends, decrypted and dropped
    };

    sink_write write_plain(std::span<net::const_buffer> frames, std::size_t bytes);
    void write_tls_record(std::shared_ptr<sink_owner> owner);
    void on_tls_written(std::shared_ptr<sink_owner> owner, const error_code& ec, std::size_t n);
    void watch_plain(std::shared_ptr<sink_owner> owner);
    void watch_tls(std::shared_ptr<sink_owner> owner);
    void close_tcp();

    std::optional<beast::tcp_stream> plain_;  // set for plain TCP
    std::unique_ptr<tls_layer> tls_;          // set for TLS
    std::weak_ptr<sink_owner> owner_;
    std::chrono::milliseconds write_timeout_{0};
    bool writing_ = false;  // an asynchronous write is pending
    bool closed_ = false;
};

}  // namespace sse::server::detail
