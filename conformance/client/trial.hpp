// One run of one scenario against the client under test, compared with the model.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "client_session.hpp"
#include "scenario.hpp"
#include "scenario_server.hpp"

namespace sse::conformance::client {

/// What a trial found.
struct trial_report {
    bool ok = true;
    std::string message;   ///< the first difference, one line (empty when ok)
    std::string expected;  ///< what a conforming client reports (observations, requests)
    std::string actual;    ///< what the client reported
    scenario_state seen;   ///< the raw requests and callbacks
    expectation model;     ///< what the model computed
};

/// Plays `s` to the client under test through the session's service: creates a stream, sends a
/// `listen` per event type the model expects (if the service needs it), lets the responses go,
/// waits for the expected observations (each wait bounded by `timeout`), then for a short settle
/// period to catch extra ones, and closes the stream. Compares events, errors (and opens and
/// readyState where the service reports them), the number of requests and each reconnection's
/// Last-Event-ID. Throws std::runtime_error when the service fails (not the client).
trial_report run_trial(client_session& session, const scenario& s, std::string_view tag,
                       std::chrono::milliseconds timeout);

}  // namespace sse::conformance::client
