// listener: accepts connections and starts an http_session for each.
#pragma once

#include <memory>
#include <system_error>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"
#include "context.hpp"

namespace sse::server::detail {

/// Owns the listening socket. Each accepted connection gets its own strand, so a connection's
/// handlers never run concurrently while different connections spread over all I/O threads.
class listener final : public std::enable_shared_from_this<listener> {
public:
    listener(net::io_context& ioc, context& ctx);

    /// Binds and listens on `endpoint`. Returns the error (address in use, bad address, ...).
    std::error_code open(const tcp::endpoint& endpoint);

    /// The bound port (useful after binding port 0).
    std::uint16_t port() const;

    /// Starts accepting. Call once, after open() succeeded.
    void run();

    /// Stops accepting and closes the listening socket. Any thread.
    void stop();

private:
    void do_accept();
    void on_accept(const error_code& ec, tcp::socket socket);

    net::io_context& ioc_;
    context& ctx_;
    strand strand_;
    tcp::acceptor acceptor_;
    net::steady_timer backoff_;
};

}  // namespace sse::server::detail
