// The scenario server of client mode: plays scripted responses to the client under test on
// 127.0.0.1, and receives the adapter's callbacks on the same port.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "scenario.hpp"

namespace sse::conformance::client {

/// A request the scenario server received for a scenario.
struct request_record {
    std::string method;
    std::string target;
    std::optional<std::string> last_event_id;  ///< the Last-Event-ID header, if sent
    std::optional<std::string> accept;         ///< the Accept header, if sent
    std::optional<std::string> cache_control;  ///< the Cache-Control header, if sent
    bool beyond_script = false;                ///< no step was left: answered 204
};

/// What happened so far for one scenario.
struct scenario_state {
    std::vector<request_record> requests;
    /// Callback bodies in callback-number order, up to the first number not yet received.
    std::vector<std::string> callbacks;
    /// Callback requests that could not be used (bad path or number used twice), described.
    std::vector<std::string> callback_problems;
};

/// An HTTP/1.1 server on 127.0.0.1 with a port chosen by the system, run by one thread of its own.
///
/// Paths: `/scenario/ID/...` plays scenario ID's next step (one step per request, in arrival
/// order; a request beyond the script gets 204 so the client stops); `/callback/ID/N` takes
/// callback N of scenario ID (POST, JSON body); anything else is 404 (a browser asks for
/// /favicon.ico). Responses to a scenario are held back until arm() is called for it, so the
/// harness can send `listen` commands first.
///
/// Thread-safe: every member may be called from any thread. Throws boost::system::system_error
/// from the constructor if it cannot bind.
class scenario_server {
public:
    scenario_server();
    ~scenario_server();
    scenario_server(const scenario_server&) = delete;
    scenario_server& operator=(const scenario_server&) = delete;

    /// `http://127.0.0.1:PORT`.
    std::string base_url() const;

    /// Registers a scenario; returns its id. Its responses wait for arm().
    int add(scenario s);
    /// Lets the scenario's responses go.
    void arm(int id);
    /// Ends the scenario: held connections close, later requests get 204, callbacks are ignored.
    void finish(int id);

    /// A copy of what happened so far for `id` (empty for an unknown id).
    scenario_state state(int id) const;

    /// Blocks until `done(state(id))` is true or `deadline` passes; returns the last state seen.
    /// Woken by every request and callback for any scenario.
    scenario_state wait_until(int id, const std::function<bool(const scenario_state&)>& done,
                              std::chrono::steady_clock::time_point deadline) const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace sse::conformance::client
