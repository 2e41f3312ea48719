// RapidCheck generators for client-mode scenarios: random event streams (ids, types, multi-line
// and Unicode data, empty data, comments, retry values, BOM, every line ending), cut into random
// chunks and played over random connection endings.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "scenario.hpp"

namespace sse::conformance::client {

/// The body of one response: random event-stream text. When `retry_first`, it starts with a
/// `retry:` line of 5-40 ms so reconnections stay fast. Lines may use LF, CR or CRLF.
rc::Gen<std::string> gen_stream_body(bool retry_first);

/// Cuts `body` into chunks at random places (possibly inside a CRLF or a UTF-8 sequence).
rc::Gen<std::vector<std::string>> gen_chunks(const std::string& body);

/// One 200 text/event-stream response with a random body; `end` is how it ends.
rc::Gen<response_step> gen_stream_step(body_end end, bool retry_first);

/// 1-4 stream responses that each end (cleanly, truncated or close-delimited), then one held open.
rc::Gen<scenario> gen_reconnect_scenario();

/// One stream response held open (the parse property).
rc::Gen<scenario> gen_parse_scenario();

/// A stream response that ends, then a response that must fail the connection: a status other
/// than 200 from `statuses`, with an event-stream body a client must not read.
rc::Gen<scenario> gen_failing_status_scenario(std::vector<int> statuses);

/// A stream response that ends, then a 200 whose Content-Type is one of `types` (nullopt: none).
/// `accepted` says whether those types are event streams (the response opens) or not (fails).
rc::Gen<scenario> gen_content_type_scenario(std::vector<std::optional<std::string>> types, bool accepted);

/// A redirect (301/302/303/307/308) followed by a stream held open.
rc::Gen<scenario> gen_redirect_scenario();

/// Prints a scenario for a counterexample: one line per step, bodies as escaped strings.
void showValue(const scenario& s, std::ostream& os);

}  // namespace sse::conformance::client
