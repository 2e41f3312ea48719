// http_session: one HTTP/1.1 connection until it becomes an event stream or closes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "asio.hpp"
#include "connection.hpp"
#include "connection_slot.hpp"
#include "context.hpp"
#include "router.hpp"

namespace sse::server::detail {

/// On a TLS connection, first completes the handshake (bounded by config::request_timeout, like a
/// request; a peer that speaks plain HTTP gets a plain-text 400 saying to use https); one that
/// agreed on `h2` by ALPN is handed to an h2_connection. With config::h2c, a plain connection whose
/// first bytes are the HTTP/2 client preface is handed over too. Otherwise it reads
/// requests (with header, target and body limits and a request timeout), answers them through the
/// router, keeps the connection alive between them, and hands the connection over to a
/// stream_session on GET /events (a scripted_session on a conformance stream). The read buffer and
/// parser die with this object, so a stream keeps none of the request's memory. Runs on the
/// connection's I/O thread.
class http_session final : public std::enable_shared_from_this<http_session> {
public:
    http_session(std::shared_ptr<connection> conn, context& ctx);
    ~http_session();

    /// Registers with the context and starts reading the first request.
    void run();

    /// Closes the connection if it is between requests (shutdown). Any thread.
    void close();

private:
    void do_handshake();
    void on_handshake(const error_code& ec);
    void refuse_plain_http();
    void sniff_preface();
    void open_h2();
    void linger();
    void do_read();
    void on_header(const error_code& ec);
    void do_read_body();
    void on_read(const error_code& ec, std::size_t bytes);
    void answer(response r);
    void on_write(bool keep_alive, const error_code& ec, std::size_t bytes);
    void open_stream(stream_request s);
    void await_ingest(stream_request s, std::uint64_t id,
                      std::chrono::steady_clock::time_point deadline);
    void open_script(script s);
    void do_close(bool graceful = true);

    context& ctx_;
    net::any_io_executor executor_;  // the I/O thread's, still known after the stream moves away
    std::shared_ptr<connection> conn_;
    connection_slot slot_;
    bool secured_ = false;    // no TLS, or its handshake completed
    bool streaming_ = false;  // the connection belongs to a stream or scripted session now
    bool awaiting_ = false;   // a reply or a stream start waits for the Redis backplane
    std::optional<net::steady_timer> wait_timer_;  // polls ingestion for a resume (backplane)
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<response> response_;  // alive until its write completes
};

}  // namespace sse::server::detail
