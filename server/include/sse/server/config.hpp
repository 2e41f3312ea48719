// sse::server::config: every knob of the reference server, with its default and the reason for it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sse/server/log.hpp"
#include "sse/server/redis_options.hpp"

namespace sse::server {

/// What happens to a subscriber whose unsent bytes exceed config::queue_budget.
enum class slow_client_policy : std::uint8_t {
    disconnect,  ///< close the connection; the client reconnects and resumes from history
    resync,      ///< drop its queued events, send the resync signal, carry on with live events
};

/// Where log lines go and which.
struct logging_options {
    log_level level = log_level::info;
    log_format format = log_format::text;
    logger::sink sink;  ///< empty: stderr
};

/// Settings of one server instance. The defaults make `sse-server` with no flags a sensible
/// development server on 127.0.0.1:8080.
struct config {
    /// Address to listen on. Loopback by default: exposing a publish endpoint to a network is a
    /// decision the operator makes explicitly.
    std::string address = "127.0.0.1";
    /// TCP port; 0 picks a free one (tests), read it back with server::port().
    std::uint16_t port = 8080;
    /// HTTPS: the PEM file with the server's certificate, then any intermediates (a chain file).
    /// Set together with tls_key_file; both empty (the default): plain HTTP only. Read at start()
    /// and again by server::reload_tls() (sse-server: on SIGHUP).
    std::string tls_cert_file;
    /// The PEM file with that certificate's private key (EC or RSA, not encrypted).
    std::string tls_key_file;
    /// Where HTTPS listens. Unset: on `port`, which then speaks only HTTPS. Set: `port` stays plain
    /// HTTP and this port speaks HTTPS as well (0 picks a free one; read it with
    /// server::tls_port()), with the same routes and the same hub.
    std::optional<std::uint16_t> tls_port;

    /// HTTP/2: offered by ALPN on TLS connections (`h2` when the client offers it, else
    /// `http/1.1`), and with h2c also on plain ones. False: HTTP/1.1 only.
    bool http2 = true;
    /// Prior-knowledge HTTP/2 on plain (non-TLS) connections: a connection that opens with the
    /// HTTP/2 preface speaks HTTP/2, any other is read as HTTP/1.1. For service meshes and proxies
    /// that speak cleartext HTTP/2 to their upstream. Needs http2.
    bool h2c = false;
    /// SETTINGS_MAX_CONCURRENT_STREAMS of every HTTP/2 connection: how many requests (event
    /// streams included) one connection may have open at once; 1 to 2^31-1.
    std::uint32_t h2_max_streams = 100;

    /// I/O threads, each running its own io_context (connections are dealt to them in turn);
    /// 0 means std::thread::hardware_concurrency().
    unsigned threads = 0;

    /// Comment sent to every subscriber this often, so proxies keep idle streams open and dead
    /// peers show up as failed writes. Zero disables heartbeats.
    std::chrono::milliseconds heartbeat{15000};
    /// `retry:` sent on connect: the reconnection delay the client should use. Unset sends none.
    std::optional<std::uint64_t> retry_ms = 3000;

    /// Bearer token POST /publish must present (`Authorization: Bearer <token>`). Empty: publishing
    /// is open, which is only sensible on loopback.
    std::string publish_token;

    /// Bearer token GET /events must present, as `Authorization: Bearer <token>` or, for
    /// EventSource (which cannot set headers), a `token=` query parameter. Empty: subscribing is
    /// open.
    std::string subscribe_token;

    /// Origins allowed to use the server from a browser page on another origin (CORS): requests
    /// carrying one of them in `Origin` get `Access-Control-Allow-Origin` back, and preflights are
    /// answered. "*" allows every origin. Empty: no CORS headers at all (same-origin pages only).
    std::vector<std::string> cors_origins;

    /// Directory whose files GET/HEAD serve at paths no API route takes (demo and inspector
    /// pages). Empty: no static files.
    std::string static_dir;

    /// Serve the scripted streams under /conformance/ (server/README.md, "Conformance routes").
    /// They publish nothing and read no state, but they let anyone make the server send chosen
    /// bytes: turn them off on a public deployment.
    bool conformance_routes = true;

    /// Events kept per topic for Last-Event-ID resume: at most this many ...
    std::size_t history_size = 1000;
    /// ... and none older than this. Zero keeps events regardless of age.
    std::chrono::milliseconds history_age{std::chrono::minutes(10)};
    /// ... and, across all topics together, no more than this many bytes of encoded events: the
    /// oldest event of the whole hub goes first. Bounds history memory whatever the number of
    /// topics. Zero retains nothing.
    std::size_t history_bytes = std::size_t{64} << 20;

    /// Bytes a subscriber may have queued but not yet written to its socket (replayed history and
    /// the response head excepted: those are shared with the history). A subscriber that goes over
    /// is disconnected, so one slow reader never makes the server's memory grow.
    std::size_t queue_budget = std::size_t{1} << 20;
    /// Encoded bytes of events published but not yet handed to every I/O thread's subscribers.
    /// Publishing answers once an event is sequenced and fan-out runs behind it on the I/O
    /// threads; while fan-out is this far behind, POST /publish answers 503 (and
    /// server::publish() std::errc::resource_unavailable_try_again) instead of letting memory
    /// grow without bound.
    std::size_t fanout_backlog = std::size_t{64} << 20;
    /// What going over queue_budget means for the subscriber.
    slow_client_policy slow_client = slow_client_policy::disconnect;
    /// A write to a subscriber that makes no progress for this long closes the connection.
    std::chrono::milliseconds write_timeout{30000};
    /// Flush window: a subscriber whose writer is idle waits up to this long before writing, so
    /// events published meanwhile go out in the same write (one system call). Trades up to this
    /// much latency for far fewer writes under fan-out load. Zero: write at once.
    std::chrono::milliseconds flush_interval{5};

    /// Request line + headers, in bytes; more is answered 431.
    std::size_t max_header_size = 8 * 1024;
    /// Request target length; a longer one is answered 414.
    std::size_t max_target_size = 4 * 1024;
    /// Request body, in bytes; more is answered 413.
    std::size_t max_body_size = 64 * 1024;
    /// Time a client has to send a whole request (and the idle limit on keep-alive connections).
    std::chrono::milliseconds request_timeout{30000};

    /// How long stop() waits for streams to flush their final comment and close before it cuts
    /// every remaining connection.
    std::chrono::milliseconds shutdown_timeout{5000};

    /// The first event id minus one. Unset: microseconds since the Unix epoch at startup, so ids
    /// keep increasing across restarts and an id from a previous run reads as "older than the
    /// history" (the client is told) rather than being confused with a new event.
    std::optional<std::uint64_t> first_id_base;

    /// Log threshold, format and destination.
    logging_options logging;

    /// The Redis backplane that makes several servers one hub (--redis, --redis-sentinel). Not
    /// enabled by default: one process, ids assigned locally.
    redis_options redis;
};

/// What parse_command_line() found.
struct command_line {
    config settings;
    bool show_help = false;
    bool show_version = false;
    bool static_dir_given = false;  ///< --static-dir (or static-dir in the config file) was set
    std::string error;  ///< non-empty: bad usage, with a message naming the flag (or FILE:LINE)
};

/// The demo pages' directory compiled in (SSE_DEFAULT_WEB_ROOT: the source tree's wasm/web), or
/// empty if none was. parse_command_line() makes it the default --static-dir when it exists.
std::string_view default_web_root() noexcept;

/// Parses `sse-server` flags (see usage()). `--config FILE` is read first, wherever it appears,
/// so flags on the command line override the file's values (a repeatable flag given on the command
/// line replaces the file's list). Never throws; a bad flag, value or file line sets `error`.
command_line parse_command_line(int argc, const char* const* argv);

/// Applies a config file's text to `cl.settings` (used by parse_command_line; exposed for tests).
/// Lines are `key = value` with keys named like the long flags without `--`; `#` starts a comment
/// line; blank lines are skipped; a value may be wrapped in double quotes (to give an empty one);
/// a boolean key alone means true. `file_name` only labels errors: "FILE:LINE: ...". Returns
/// false and sets cl.error on the first bad line.
bool apply_config_text(std::string_view text, std::string_view file_name, command_line& cl);

/// The --help text: every flag with its default.
std::string usage();

}  // namespace sse::server
