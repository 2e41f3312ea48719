// Resource limits that bound a parser's memory whatever its peer sends.
#pragma once

#include <cstddef>

namespace sse {

/// Limits checked by sse::parser. Exceeding one is a sticky error (errc::line_too_long or
/// errc::event_too_large): the stream is abandoned, never silently truncated.
///
/// The defaults (16 MiB each) are far above any event a real server sends. Set a field to SIZE_MAX
/// for no limit. Limits apply to logical sizes in input bytes, so the same input fails at the same
/// point whatever its chunking.
///
/// Memory: a parser holds at most one partial line (max_line_length), one event's data and type
/// (max_event_size), and the last event ID twice (buffer and string, each one line at most). Invalid
/// UTF-8 is replaced with the 3-byte U+FFFD, which can triple a decoded field, so the worst case is
/// about 3 x (2 x max_event_size + 2 x max_line_length) + max_line_length: some 210 MiB with the
/// defaults, from a peer sending nothing but invalid bytes. A program holding many parsers for
/// untrusted peers should set limits that fit its memory (a few MiB is ample for most streams).
struct parser_limits {
    /// Longest line, in bytes, not counting its line end.
    std::size_t max_line_length = std::size_t{16} << 20;
    /// Largest event: the data buffer (data lines plus one LF each) plus the event type, counted
    /// in input bytes (before invalid UTF-8 is replaced, which can triple a field's size).
    std::size_t max_event_size = std::size_t{16} << 20;
};

}  // namespace sse
