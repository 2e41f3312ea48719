// Internal: the server case groups, each registered by register_server_cases.
#pragma once

#include "server_session.hpp"
#include "sse/conformance/registry.hpp"

namespace sse::conformance {

void register_server_passive_cases(registry& r);  // server_passive_cases.cpp: head and syntax
void register_server_stream_cases(registry& r);   // server_stream_cases.cpp: flush, fan-out, resume
void register_server_active_cases(registry& r);   // server_active_cases.cpp: RapidCheck properties
void register_server_resume_cases(registry& r);   // server_resume_cases.cpp: resume without a hook
void register_server_timing_cases(registry& r);   // server_timing_cases.cpp: delivery delay, soak
void register_server_http_cases(registry& r);     // server_http_cases.cpp: Accept, HTTP/1.0, odd ids
void register_server_load_cases(registry& r);     // server_load_cases.cpp: a 1 MiB event, 200 subscribers
void register_server_h2_cases(registry& r);       // server_h2_cases.cpp: h2 header fields, 50 streams, reset
// The protocol profiles (--profile NAME; test_case::profile), one file each: profile_*_cases.cpp.
void register_profile_openai_cases(registry& r);
void register_profile_anthropic_cases(registry& r);
void register_profile_mcp_cases(registry& r);
void register_profile_graphql_sse_cases(registry& r);
void register_profile_mercure_cases(registry& r);

/// The server session of `ctx` (throws std::logic_error if the case runs in another mode).
server_session& server_of(context& ctx);

/// Joins `lines` with LF, at most `max` of them (then "... N more").
std::string join_lines(const std::vector<std::string>& lines, std::size_t max = 12);

/// One event for messages: `{type, data, id}` as JSON.
std::string describe(const seen_event& e);

/// Publishes events `from`..`from+count-1` with data `conformance NONCE #i` (plus `pad` x's),
/// appending them to `sent`. False with `error` set when a publish fails.
bool publish_tagged(const publisher& pub, const std::string& nonce, int from, int count, std::size_t pad,
                    std::vector<publish_request>& sent, std::string& error);

/// Whether `c` holds the last event of `sent` (so all of them, on a server that keeps order).
bool has_all(const capture& c, const std::vector<publish_request>& sent);

/// Whether `e` is the server's signal that a resume cannot be complete: of type
/// --truncation-event, or without it any type containing "truncat".
bool is_truncation_signal(const seen_event& e, const run_options& options);

}  // namespace sse::conformance
