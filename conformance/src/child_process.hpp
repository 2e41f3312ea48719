// child_process: runs `/bin/sh -c COMMAND` with pipes, bounded in time, never left running.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace sse::conformance {

class child_process {
public:
    using clock = std::chrono::steady_clock;

    /// Starts the command with stdin, stdout and stderr on pipes, and `env` added to the
    /// environment. Returns null and sets `error` when it cannot be started. SIGPIPE is ignored
    /// process-wide from then on (a child that exits early must not kill the suite).
    static std::unique_ptr<child_process> start(
        const std::string& command, const std::vector<std::pair<std::string, std::string>>& env,
        std::string& error);

    /// Kills the child (SIGKILL to its process group) if it still runs, and reaps it.
    ~child_process();
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Writes all of `bytes` to the child's stdin, reading its output meanwhile (so a child that
    /// answers while reading cannot deadlock us). False when stdin is closed (the child exited
    /// or closed it) or the deadline passed.
    bool write(std::string_view bytes, clock::time_point deadline);

    /// Closes the child's stdin (end of input).
    void close_stdin();

    struct result {
        bool timed_out = false;   ///< killed at the deadline
        int exit_code = -1;       ///< when it exited normally
        int signal = 0;           ///< when a signal ended it
        std::string out, err;     ///< everything it wrote (each capped at max_output)
        bool truncated = false;   ///< output went over max_output (the rest was discarded)
    };

    /// Reads the child's output until it exits (or the deadline: then it is killed), reaps it,
    /// and returns everything. Call once.
    result wait(clock::time_point deadline);

    static constexpr std::size_t max_output = 64 * 1024 * 1024;

private:
    child_process() = default;
    void drain(int timeout_ms);
    void kill_now();

    pid_t pid_ = -1;
    int in_ = -1, out_ = -1, err_ = -1;
    result r_;
};

}  // namespace sse::conformance
