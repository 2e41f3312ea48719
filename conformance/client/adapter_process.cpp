#include "adapter_process.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace sse::conformance::client {
namespace {

struct known_adapter {
    std::string_view name;
    std::string_view client;  // service.mjs --client value; empty: the native sse-client-adapter
    std::string_view what;
};

constexpr known_adapter adapters[] = {
    {"ssekit-js", "ssekit", "ssekit's EventSourceClient (wasm/index.js) under Node"},
    {"chromium", "chromium", "Chromium's native EventSource (headless /usr/bin/chromium)"},
    {"eventsource", "eventsource", "the npm eventsource package under Node (a reference client)"},
    {"cpp", "", "ssekit's C++ Asio client sse::client (the sse-client-adapter program)"},
};

std::string adapters_dir() {
    if (const char* dir = std::getenv("SSE_CONFORMANCE_ADAPTERS")) return dir;
    return SSE_CONFORMANCE_ADAPTERS_DIR;
}

bool file_exists(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

std::string adapter_list() {
    std::string out;
    for (const auto& a : adapters) out += "  " + std::string(a.name) + std::string(14 - a.name.size(), ' ') + std::string(a.what) + "\n";
    return out;
}

adapter_process::adapter_process(std::string_view name, std::chrono::milliseconds timeout) {
    const known_adapter* found = nullptr;
    for (const auto& a : adapters)
        if (a.name == name) found = &a;
    if (!found)
        throw std::runtime_error("unknown adapter \"" + std::string(name) + "\"; the shipped ones are:\n" +
                                 adapter_list());
    // The native adapter is built with the tool (SSE_CLIENT_ADAPTER overrides its path); the
    // others are service.mjs under node.
    const bool native = found->client.empty();
    const char* native_env = std::getenv("SSE_CLIENT_ADAPTER");
    const std::string script = native ? (native_env ? native_env : SSE_CLIENT_ADAPTER_PATH)
                                      : adapters_dir() + "/node/service.mjs";
    if (!file_exists(script))
        throw std::runtime_error(native ? "adapter program " + script +
                                              " not found (build the sse-client-adapter target, or set SSE_CLIENT_ADAPTER)"
                                        : "adapter script " + script +
                                              " not found (set SSE_CONFORMANCE_ADAPTERS to conformance/adapters)");
    const char* node_env = std::getenv("SSE_NODE");
    const std::string node = native ? script : node_env ? node_env : "node";

    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::string client(found->client);
    std::vector<char*> argv{const_cast<char*>(node.c_str()), const_cast<char*>(script.c_str()),
                            const_cast<char*>("--client"), client.data(),
                            const_cast<char*>("--exit-with-stdin"), nullptr};
    if (native) argv = {const_cast<char*>(script.c_str()), const_cast<char*>("--exit-with-stdin"), nullptr};
    int rc = ::posix_spawnp(&pid_, node.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    if (rc != 0) {
        pid_ = -1;
        stop();
        throw std::runtime_error("cannot run " + node + ": " + std::strerror(rc) +
                                 (native ? " (rebuild sse-client-adapter, or set SSE_CLIENT_ADAPTER)"
                                         : " (install Node.js 20, or set SSE_NODE to its path)"));
    }

    // Read the first line: "listening http://HOST:PORT".
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (line.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            stop();
            throw std::runtime_error("adapter " + std::string(name) + " did not start within " +
                                     std::to_string(timeout.count()) + " ms");
        }
        pollfd p{stdout_fd_, POLLIN, 0};
        int n = ::poll(&p, 1, int(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        char buf[256];
        ssize_t got = ::read(stdout_fd_, buf, sizeof buf);
        if (got <= 0) {
            stop();
            throw std::runtime_error("adapter " + std::string(name) +
                                     " exited before it was ready (see its message above; for the Node "
                                     "adapters run \"npm ci\" in conformance/peers)");
        }
        line.append(buf, std::size_t(got));
    }
    line.resize(line.find('\n'));
    constexpr std::string_view prefix = "listening ";
    if (!line.starts_with(prefix)) {
        stop();
        throw std::runtime_error("adapter " + std::string(name) + " printed \"" + line +
                                 "\", expected \"listening http://HOST:PORT\"");
    }
    url_ = line.substr(prefix.size());
}

adapter_process::~adapter_process() { stop(); }

void adapter_process::stop() noexcept {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
    if (pid_ > 0) {
        int status = 0;
        bool gone = false;
        for (int i = 0; i < 200 && !gone; ++i) {  // up to 10 s for a clean exit (closes the browser)
            pid_t r = ::waitpid(pid_, &status, WNOHANG);
            gone = r == pid_ || (r < 0 && errno == ECHILD);
            if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!gone) {
            ::kill(pid_, SIGTERM);
            for (int i = 0; i < 100 && !gone; ++i) {
                pid_t r = ::waitpid(pid_, &status, WNOHANG);
                gone = r == pid_ || (r < 0 && errno == ECHILD);
                if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        if (!gone) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }
    pid_ = -1;
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    stdout_fd_ = -1;
}

}  // namespace sse::conformance::client
