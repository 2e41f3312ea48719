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

    using sse::server::log_level;
    sse::server::server server(cl.settings);
    const sse::server::logger& log = server.log();
    if (!cl.static_dir_given && cl.settings.static_dir.empty()) {
        const std::string root(sse::server::default_web_root());
        log.write(log_level::info, "no static files: the demo pages are not built",
                  {{"looked_in", root.empty() ? std::string("(none compiled in)") : root},
                   {"hint", "build them, or pass --static-dir DIR"}});
    }
    if (const std::error_code ec = server.start()) {
        log.write(log_level::error, "cannot listen",
                  {{"address", cl.settings.address}, {"port", cl.settings.port},
                   {"error", ec.message()}});
        // Also without the logger's level: the process is about to fail, say why.
        if (!log.enabled(log_level::error))
            std::fprintf(stderr, "sse-server: cannot listen on %s:%u: %s\n",
                         cl.settings.address.c_str(), unsigned(cl.settings.port),
                         ec.message().c_str());
        return 1;
    }

    int received = 0;
    sigwait(&stop_signals, &received);
    log.write(log_level::info, "signal received", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
    server.stop();
    return 0;
}
