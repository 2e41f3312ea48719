// ssekit error codes: one enum, one "sse" std::error_category.
//
// The parser never reports syntax errors (every byte string is a valid event stream); its only
// errors are resource limits and misuse. The encoder rejects fields the wire format cannot carry.
#pragma once

#include <system_error>

namespace sse {

/// Every error ssekit's protocol core reports. Values are stable; 0 is never used.
enum class errc {
    // 1..99: parser
    paused = 1,           ///< not a failure: the handler asked to pause; feed the rest later
    line_too_long,        ///< a line exceeded parser_limits::max_line_length (sticky)
    event_too_large,      ///< an event's data + type exceeded parser_limits::max_event_size (sticky)
    feed_after_finish,    ///< feed() after finish() without reset() (sticky)

    // 100..199: encoder
    type_has_line_break = 100,  ///< an event type containing CR or LF cannot be encoded
    id_has_line_break,          ///< an id containing CR or LF cannot be encoded
    id_has_nul,                 ///< an id containing U+0000 would be ignored by every client
    type_without_data,          ///< an event type without data: the client would drop the event
    message_too_large,          ///< the encoded block would not fit in a std::string
};

/// The "sse" category. Messages say what happened and what to do about it.
const std::error_category& sse_category() noexcept;

/// Lets `std::error_code ec = sse::errc::line_too_long;` work.
std::error_code make_error_code(errc e) noexcept;

}  // namespace sse

template <>
struct std::is_error_code_enum<sse::errc> : std::true_type {};
