// answer_stream: the stream request read to its end (or to its first http_probe::max_raw body
// bytes), each event's data parsed as JSON. LLM APIs (OpenAI Chat Completions and Responses,
// Anthropic Messages) answer one POST with one stream that the server ends itself; their profile
// cases grade that whole answer, read once per run.
#pragma once

#include <functional>
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

/// The answer to the user's request (method, -d body, -H headers), read until the server ended it,
/// --timeout passed, or the body reached http_probe::max_raw bytes (`truncated`).
struct answer_stream {
    /// Whether a 200 text/event-stream head arrived; otherwise `error` says what came instead
    /// (connect failure, timeout, another status or Content-Type, with the start of its body).
    bool ok = false;
    /// Whether `ok` is false because nothing answered at all (the cases skip then; a wrong
    /// status or Content-Type fails them).
    bool unreachable = false;
    std::string error;
    /// Reading stopped because the body reached http_probe::max_raw bytes, before the stream ended:
    /// the cases grade that prefix (an endless or huge answer must not grow memory without bound).
    bool truncated = false;
    /// The stream as read; its `events` are moved into `events` below (cap.events stays empty).
    capture cap;
    std::string raw;  ///< head and body as received (bounded)
    std::vector<answer_event> events;
    /// The value of every `event:` field line in the body, in order (also for events the parser
    /// did not dispatch): what distinguishes unnamed events from events named "message". Scans
    /// cap.body, which holds every byte the parser saw (reading stops at the cap).
    std::vector<std::string> event_fields;

    /// The first `max` bytes of the body, for messages.
    std::string body_start(std::size_t max = 400) const;
};

/// Reads the answer with `s.subscribe()`: bounded by `s.timeout`, waiting for the end of the
/// stream (a read that sees nothing for --idle-timeout also stops it, and so does a body of
/// http_probe::max_raw bytes).
answer_stream read_answer(const server_session& s);

/// The answer of `ctx`'s server session (read once per run), or null with `instead` set to the
/// outcome that stands for it: skipped when nothing answered, failed on another status or
/// Content-Type (a profile endpoint must answer with a stream). Sets ctx.raw to its bytes.
const answer_stream* answer_of(context& ctx, std::optional<outcome>& instead);

/// `#N event:TYPE data:DATA` (data clipped; no event: for an unnamed event) for messages; N counts from 1.
std::string describe_event(const answer_event& e, std::size_t n);

/// The data of an event for messages: at most `max` bytes, then "...".
std::string clip(const std::string& text, std::size_t max = 160);

/// The JSON `type` of an event's data, or empty (no JSON object, or no string type).
std::string type_of(const answer_event& e);

/// Why the answer is still open: "the stream did not end within --timeout (N ms)", or, for a
/// truncated answer, that reading stopped at the size cap.
std::string timeout_note(context& ctx, const answer_stream& a);

/// A failure listing `problems` (at least one): the first in the message with "(and N more)",
/// up to six in `actual`, the answer's bytes as raw.
outcome failed_with(const std::vector<std::string>& problems, std::string expected, const answer_stream& a);

/// "; graded on the first 256 KiB of the answer (...)" when `a` is truncated, else empty.
std::string cap_note(const answer_stream& a);

/// A case that grades the session's answer: runs `run`, then, when the answer was read (any
/// verdict but skipped) and truncated, appends cap_note() to the message.
std::function<outcome(context&)> on_answer(outcome (*run)(context&));

/// Every event's `event:` name equals the `type` of its JSON data (anthropic/event/1 and
/// openai-responses/event/1: both APIs name each event by its type).
outcome event_named_by_type(context& ctx);

}  // namespace sse::conformance
