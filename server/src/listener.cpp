#include "listener.hpp"

#include <boost/asio/post.hpp>

#include "http_session.hpp"

namespace sse::server::detail {

listener::listener(std::vector<net::any_io_executor> executors, context& ctx, bool tls)
    : executors_(std::move(executors)), ctx_(ctx), tls_(tls), acceptor_(executors_.front()),
      backoff_(executors_.front()) {}

std::error_code listener::open(const tcp::endpoint& endpoint) {
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    return ec;
}

std::uint16_t listener::port() const {
    error_code ec;
    return acceptor_.local_endpoint(ec).port();
}

void listener::run() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void listener::stop(std::function<void()> closed) {
    net::post(acceptor_.get_executor(), [self = shared_from_this(), closed = std::move(closed)] {
        error_code ignored;
        self->backoff_.cancel();
        self->acceptor_.close(ignored);
        closed();
    });
}

void listener::do_accept() {
    const net::any_io_executor& executor = executors_[next_];
    next_ = (next_ + 1) % executors_.size();
    acceptor_.async_accept(executor,
                           [self = shared_from_this()](const error_code& ec, tcp::socket s) {
                               self->on_accept(ec, std::move(s));
                           });
}

void listener::on_accept(const error_code& ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ctx_.stopping.load()) {
        // Accepted just before stop() closed the acceptor: the connection's I/O thread may be on
        // its way out, so it is not handed over; the client sees the connection close.
        error_code ignored;
        socket.close(ignored);
        return;
    }
    if (ec) {
        // Typically EMFILE: retrying at once would spin; a short pause lets connections close.
        backoff_.expires_after(std::chrono::milliseconds(50));
        backoff_.async_wait([self = shared_from_this()](const error_code& wait_ec) {
            if (!wait_ec) self->do_accept();
        });
        return;
    }
    error_code ignored;
    // Events are small and latency matters more than packet count.
    socket.set_option(tcp::no_delay(true), ignored);
    auto conn = tls_ ? std::make_shared<connection>(std::move(socket), ctx_.tls.current())
                     : std::make_shared<connection>(std::move(socket));
    std::make_shared<http_session>(std::move(conn), ctx_)->run();
    do_accept();
}

}  // namespace sse::server::detail
