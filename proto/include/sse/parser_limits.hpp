// Resource limits that bound a parser's memory whatever its peer sends.
#pragma once

#include <cstddef>

namespace sse {

/// Limits checked by sse::parser. Exceeding one is a sticky error (errc::line_too_long or
/// errc::event_too_large): the stream is abandoned, never silently truncated.
///
/// The defaults (16 MiB each) are far above any event a real server sends, and low enough that a
/// hostile peer cannot make one parser hold more than about 48 MiB. Set a field to SIZE_MAX for no
/// limit. Limits apply to logical sizes, so the same input fails at the same event whatever its
/// chunking.
struct parser_limits {
    /// Longest line, in bytes, not counting its line end.
    std::size_t max_line_length = std::size_t{16} << 20;
    /// Largest event: the data buffer (data lines plus one LF each) plus the event type, counted
    /// in input bytes (before invalid UTF-8 is replaced, which can triple a field's size).
    std::size_t max_event_size = std::size_t{16} << 20;
};

}  // namespace sse
