// sse::conformance::context: what a running case gets to know about the run and the target.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
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

/// Which HTTP the server suite speaks (--http1.1, --http2, --h2c; default: ALPN for https://).
enum class http_protocol : std::uint8_t {
    automatic,  ///< https://: ALPN offering h2 and http/1.1, whichever the server selects; http://: HTTP/1.1
    http1_1,    ///< HTTP/1.1 only (no ALPN sent)
    http2,      ///< https://: ALPN offering only h2, an error unless the server selects it
    h2c,        ///< http://: HTTP/2 with prior knowledge (RFC 9113 3.3), no upgrade
};

/// "auto", "http/1.1", "h2", "h2c" (static storage).
constexpr const char* to_string(http_protocol p) noexcept {
    switch (p) {
    case http_protocol::automatic: return "auto";
    case http_protocol::http1_1: return "http/1.1";
    case http_protocol::http2: return "h2";
    case http_protocol::h2c: return "h2c";
    }
    return "auto";
}

/// server mode: how every request to the server under test is made (curl's options). Every case
/// that opens the stream sends the same method, body, headers and cookie (resume cases add
/// Last-Event-ID). Header and cookie values are secrets: every report shows them redacted.
struct request_options {
    std::string method = "GET";  ///< -X (POST when a body is given without -X)
    /// -H / --header-file, in order; values are secret (redacted in every report).
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;          ///< -d / --data-file
    std::string content_type;  ///< sent when `body` is and -H gave none: application/json for JSON
    std::string cookie;        ///< -b, joined "a=1; b=2"; secret
    bool follow_redirects = false;  ///< -L: follow 3xx on the stream request (else: a case outcome)
    std::size_t max_redirects = 20;
    bool insecure = false;     ///< -k: TLS without verification (the run header says so)
    std::string ca_file;       ///< --cacert: trust only this CA (PEM)
    /// --publish-header: sent with every --publish request; values are secret.
    std::vector<std::pair<std::string, std::string>> publish_headers;
    /// Zero means "the value of --timeout". connect: TCP connect + TLS handshake; first byte:
    /// from sending the request to the complete response head; idle: the longest silence a read
    /// of an open stream waits for (zero there: no limit but the case's own wait).
    std::chrono::milliseconds connect_timeout{0};
    std::chrono::milliseconds first_byte_timeout{0};
    std::chrono::milliseconds idle_timeout{0};
    /// --http1.1 / --http2 / --h2c: the protocol of every request to the server under test (and
    /// to a --publish URL of the same origin; another origin gets HTTP/1.1, or ALPN for https://).
    http_protocol protocol = http_protocol::automatic;
};

/// The options every mode shares (set from the command line).
struct run_options {
    /// server mode: the stream URL (`http(s)://host:port/path?query`).
    std::string url;
    /// server mode: how requests are made (method, body, headers, TLS, redirects, timeouts).
    request_options request;
    /// server mode: how to publish an event, for the active cases on any server. A URL template
    /// (`POST`, body = the event's data; `{type}`, `{id}`, `{topic}` substituted, percent-encoded)
    /// and/or a shell command (the data on stdin; environment SSE_TYPE, SSE_ID, SSE_TOPIC).
    std::string publish_url;
    std::string publish_cmd;
    /// server mode: the event type the server sends, before any replayed event, when a resume
    /// cannot be complete (sse-server: `sse-history-truncated`). Empty: any type containing
    /// "truncat" counts as that signal.
    std::string truncation_event;
    /// server mode: how the stream's ids are ordered, for the resume cases that need no hook
    /// (--id-order): `auto` (empty: consecutive integers are recognised), `int`, `lexical`, `opaque`.
    std::string id_order;
    /// server mode: a response head later than this with nothing published is a SHOULD warning
    /// (server/flush/1; --head-timeout-warn).
    std::chrono::milliseconds head_warn{1000};
    /// server mode: how long server/heartbeat/2 keeps an idle stream open (--soak; zero: the case
    /// is skipped), and the longest silence it accepts there (--heartbeat-max).
    std::chrono::milliseconds soak{0};
    std::chrono::milliseconds heartbeat_max{30000};
    /// server mode: the protocol profiles asked for (--profile, in order, no repeats); each adds
    /// its cases (test_case::profile) to the run.
    std::vector<std::string> profiles;
    /// parser mode: the command under test (run with /bin/sh -c).
    std::string parser_cmd;
    /// Arguments left for the mode itself (client mode's --service, --adapter, ...).
    std::vector<std::string> mode_args;

    std::uint64_t seed = 0;          ///< RapidCheck seed; 0 means "pick one and print it"
    std::uint64_t max_success = 25;  ///< RapidCheck tests per property
    std::chrono::milliseconds timeout{5000};  ///< the per-case bound: every wait in a case
    bool strict = false;             ///< SHOULD misses fail
    int verbosity = 1;               ///< 0 quiet, 1 normal, 2 verbose
    /// The command line prefix that reproduces this run's target, for repro commands
    /// (e.g. `sse-conformance server http://127.0.0.1:8080/events`), secrets already redacted.
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
