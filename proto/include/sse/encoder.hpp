// The event-stream encoder: sse::message in, text/event-stream bytes out.
//
// Sans-I/O and allocation-frugal: every function appends to a std::string the caller owns (and
// may reuse), growing it at most once per call. No exceptions. Output lines end in LF, and every
// field is written as `name: value`, with the space, so a value that starts with a space survives
// the parser's one-space strip.
//
// Composition: encode() ends every block with its blank line, and the lines encode_retry() and
// encode_comment() write touch none of a client's per-event buffers, so any concatenation of
// their outputs is a valid stream that means the sequence of its parts.
//
// The defining property (tests/property/encoder_properties.cpp): parsing encode(m) yields m with
// CR and CRLF in `data` turned into LF and an empty `type` read as "message".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "sse/error.hpp"
#include "sse/message.hpp"

namespace sse {

/// Appends `m` to `out` as one complete block: `id`, `event`, `retry` and `data` lines (those
/// present, in that order), then the blank line that dispatches it.
///
/// Returns an empty error code on success. On error appends nothing and returns the first of:
/// - errc::type_has_line_break: `m.type` contains CR or LF;
/// - errc::id_has_line_break: `m.id` contains CR or LF;
/// - errc::id_has_nul: `m.id` contains U+0000 (a client would ignore the whole `id` field);
/// - errc::type_without_data: `m.type` is set but `m.data` is not (a client would drop the event);
/// - errc::message_too_large: the block would not fit in `out` (out.max_size(); on 32-bit targets
///   a payload of many short lines can approach it).
/// Nothing is stripped or replaced silently. `m`'s views are read only during the call, and must
/// not point into `out` (growing `out` may move its bytes).
///
/// A block with only `retry` ends in a blank line too, and a blank line sets a client's last event
/// ID from its buffer. To send a reconnection time alone, prefer encode_retry().
std::error_code encode(const message& m, std::string& out);

/// The exact number of bytes encode(m, out) would append, or 0 if encode() would reject `m` or the
/// size does not fit in std::size_t
/// (a block always has at least its blank line, so 0 is never a valid size). Scans `m.data` for
/// line breaks, so it costs about as much as a line-break scan of the payload.
std::size_t encoded_size(const message& m) noexcept;

/// Appends a comment: `text` verbatim after a `:`, one `:` line per line of `text` (CR, LF and
/// CRLF each start a new line). A client ignores comments; servers send them as heartbeats to keep
/// proxies from closing an idle connection. Empty text gives ":\n". No space is added after the
/// colon, so sse::handler::on_comment() reports exactly each line of `text`; pass " keep-alive"
/// for the customary ": keep-alive". `text` must not point into `out`. Never fails.
void encode_comment(std::string_view text, std::string& out);

/// Appends `retry: <milliseconds>` and a line end, with no blank line after it. The client sets
/// its reconnection time as soon as it reads the line, so the blank line would add nothing except
/// a dispatch, and a dispatch copies the client's last event ID buffer into its last event ID: a
/// client that starts each connection with an empty buffer (9.2.6 read literally) would then forget
/// the id it must send on the next reconnection. Never fails.
void encode_retry(std::uint64_t milliseconds, std::string& out);

}  // namespace sse
