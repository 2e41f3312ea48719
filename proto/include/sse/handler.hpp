// What the parser calls as it interprets a stream.
#pragma once

#include <cstdint>
#include <string_view>

#include "sse/event.hpp"

namespace sse {

/// A handler's answer: keep going, or make feed() return now with errc::paused.
enum class action { proceed, pause };

/// Receives what parser::feed() finds, in stream order. Override what you need.
///
/// Returning action::pause makes feed() stop right after the bytes that produced this call and
/// return errc::paused with the count consumed; feed the rest later to resume. The parser keeps no
/// queue, so pausing is how a consumer applies back-pressure with bounded memory.
class handler {
public:
    virtual ~handler() = default;

    /// An event was dispatched. `e` and its views are valid only during this call.
    virtual action on_event(const event& e) = 0;

    /// A `retry` field with only ASCII digits set the reconnection time (milliseconds;
    /// saturates at UINT64_MAX for absurdly long values).
    virtual action on_retry(std::uint64_t milliseconds) {
        (void)milliseconds;
        return action::proceed;
    }

    /// A comment line (": ..."), text after the colon, unchanged; valid only during this call.
    /// Servers use comments as heartbeats. Not valid UTF-8 necessarily: raw bytes.
    virtual action on_comment(std::string_view text) {
        (void)text;
        return action::proceed;
    }
};

}  // namespace sse
