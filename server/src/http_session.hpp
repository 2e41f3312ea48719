// http_session: one HTTP/1.1 connection until it becomes an event stream or closes.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "asio.hpp"
#include "connection_slot.hpp"
#include "context.hpp"
#include "router.hpp"

namespace sse::server::detail {

/// Reads requests (with header, target and body limits and a request timeout), answers them
/// through the router, keeps the connection alive between them, and hands the socket over to a
/// stream_session on GET /events. The read buffer and parser die with this object, so a stream
/// keeps none of the request's memory. Runs on the connection's I/O thread.
class http_session final : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, context& ctx);
    ~http_session();

    /// Registers with the context and starts reading the first request.
    void run();

    /// Closes the connection if it is between requests (shutdown). Any thread.
    void close();

private:
    void do_read();
    void on_header(const error_code& ec);
    void do_read_body();
    void on_read(const error_code& ec, std::size_t bytes);
    void answer(response r);
    void on_write(bool keep_alive, const error_code& ec, std::size_t bytes);
    void open_stream(stream_request s);
    void open_script(script s);
    void do_close();

    context& ctx_;
    net::any_io_executor executor_;  // the I/O thread's, still known after the stream moves away
    beast::tcp_stream stream_;
    connection_slot slot_;
    bool streaming_ = false;  // the socket belongs to a stream_session now
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<response> response_;  // alive until its write completes
};

}  // namespace sse::server::detail
