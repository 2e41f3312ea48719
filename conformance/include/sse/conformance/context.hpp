// sse::conformance::context: what a running case gets to know about the run and the target.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sse::conformance {

/// State a mode sets up before the cases run and tears down after (the client mode's scenario
/// server and adapter, the embedded server, ...). Cases find their mode's session with
/// `dynamic_cast` on context::session.
class session {
public:
    virtual ~session() = default;
    /// One line for the report header: what is under test ("sse-server (embedded) at http://..").
    virtual std::string describe() const = 0;
};

/// The options every mode shares (set from the command line).
struct run_options {
    /// server mode: the stream URL (`http://host:port/path?query`; no TLS).
    std::string url;
    /// server mode: how to publish an event, for the active cases on any server. A URL template
    /// (`POST`, body = the event's data; `{type}`, `{id}`, `{topic}` substituted, percent-encoded)
    /// and/or a shell command (the data on stdin; environment SSE_TYPE, SSE_ID, SSE_TOPIC).
    std::string publish_url;
    std::string publish_cmd;
    /// server mode: the event type the server sends, before any replayed event, when a resume
    /// cannot be complete (sse-server: `sse-history-truncated`). Empty: any type containing
    /// "truncat" counts as that signal.
    std::string truncation_event;
    /// parser mode: the command under test (run with /bin/sh -c).
    std::string parser_cmd;
    /// Arguments left for the mode itself (client mode's --service, --adapter, ...).
    std::vector<std::string> mode_args;

    std::uint64_t seed = 0;          ///< RapidCheck seed; 0 means "pick one and print it"
    std::uint64_t max_success = 25;  ///< RapidCheck tests per property
    std::chrono::milliseconds timeout{5000};  ///< hang guard for every single wait
    bool strict = false;             ///< SHOULD misses fail
    int verbosity = 1;               ///< 0 quiet, 1 normal, 2 verbose
    /// The command line prefix that reproduces this run's target, for repro commands
    /// (e.g. `sse-conformance server http://127.0.0.1:8080/events`).
    std::string repro_prefix;
};

/// Passed to test_case::run.
struct context {
    const run_options& options;
    /// The mode's session (never null while cases run).
    conformance::session* session = nullptr;
    /// The seed this case must use for anything random (derived from options.seed, stable per
    /// case, so `--case ID --seed S` reproduces it).
    std::uint64_t seed = 0;
    /// Writes a progress/detail line (shown with -v).
    std::function<void(const std::string&)> log = [](const std::string&) {};
    /// Raw bytes received, attached by the case as it goes; reports show them (hex + text) when
    /// the case does not pass. Bounded by the case (keep the relevant part, at most ~64 KiB).
    std::string raw;
};

}  // namespace sse::conformance
