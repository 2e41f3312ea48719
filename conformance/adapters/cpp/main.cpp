// sse-client-adapter: the sse-conformance client-mode test service (conformance/ADAPTERS.md) for
// ssekit's C++ Asio client, sse::client. One sse::client::client per stream; what it observes is
// POSTed to the harness's callbackUrl/N in order.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <signal.h>
#include <unistd.h>

#include "service.hpp"

namespace {

constexpr std::string_view usage =
    R"(usage: sse-client-adapter [--port N] [--host ADDR] [--verbose] [--exit-with-stdin]

An SSE client test service for sse-conformance client mode (see conformance/ADAPTERS.md) that
drives ssekit's C++ Asio client, sse::client: one client per stream, every open, event, comment
and error POSTed to the harness's callbackUrl/N.

  --port N          TCP port to listen on (default 0: any free port)
  --host ADDR       address to bind (default 127.0.0.1)
  --verbose         log every request and callback to stderr
  --exit-with-stdin stop when standard input closes (for a parent process that starts the service)
  --help            this text

Prints "listening http://ADDR:PORT" on stdout when ready. DELETE /, SIGTERM or SIGINT stops it.
Run it through the suite with: sse-conformance client --adapter cpp
)";

int fail(const std::string& message) {
    std::cerr << "sse-client-adapter: " << message << "\n\n" << usage;
    return 2;
}

std::atomic<bool> stopping{false};

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1";
    unsigned long port = 0;
    bool verbose = false, exit_with_stdin = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        } else if (a == "--port") {
            const char* v = value();
            if (!v) return fail("--port needs a value");
            char* end = nullptr;
            port = std::strtoul(v, &end, 10);
            if (*v == '\0' || *end != '\0' || port > 65535) return fail("--port must be 0-65535");
        } else if (a == "--host") {
            const char* v = value();
            if (!v) return fail("--host needs a value");
            host = v;
        } else if (a == "--verbose") {
            verbose = true;
        } else if (a == "--exit-with-stdin") {
            exit_with_stdin = true;
        } else {
            return fail("unknown argument \"" + std::string(a) + "\"");
        }
    }
    std::signal(SIGPIPE, SIG_IGN);  // a harness that hangs up must not kill us mid-write

    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    std::optional<sse::conformance::adapter::service> svc;
    try {
        svc.emplace(io, host, static_cast<unsigned short>(port), verbose);
    } catch (const std::exception& e) {
        std::cerr << "sse-client-adapter: cannot listen on " << host << ":" << port << ": " << e.what()
                  << " (choose another --port or --host)\n";
        return 1;
    }
    boost::asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec) svc->request_stop();
    });
    svc->start();
    std::thread io_thread([&] { io.run(); });

    if (exit_with_stdin) {
        // A parent that dies without DELETE / closes our stdin: stop then, never linger. The thread
        // may still block in read() at exit; it is detached and touches only `stopping` and kill().
        std::thread([] {
            char buf[256];
            while (::read(0, buf, sizeof buf) > 0) {
            }
            if (!stopping) ::kill(::getpid(), SIGTERM);
        }).detach();
    }

    std::cout << "listening http://" << host << ":" << svc->port() << std::endl;
    svc->wait_and_shut_down();
    stopping = true;
    boost::asio::post(io, [&] {
        boost::system::error_code ignored;
        signals.cancel(ignored);
    });
    work.reset();
    io_thread.join();  // the closed clients' last handlers finish here
    svc.reset();
    return 0;
}
