// A Node script as a child process for the tests that need a reference peer (e.g. h2_peer.mjs,
// node:http2): started with arguments, its stderr read for a "listening <port> publish <port>"
// line, killed when the object goes. Every wait has a deadline.
#pragma once

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace sse::test {

class node_peer {
public:
    /// Runs `node script args...`; ports are 0 if it did not say where it listens within 20 s.
    node_peer(const std::string& script, std::vector<std::string> args) {
        int fds[2];
        if (pipe(fds) != 0) return;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        args.insert(args.begin(), script);
        args.insert(args.begin(), "node");
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        err_ = fds[0];
        if (pid_ > 0) wait_listening();
    }
    ~node_peer() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (err_ >= 0) close(err_);
    }
    node_peer(const node_peer&) = delete;
    node_peer& operator=(const node_peer&) = delete;

    std::uint16_t port() const { return port_; }
    std::uint16_t publish_port() const { return publish_port_; }
    const std::string& log() const { return log_; }

private:
    void wait_listening() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            if (const auto at = log_.find("listening "); at != std::string::npos && log_.find('\n', at) != std::string::npos) {
                std::istringstream in(log_.substr(at));
                std::string word;
                unsigned a = 0, b = 0;
                in >> word >> a >> word >> b;
                port_ = static_cast<std::uint16_t>(a);
                publish_port_ = static_cast<std::uint16_t>(b);
                return;
            }
            pollfd p{err_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            char buf[512];
            const ssize_t n = read(err_, buf, sizeof buf);
            if (n <= 0) return;
            log_.append(buf, static_cast<std::size_t>(n));
        }
    }

    pid_t pid_ = -1;
    int err_ = -1;
    std::string log_;
    std::uint16_t port_ = 0;
    std::uint16_t publish_port_ = 0;
};

}  // namespace sse::test
