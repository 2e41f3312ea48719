// sse::message: what a server asks the encoder to send, one event-stream block.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sse {

/// One block for sse::encode() (WHATWG HTML 9.2.5 "event" production): fields, then a blank line.
///
/// Every member has a default, so designated initializers name only what they send:
/// `encode({.type = "update", .data = json, .id = "42"}, out)`.
///
/// Lifetime: the views are read only during the encode() / encoded_size() call that receives the
/// message; nothing keeps them afterwards, so they may point into temporaries of that call.
///
/// Text should be UTF-8 ("Event streams in this format must always be encoded as UTF-8"). The
/// encoder copies bytes as they are and does not check: a client replaces invalid sequences with
/// U+FFFD, and sse::validator reports them.
struct message {
    /// The event type (the `event` field). Empty: no `event` line, and the client dispatches the
    /// event as "message". Must not contain CR or LF (errc::type_has_line_break).
    std::string_view type{};

    /// The payload (the `data` field). CR, LF and CRLF in it each become a new `data:` line, so
    /// the client sees every line break as LF. An empty value sends an event with empty data.
    /// nullopt: no `data` line, so the client dispatches nothing; such a block only moves the last
    /// event id (with `id`) or sets the reconnection time (with `retry`). A non-empty `type`
    /// without data is rejected (errc::type_without_data): the client would drop it.
    std::optional<std::string_view> data{};

    /// The event id (the `id` field): becomes the client's last event ID, sent back as
    /// Last-Event-ID when it reconnects. An empty value resets it. nullopt: no `id` line, the last
    /// event ID stays as it was. Must contain neither CR nor LF (errc::id_has_line_break) nor
    /// U+0000 (errc::id_has_nul).
    std::optional<std::string_view> id{};

    /// The reconnection time in milliseconds (the `retry` field). It takes effect when the client
    /// reads the line, whether or not the block dispatches an event.
    std::optional<std::uint64_t> retry{};
};

}  // namespace sse
