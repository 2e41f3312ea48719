// answer_stream: the stream request read to its end, each event's data parsed as JSON. LLM APIs
// (OpenAI Chat Completions and Responses, Anthropic Messages) answer one POST with one stream that
// the server ends itself; their profile cases grade that whole answer, read once per run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sse/conformance/context.hpp"
#include "sse/conformance/outcome.hpp"
#include "stream_capture.hpp"

namespace sse::conformance {

class server_session;

/// One event of the answer and its data as JSON (when it parses).
struct answer_event {
    seen_event event;
    std::optional<nlohmann::json> json;  ///< null when the data is not JSON
    std::string json_error;              ///< why the data is not JSON (the parser's message)
};

/// The answer to the user's request (method, -d body, -H headers), read until the server ended it
/// or --timeout passed.
struct answer_stream {
    /// Whether a 200 text/event-stream head arrived; otherwise `error` says what came instead
    /// (connect failure, timeout, another status or Content-Type, with the start of its body).
    bool ok = false;
    /// Whether `ok` is false because nothing answered at all (the cases skip then; a wrong
    /// status or Content-Type fails them).
    bool unreachable = false;
    std::string error;
    capture cap;
    std::string raw;  ///< head and body as received (bounded)
    std::vector<answer_event> events;
    /// The value of every `event:` field line in the body, in order (also for events the parser
    /// did not dispatch): what distinguishes unnamed events from events named "message".
    std::vector<std::string> event_fields;

    /// The first `max` bytes of the body, for messages.
    std::string body_start(std::size_t max = 400) const;
};

/// Reads the answer with `s.subscribe()`: bounded by `s.timeout`, waiting for the end of the
/// stream (a read that sees nothing for --idle-timeout also stops it).
answer_stream read_answer(const server_session& s);

/// The answer of `ctx`'s server session (read once per run), or null with `instead` set to the
/// outcome that stands for it: skipped when nothing answered, failed on another status or
/// Content-Type (a profile endpoint must answer with a stream). Sets ctx.raw to its bytes.
const answer_stream* answer_of(context& ctx, std::optional<outcome>& instead);

/// `#N event:TYPE data:DATA` (data clipped; no event: for an unnamed event) for messages; N counts from 1.
std::string describe_event(const answer_event& e, std::size_t n);

/// The data of an event for messages: at most `max` bytes, then "...".
std::string clip(const std::string& text, std::size_t max = 160);

}  // namespace sse::conformance
