// The embedded default: an in-process sse-server on 127.0.0.1, port 0, for `sse-conformance`
// with no target.
#pragma once

#include <memory>
#include <string>

#include "sse/conformance/context.hpp"

namespace sse::conformance {

/// Starts sse::server::server on a free loopback port (conformance routes on, a short heartbeat
/// so the heartbeat case has something to show), points `options` at it (stream URL and publish
/// template) and returns the server session, which owns the server and stops it when destroyed.
/// Null with `error` set when the server cannot start.
std::unique_ptr<session> open_embedded_session(run_options& options, std::string& error);

}  // namespace sse::conformance
