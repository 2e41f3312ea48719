// publisher: the hook that lets active cases publish on any server (--publish / --publish-cmd).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http_probe.hpp"

namespace sse::conformance {

/// What the active cases ask a server to publish.
struct publish_request {
    std::string type;  ///< empty: the default ("message")
    std::string data;
};

/// The data a conforming client dispatches for an event published with `data`: the server writes
/// one `data:` line per line of it (split at CR, LF and CRLF) and the client joins them with LF
/// (HTML 9.2.5, 9.2.6).
std::string data_as_received(std::string_view data);

/// `s` with every byte but the RFC 3986 unreserved characters (ALPHA DIGIT - . _ ~) written as
/// %XX (upper-case hex): safe in any URL query value or form field.
std::string percent_encode(std::string_view s);

/// Publishes through a URL template and/or a command.
///
/// URL template: `http(s)://host:port/path?query`, where the query may contain `{data}`, `{type}`
/// and `{topic}` (substituted percent-encoded; `{topic}` is `conformance`). The event is published
/// with `POST path` and the substituted query as an `application/x-www-form-urlencoded` body, the
/// way an HTML form posts, with the --publish-header headers, over the same TLS settings as the
/// stream, e.g. for sse-server:
///   --publish 'http://127.0.0.1:8080/publish?topic=news&data={data}&type={type}'
/// A 2xx answer is success. Command: run with /bin/sh -c, the data on stdin, SSE_TYPE and
/// SSE_TOPIC in the environment; exit status 0 is success. With both, the command is used.
class publisher {
public:
    /// Empty template and command: not available. A template's server must answer a connection
    /// (and a TLS handshake) now: else null with `error` set (the run cannot publish).
    static std::optional<publisher> make(const std::string& url_template, const std::string& command,
                                         const net::header_list& headers, const probe_settings& settings,
                                         std::chrono::milliseconds timeout, std::string& error);

    /// Publishes one event; on failure returns false and sets `error` (one line).
    bool publish(const publish_request& e, std::string& error) const;

    /// How it publishes, for the report ("POST http://.../publish" or "command: ...").
    std::string describe() const;
    /// Whether it publishes to an https:// URL.
    bool uses_tls() const noexcept { return command_.empty() && url_ && url_->tls; }

private:
    std::optional<net::url> url_;
    std::string query_;
    net::header_list headers_;
    probe_settings settings_;
    std::string command_;
    std::chrono::milliseconds timeout_{5000};
};

}  // namespace sse::conformance
