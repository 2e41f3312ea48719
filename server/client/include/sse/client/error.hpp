// Error codes of the Asio SSE client: one enum, one "sse.client" std::error_category.
//
// Network failures arrive as the operating system's / Asio's own codes (connection_refused,
// eof, ...), URL, connect-timeout and TLS failures as sse::net::errc, parser limits as sse::errc;
// this enum covers what is specific to the client.
#pragma once

#include <system_error>

namespace sse::client {

/// Errors specific to sse::client::client. Values are stable; 0 is never used.
enum class errc {
    // 1 and 2 were invalid_url and unsupported_scheme: URL errors are sse::net::errc now.
    bad_status = 3,       ///< the final response was not 200 (204 is the server's "stop")
    not_event_stream,     ///< 200, but Content-Type's essence is not text/event-stream
    too_many_redirects,   ///< more than options::max_redirects redirects in one attempt
    bad_redirect,         ///< a 3xx without a usable http(s):// Location header
    timeout,              ///< no response head within options::response_timeout
    attempts_exhausted,   ///< reconnect_policy::max_attempts consecutive attempts failed
    end_of_stream,        ///< the server ended the stream (the client reconnects)
    invalid_header,       ///< a method or header name that is not a token, a value (or the cookie) with CR/LF/NUL
    invalid_last_event_id,///< options::last_event_id contains NUL, CR or LF
    redirect_refused,     ///< a 3xx with options::redirects == redirect_mode::refuse (final)
    stream_reset,         ///< HTTP/2: the server reset the stream (RST_STREAM) or refused it (GOAWAY)
    malformed_response,   ///< HTTP/2: the response broke HTTP/2's rules (RFC 9113 8.2.2) and this side reset it
};

/// The "sse.client" category. Messages say what happened and what to do.
const std::error_category& client_category() noexcept;

/// Lets `std::error_code ec = sse::client::errc::bad_status;` work.
std::error_code make_error_code(errc e) noexcept;

}  // namespace sse::client

template <>
struct std::is_error_code_enum<sse::client::errc> : std::true_type {};
