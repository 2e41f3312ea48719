// server_session: what server mode knows about the server under test, shared by its cases.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "publisher.hpp"
#include "sse/conformance/context.hpp"
#include "sse/conformance/registry.hpp"
#include "stream_capture.hpp"
#include "url.hpp"

namespace sse::conformance {

/// One subscription made at the start and shared by the passive cases (status, headers, syntax):
/// the head, and the body read until a few events arrived or the timeout passed.
struct baseline {
    bool ok = false;
    std::string error;  ///< why there is no head (connect failure, timeout)
    capture cap;
    std::string raw;    ///< head + body as received
    std::vector<publish_request> published;  ///< what the baseline published, if it could
    std::string publish_error;
};

class server_session : public session {
public:
    url stream;                         ///< the stream URL under test
    std::optional<url> contract;        ///< the origin, when it speaks the conformance contract
    std::optional<conformance::publisher> publisher;
    std::string label;                  ///< "sse-server (embedded)" or the URL
    std::chrono::milliseconds timeout{5000};
    /// Things the session keeps alive (the embedded server); released last.
    std::shared_ptr<void> resources;

    std::string describe() const override;

    /// The baseline subscription, made on first use and cached.
    const conformance::baseline& baseline();

private:
    std::optional<conformance::baseline> baseline_;
};

/// Builds a server session for `options.url` (and the publish hook), detecting the conformance
/// contract at `GET origin/conformance/`. Returns null with `error` set on bad options.
std::unique_ptr<server_session> open_server_session(const run_options& options, std::string& error);

/// The `server` mode (registered by register_server_cases).
mode server_mode();

}  // namespace sse::conformance
