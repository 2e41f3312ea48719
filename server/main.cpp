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

    // Block SIGINT, SIGTERM and SIGHUP before any thread starts, so every I/O thread inherits the
    // mask and the main thread alone receives them, synchronously, in sigwait(): no
    // async-signal-safety concerns, no signal handler at all.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

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
        // start() logged the cause (which file or port, and what to do). Without the logger's
        // level the process still says why it fails.
        const bool tls = ec.category() == sse::server::tls_category();
        if (!log.enabled(log_level::error)) {
            if (tls)
                std::fprintf(stderr, "sse-server: %s (--tls-cert %s, --tls-key %s)\n",
                             ec.message().c_str(), cl.settings.tls_cert_file.c_str(),
                             cl.settings.tls_key_file.c_str());
            else
                std::fprintf(stderr, "sse-server: cannot listen on %s: %s\n",
                             cl.settings.address.c_str(), ec.message().c_str());
        }
        return tls ? 2 : 1;  // TLS files are configuration, like a bad flag; a port in use is not
    }

    for (;;) {
        int received = 0;
        sigwait(&signals, &received);
        if (received != SIGHUP) {
            log.write(log_level::info, "signal received",
                      {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
            break;
        }
        log.write(log_level::info, "signal received", {{"signal", "SIGHUP"}});
        // The new certificate serves new connections; open streams keep going. A failure is
        // logged by reload_tls() and leaves the previous certificate in place.
        if (server.reload_tls() == sse::server::tls_errc::not_configured)
            log.write(log_level::info, "nothing to reload",
                      {{"hint", "SIGHUP reloads --tls-cert and --tls-key"}});
    }
    server.stop();
    return 0;
}
