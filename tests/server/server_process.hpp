// sse-server as a child process for the process-level tests: started with flags, its stderr read to
// learn the port it bound, stopped with a signal. Every wait has a deadline.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

extern char** environ;

namespace sse::test {

/// A running sse-server; its stderr is read to learn the port it bound.
class server_process {
public:
    explicit server_process(std::vector<std::string> args) {
        int fds[2];
        if (pipe(fds) != 0) return;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        args.insert(args.begin(), SSE_SERVER_BINARY);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, SSE_SERVER_BINARY, &actions, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&actions);
        close(fds[1]);
        err_ = fds[0];
    }
    ~server_process() {
        if (pid_ > 0 && !exit_status_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (err_ >= 0) close(err_);
    }

    /// Reads stderr until a "listening" line with a `scheme` URL (http or https); returns its
    /// port, or 0 on timeout / exit.
    std::uint16_t wait_port(std::chrono::milliseconds timeout = std::chrono::seconds(20),
                            const std::string& scheme = "http") {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string key = scheme + "://127.0.0.1:";
            if (const auto at = log_.find(key); at != std::string::npos) {
                const auto end = log_.find('/', at + key.size());
                if (end != std::string::npos)
                    return static_cast<std::uint16_t>(std::stoi(log_.substr(at + key.size(), end)));
            }
            if (!read_some(deadline)) return 0;
        }
        return 0;
    }

    /// Sends `sig` and waits for the exit; returns the exit code, or nullopt if it did not exit
    /// normally in time.
    std::optional<int> stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        kill(pid_, sig);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                exit_status_ = status;
                // The process is gone: what it wrote is all in the pipe; read it to EOF.
                while (std::chrono::steady_clock::now() < deadline &&
                       read_some(std::chrono::steady_clock::now() + std::chrono::milliseconds(100))) {
                }
                if (!WIFEXITED(status)) return std::nullopt;
                return WEXITSTATUS(status);
            }
            read_some(std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
        }
        return std::nullopt;
    }

    /// Reads stderr until it contains `needle` after offset `from`; returns whether it did in time.
    bool wait_log(const std::string& needle, std::size_t from = 0,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (log_.find(needle, from) == std::string::npos) {
            if (std::chrono::steady_clock::now() >= deadline || !read_some(deadline)) return false;
        }
        return true;
    }

    /// Sends `sig` and returns at once (SIGHUP: reload).
    void signal(int sig) { kill(pid_, sig); }

    bool running() const { return pid_ > 0; }
    const std::string& log() const { return log_; }

private:
    bool read_some(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{err_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(std::max<long>(0, left.count()))) <= 0) return true;
        char buf[1024];
        const ssize_t n = read(err_, buf, sizeof buf);
        if (n <= 0) return false;
        log_.append(buf, static_cast<std::size_t>(n));
        return true;
    }

    pid_t pid_ = -1;
    int err_ = -1;
    std::string log_;
    std::optional<int> exit_status_;
};

}  // namespace sse::test
