// Talks to a client test service (ADAPTERS.md): create and close streams, send commands.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sse::conformance::client {

/// What GET / said about the service.
struct service_info {
    std::vector<std::string> capabilities;
    std::string name;     ///< empty if not given
    std::string version;  ///< empty if not given

    bool has(std::string_view capability) const;
};

/// A blocking HTTP/1.1 client for one test service at `http://HOST:PORT[/PATH]`.
///
/// Every call opens its own connection and is bounded by `timeout`. Errors (connection refused,
/// timeout, a status the protocol does not allow, a malformed answer) throw std::runtime_error
/// with a message that names the service URL and says what was expected.
class service_client {
public:
    /// Throws std::invalid_argument if `base_url` is not an `http://` URL with a host.
    explicit service_client(std::string base_url,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20));

    const std::string& base_url() const noexcept { return base_; }

    /// GET /: 200 and an optional JSON object with `capabilities`.
    service_info info() const;
    /// POST / with the create-stream parameters; returns the stream instance's absolute URL.
    std::string create(const nlohmann::json& params) const;
    /// POST to the stream instance.
    void command(const std::string& stream_url, const nlohmann::json& command) const;
    /// DELETE the stream instance (a 404 is accepted: it is gone either way).
    void close(const std::string& stream_url) const;
    /// DELETE /: asks the service to exit; errors are ignored (it may exit before answering).
    void stop() const noexcept;

private:
    struct answer {
        int status = 0;
        std::string body;
        std::string location;
    };
    answer call(const std::string& method, const std::string& url, const std::string& body) const;

    std::string base_;
    std::string host_;
    std::string port_;
    std::chrono::milliseconds timeout_;
};

}  // namespace sse::conformance::client
