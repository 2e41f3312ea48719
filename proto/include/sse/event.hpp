// An event as the parser dispatches it.
#pragma once

#include <string_view>

namespace sse {

/// One dispatched event (WHATWG HTML, 9.2.6 "dispatch the event").
///
/// Lifetime: every view is valid only during the handler call that receives the event; copy what
/// you keep. All three are valid UTF-8 (invalid input bytes were replaced with U+FFFD).
struct event {
    std::string_view type;           ///< the `event` field, or "message" when none was given
    std::string_view data;           ///< `data` lines joined with LF, final LF removed
    std::string_view last_event_id;  ///< the stream's last event ID string at dispatch
};

}  // namespace sse
