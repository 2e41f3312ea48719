// service: the HTTP side of the test service (ADAPTERS.md "Service endpoints"): GET / capabilities,
// POST / create a stream, POST/DELETE /streams/N, DELETE / stop. One thread per connection
// (the harness sends one request per connection); the clients run on a shared io_context.
#pragma once

#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "adapter_stream.hpp"

namespace sse::conformance::adapter {

class service {
public:
    /// Binds `host:port` (port 0: a free one) on `io`. Throws boost::system::system_error when the
    /// address cannot be bound. `io` must outlive the service and be run by the caller.
    service(boost::asio::io_context& io, const std::string& host, unsigned short port, bool verbose);
    ~service();

    /// The bound port.
    unsigned short port() const;

    /// Starts accepting (asynchronously, on `io`).
    void start();

    /// Asks the service to stop (DELETE /, a signal, stdin closed). Thread-safe, idempotent.
    void request_stop();

    /// Blocks until request_stop(), then closes every stream (no callback after that), stops
    /// accepting and joins the connection threads.
    void wait_and_shut_down();

private:
    struct connection {
        std::shared_ptr<boost::asio::ip::tcp::socket> socket;
        std::thread thread;
        std::atomic<bool> done{false};
    };
    void do_accept();
    void serve(boost::asio::ip::tcp::socket& socket);
    void log(const std::string& line);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    bool verbose_;

    std::mutex mutex_;  // guards everything below
    std::condition_variable stop_cv_;
    bool stop_ = false;
    std::map<std::string, std::shared_ptr<adapter_stream>> streams_;
    unsigned long next_id_ = 1;
    std::list<connection> connections_;
};

}  // namespace sse::conformance::adapter
