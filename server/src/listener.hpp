// listener: accepts connections and starts an http_session for each.
#pragma once

#include <functional>
#include <memory>
#include <system_error>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"
#include "context.hpp"

namespace sse::server::detail {

/// Owns one listening socket (plain HTTP or HTTPS). Accepted connections go round-robin to the I/O threads' executors;
/// each of those io_contexts is run by one thread, so a connection's handlers never run
/// concurrently, with no strand. The acceptor itself runs on the first executor.
class listener final : public std::enable_shared_from_this<listener> {
public:
    /// `executors`: one per I/O thread, not empty. `tls`: connections speak TLS, with the
    /// context current (ctx.tls) when each is accepted.
    listener(std::vector<net::any_io_executor> executors, context& ctx, bool tls);

    /// Whether this listener's connections speak TLS.
    bool is_tls() const { return tls_; }

    /// Binds and listens on `endpoint`. Returns the error (address in use, bad address, ...).
    std::error_code open(const tcp::endpoint& endpoint);

    /// The bound port (useful after binding port 0).
    std::uint16_t port() const;

    /// Starts accepting. Call once, after open() succeeded.
    void run();

    /// Stops accepting and closes the listening socket, on the acceptor's thread; `closed` runs
    /// there right after. From then on no accepted connection reaches an I/O thread. Any thread.
    void stop(std::function<void()> closed);

private:
    void do_accept();
    void on_accept(const error_code& ec, tcp::socket socket);

    const std::vector<net::any_io_executor> executors_;
    std::size_t next_ = 0;  // the executor of the next connection
    context& ctx_;
    const bool tls_;
    tcp::acceptor acceptor_;
    net::steady_timer backoff_;
};

}  // namespace sse::server::detail
