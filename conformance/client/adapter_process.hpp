// Starts a shipped adapter (a test service) as a child process and stops it again.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace sse::conformance::client {

/// The shipped adapters `--adapter NAME` knows, one per line: "NAME  what it tests".
std::string adapter_list();

/// A running adapter. The child reads nothing from its standard input; closing our end tells it
/// to exit (service.mjs --exit-with-stdin), so it never outlives the tool even if we crash.
class adapter_process {
public:
    /// Starts adapter `name` ("chromium", "ssekit-js", "eventsource", "cpp") and waits up to `timeout`
    /// for its "listening http://..." line. Throws std::runtime_error with what to do when the
    /// name is unknown, node or the adapter's files are missing, or it does not start in time.
    adapter_process(std::string_view name, std::chrono::milliseconds timeout = std::chrono::seconds(60));
    ~adapter_process();
    adapter_process(const adapter_process&) = delete;
    adapter_process& operator=(const adapter_process&) = delete;

    /// The service's base URL (http://127.0.0.1:PORT).
    const std::string& url() const noexcept { return url_; }

    /// Stops the child: closes its stdin, waits up to 10 s, then SIGTERM, then SIGKILL.
    /// Idempotent; the destructor calls it.
    void stop() noexcept;

private:
    pid_t pid_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    std::string url_;
};

}  // namespace sse::conformance::client
