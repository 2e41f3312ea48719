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

namespace sse::conformance {

struct answer_stream;  // answer_stream.hpp

/// One subscription made at the start and shared by the passive cases (status, headers, syntax):
/// the head, and the body read until a few events arrived or the timeout passed.
struct baseline {
    bool ok = false;
    std::string error;  ///< why there is no head (connect failure, timeout)
    capture cap;
    std::string raw;    ///< head + body as received
    std::string request;  ///< the request as sent (reports redact its secrets)
    std::vector<hop> redirects;  ///< followed with -L on the way to the stream
    std::vector<publish_request> published;  ///< what the baseline published, if it could
    std::string publish_error;
};

class server_session : public session {
public:
    net::url stream;                    ///< the stream URL under test
    std::optional<net::url> contract;   ///< the origin, when it speaks the conformance contract
    std::optional<conformance::publisher> publisher;
    std::string label;                  ///< "sse-server (embedded)" or the URL
    std::chrono::milliseconds timeout{5000};
    request_options request;            ///< how requests are made (-X, -d, -H, -b, -L, ...)
    probe_settings settings;            ///< TLS context, transport timeouts and the protocol asked for
    /// Whether the connection check agreed HTTP/2 (ALPN h2 or h2c): the cases run over it.
    bool h2 = false;
    std::string protocol_line = "HTTP/1.1";  ///< for the run header: what was agreed, and how
    /// Things the session keeps alive (the embedded server); released last.
    std::shared_ptr<void> resources;

    std::string describe() const override;

    /// The request that opens the stream, the same for every case: the method, body, headers and
    /// cookie of the command line, then `extra` (e.g. Last-Event-ID), which replaces same-named ones.
    stream_request subscribe(net::header_list extra = {}) const;
    /// A request to a conformance route (`target` at the contract origin): the user's headers and
    /// cookie, then `extra`; the route's own method and body.
    stream_request route(std::string target, std::string method = "GET", std::string body = {},
                         net::header_list extra = {}) const;
    /// The user's headers and cookie (no body headers), then `extra`: for other methods on the
    /// stream URL (HEAD, OPTIONS, CORS).
    net::header_list plain_headers(net::header_list extra = {}) const;

    /// The baseline subscription, made on first use and cached.
    const conformance::baseline& baseline();

    /// The stream request read to its end, data parsed as JSON (read_answer), made on first use
    /// and cached: the LLM profiles grade that one answer (answer_stream.cpp).
    const answer_stream& answer();

private:
    std::optional<conformance::baseline> baseline_;
    std::shared_ptr<const answer_stream> answer_;
};

/// Builds a server session for `options.url` (and the publish hook), detecting the conformance
/// contract at `GET origin/conformance/`. Returns null with `error` set on bad options or when the
/// server cannot be reached (a TLS failure names its cause).
std::unique_ptr<server_session> open_server_session(const run_options& options, std::string& error);

/// The `server` mode (registered by register_server_cases).
mode server_mode();

}  // namespace sse::conformance
