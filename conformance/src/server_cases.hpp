// Internal: the server case groups, each registered by register_server_cases.
#pragma once

#include "server_session.hpp"
#include "sse/conformance/registry.hpp"

namespace sse::conformance {

void register_server_passive_cases(registry& r);  // server_passive_cases.cpp: head and syntax
void register_server_stream_cases(registry& r);   // server_stream_cases.cpp: flush, fan-out, resume
void register_server_active_cases(registry& r);   // server_active_cases.cpp: RapidCheck properties

/// The server session of `ctx` (throws std::logic_error if the case runs in another mode).
server_session& server_of(context& ctx);

/// Joins `lines` with LF, at most `max` of them (then "... N more").
std::string join_lines(const std::vector<std::string>& lines, std::size_t max = 12);

/// One event for messages: `{type, data, id}` as JSON.
std::string describe(const seen_event& e);

}  // namespace sse::conformance
