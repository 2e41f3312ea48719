// sse::observation: one thing sse::validator noticed about an event stream, graded by severity.
//
// The codes are the validator's public vocabulary: `sse-parse --validate` prints them, the
// conformance suite grades servers by them and keeps known deviations as data keyed by them. The
// spelling returned by to_string() ("retry-not-digits") is the stable external name.
#pragma once

#include <iterator>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sse {

/// How bad an observation is. Ordered: info < warning < error.
enum class severity : std::uint8_t {
    /// Allowed, and a conforming client does what the server meant: a style note, or a risk
    /// only with non-conforming clients.
    info,
    /// Allowed by the format, but a conforming client ignores or discards part of it, or reads
    /// it differently from what the server evidently meant.
    warning,
    /// Breaks a MUST of WHATWG HTML 9.2.5 ("Event streams in this format must always be encoded
    /// as UTF-8"), or cannot be read within the parser limits, so a client alters or abandons it.
    error,
};

/// "info", "warning" or "error" (static storage: the view never dangles).
constexpr std::string_view to_string(severity s) noexcept {
    switch (s) {
    case severity::info: return "info";
    case severity::warning: return "warning";
    case severity::error: return "error";
    }
    return "unknown";
}

/// What was observed. Numeric values are stable: new codes are only ever appended at the end.
/// validator.cpp justifies each code's severity with the spec text it rests on.
enum class observation_code : std::uint8_t {
    // errors
    invalid_utf8,       ///< bytes that are not UTF-8 (client substitutes U+FFFD)
    line_too_long,      ///< a line exceeds parser_limits::max_line_length (validation stops)
    event_too_large,    ///< data + type exceed parser_limits::max_event_size (validation stops)
    // warnings
    bom_not_at_start,       ///< U+FEFF at the start of a line other than the stream's start
    mixed_line_ends,        ///< lines end in more than one style (LF, CRLF, CR)
    whitespace_line,        ///< a line of only spaces/tabs: not blank, so no dispatch there
    field_name_near_miss,   ///< "Data", "data ", " id": a known name but for case or whitespace
    id_contains_nul,        ///< `id` with U+0000: the whole field is ignored
    retry_not_digits,       ///< `retry` value with anything but ASCII digits: ignored
    retry_empty,            ///< `retry` with an empty value: ignored
    retry_too_large,        ///< `retry` above validator_options::max_retry_ms
    event_type_whitespace,  ///< event type with leading/trailing whitespace (kept by clients)
    event_without_data,     ///< a block with an event type but no data: nothing is dispatched
    unterminated_line,      ///< the stream ends inside a line: the client discards it
    unterminated_event,     ///< the stream ends inside an event: the client discards it
    // info
    bom_at_start,           ///< a leading BOM: allowed and stripped
    cr_line_ends,           ///< lone CR line ends: allowed, but LF-only splitters choke
    unknown_field,          ///< a field name other than data/event/id/retry: ignored
    no_colon,               ///< a known field written without a colon ("data")
    no_space_after_colon,   ///< "data:x" rather than "data: x"
    event_type_empty,       ///< "event:" with an empty value: the type falls back to "message"
    id_only_block,          ///< a block with only an id: no event, only the last event ID moves
    suppressed,             ///< further observations of one code are counted, not reported
};

namespace detail {

struct observation_code_info {
    observation_code code;
    std::string_view name;
    severity grade;
    std::string_view section;  // the WHATWG HTML section it is judged by; "ssekit" for limits
};

// Indexed by code; one row per code, in enum order.
inline constexpr observation_code_info observation_codes[] = {
    {observation_code::invalid_utf8, "invalid-utf8", severity::error, "9.2.5"},
    {observation_code::line_too_long, "line-too-long", severity::error, "ssekit"},
    {observation_code::event_too_large, "event-too-large", severity::error, "ssekit"},
    {observation_code::bom_not_at_start, "bom-not-at-start", severity::warning, "9.2.5"},
    {observation_code::mixed_line_ends, "mixed-line-ends", severity::warning, "9.2.5"},
    {observation_code::whitespace_line, "whitespace-line", severity::warning, "9.2.6"},
    {observation_code::field_name_near_miss, "field-name-near-miss", severity::warning, "9.2.6"},
    {observation_code::id_contains_nul, "id-contains-nul", severity::warning, "9.2.6"},
    {observation_code::retry_not_digits, "retry-not-digits", severity::warning, "9.2.6"},
    {observation_code::retry_empty, "retry-empty", severity::warning, "9.2.6"},
    {observation_code::retry_too_large, "retry-too-large", severity::warning, "9.2.6"},
    {observation_code::event_type_whitespace, "event-type-whitespace", severity::warning, "9.2.6"},
    {observation_code::event_without_data, "event-without-data", severity::warning, "9.2.6"},
    {observation_code::unterminated_line, "unterminated-line", severity::warning, "9.2.6"},
    {observation_code::unterminated_event, "unterminated-event", severity::warning, "9.2.6"},
    {observation_code::bom_at_start, "bom-at-start", severity::info, "9.2.5"},
    {observation_code::cr_line_ends, "cr-line-ends", severity::info, "9.2.5"},
    {observation_code::unknown_field, "unknown-field", severity::info, "9.2.6"},
    {observation_code::no_colon, "no-colon", severity::info, "9.2.6"},
    {observation_code::no_space_after_colon, "no-space-after-colon", severity::info, "9.2.6"},
    {observation_code::event_type_empty, "event-type-empty", severity::info, "9.2.6"},
    {observation_code::id_only_block, "id-only-block", severity::info, "9.2.6"},
    {observation_code::suppressed, "suppressed", severity::info, "ssekit"},
};

constexpr bool observation_table_is_ordered() noexcept {
    for (std::size_t i = 0; i < std::size(observation_codes); ++i) {
        if (static_cast<std::size_t>(observation_codes[i].code) != i) return false;
    }
    return true;
}
static_assert(observation_table_is_ordered(), "observation_codes must be indexed by code");

}  // namespace detail

/// Number of observation codes (for tables indexed by code).
inline constexpr std::size_t observation_code_count = std::size(detail::observation_codes);

/// The stable external name, e.g. "retry-not-digits" (static storage: the view never dangles).
constexpr std::string_view to_string(observation_code c) noexcept {
    const auto i = static_cast<std::size_t>(c);
    return i < observation_code_count ? detail::observation_codes[i].name : "unknown";
}

/// The fixed severity of a code.
constexpr severity severity_of(observation_code c) noexcept {
    const auto i = static_cast<std::size_t>(c);
    return i < observation_code_count ? detail::observation_codes[i].grade : severity::error;
}

/// The WHATWG HTML section a code is judged by ("9.2.5", "9.2.6"), or "ssekit" for ssekit's own
/// limits and reporting. Static storage.
constexpr std::string_view spec_section(observation_code c) noexcept {
    const auto i = static_cast<std::size_t>(c);
    return i < observation_code_count ? detail::observation_codes[i].section : "ssekit";
}

/// The code with external name `name`, or nullopt if there is none (exact, case-sensitive).
constexpr std::optional<observation_code> parse_observation_code(std::string_view name) noexcept {
    for (const auto& info : detail::observation_codes) {
        if (info.name == name) return info.code;
    }
    return std::nullopt;
}

/// One graded observation about the stream.
///
/// Lifetime: an observation owns all its data (the message is a std::string), so a copy may be
/// kept indefinitely. The reference an observer receives is valid only during the call.
struct observation {
    observation_code code = observation_code::invalid_utf8;
    sse::severity severity = sse::severity::error;  ///< always severity_of(code)
    /// Byte offset in the stream (from its first byte, a leading BOM included) of what the
    /// observation is about: the offending byte, line or value, or the start of the event for
    /// observations about a whole event. Independent of how the stream was chunked.
    std::uint64_t offset = 0;
    /// 1-based number of the line containing `offset` (lines end at CR, LF or CRLF).
    std::uint64_t line = 0;
    /// What is wrong and what the server should do instead. Valid UTF-8, one line, English.
    std::string message;

    /// The stable external name of `code`, e.g. "retry-not-digits" (static storage).
    std::string_view name() const noexcept { return to_string(code); }

    friend bool operator==(const observation&, const observation&) = default;
};

}  // namespace sse
