// endpoint_request: a protocol profile's own requests to the URL under test (an MCP POST or
// DELETE, a GraphQL POST), made the way every other request of the run is made.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server_session.hpp"

namespace sse::conformance {

/// A request to the stream URL itself with `method` and `body` instead of the command line's:
/// the user's -H headers and cookie, then `extra` (which replaces same-named ones); the run's TLS
/// settings, redirects (-L) and timeouts. No Accept header unless `extra` (or -H) gives one.
stream_request endpoint_request(const server_session& s, std::string method, std::string body = {},
                                net::header_list extra = {});

/// Whether the body read so far has reached the report bound (http_probe::max_raw): past it the
/// body and raw bytes are no longer kept, so a profile stops reading there (an endless or huge
/// answer costs bounded memory and time) and says so.
bool at_cap(const capture& c);

/// The cap, as reports name it ("256 KiB").
std::string cap_text();

/// Opens `r` and reads its body until `done` holds, the body ends, the body reaches the cap
/// (at_cap), or `wait` passes. False with `error` set when there was no response head.
bool read_response(stream_reader& r, std::chrono::milliseconds wait, std::string& error,
                   const std::function<bool(const capture&)>& done = {});

/// "200 OK; text/event-stream": a head's status, reason and Content-Type, for reports.
std::string status_line(const response_head& head);

/// `text` as JSON, or nullopt when it is not JSON.
std::optional<nlohmann::json> parse_json(std::string_view text);

/// The first `max` bytes of `raw`, for reports.
std::string bounded_raw(const std::string& raw, std::size_t max = 16 * 1024);

}  // namespace sse::conformance
