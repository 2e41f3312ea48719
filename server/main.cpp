// sse-server: the reference Server-Sent Events pub/sub server. Flags: sse-server --help.
#include <csignal>
#include <cstdio>
#include <pthread.h>

#include "sse/server/server.hpp"

int main(int argc, char** argv) {
    const sse::server::command_line cl = sse::server::parse_command_line(argc, argv);
    if (!cl.error.empty()) {
        std::fprintf(stderr, "sse-server: %s\nTry 'sse-server --help'.\n", cl.error.c_str());
        return 2;
    }
    if (cl.show_help) {
        std::fputs(sse::server::usage().c_str(), stdout);
        return 0;
    }
    if (cl.show_version) {
        std::printf("sse-server %s\n", SSE_VERSION);
        return 0;
    }

    // Block SIGINT and SIGTERM before any thread starts, so every I/O thread inherits the mask and
    // the main thread alone receives them, synchronously, in sigwait(): no async-signal-safety
    // concerns, no signal handler at all.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    sse::server::server server(cl.settings);
    if (const std::error_code ec = server.start()) {
        std::fprintf(stderr, "sse-server: cannot listen on %s:%u: %s\n",
                     cl.settings.address.c_str(), unsigned(cl.settings.port),
                     ec.message().c_str());
        return 1;
    }
    std::fprintf(stderr, "sse-server: listening on http://%s:%u/ (events: /events?topic=NAME)\n",
                 cl.settings.address.c_str(), unsigned(server.port()));

    int received = 0;
    sigwait(&stop_signals, &received);
    std::fprintf(stderr, "sse-server: %s, shutting down\n", received == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    return 0;
}
