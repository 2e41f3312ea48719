// sse::parser: an incremental, sans-I/O push parser for text/event-stream.
//
// Implements WHATWG HTML 9.2.5 "Parsing an event stream" and 9.2.6 "Interpreting an event
// stream": bytes in (any chunking), events out through an sse::handler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "sse/detail/field.hpp"
#include "sse/detail/line_reader.hpp"
#include "sse/error.hpp"
#include "sse/handler.hpp"
#include "sse/parser_limits.hpp"

namespace sse {

/// What one feed() call did.
struct feed_result {
    std::size_t consumed = 0;  ///< bytes of the input taken; the caller re-feeds the rest later
    std::error_code error;     ///< empty, errc::paused, or a sticky limit / misuse error
};

/// Incremental event-stream parser for one connection at a time.
///
/// - Lines end in CR, LF or CRLF, also when a CRLF is split between two feeds.
/// - One leading U+FEFF BOM is stripped, also when split between feeds.
/// - Field values are decoded as UTF-8; invalid sequences become U+FFFD (WHATWG "UTF-8 decode").
/// - Memory is bounded by parser_limits; time is linear in the input for any chunking.
/// - No exceptions, no I/O, no clocks: it compiles unchanged to WebAssembly.
///
/// The handler must outlive the parser (or be replaced with set_handler first).
///
/// Re-entrancy: a handler must not call feed(), finish() or reset() on the parser that is calling
/// it; return action::pause instead and call them after feed() returns.
class parser {
public:
    /// A parser for a new stream with an empty last event ID, reporting to `h` (which must
    /// outlive it) and bounded by `limits`. Allocates nothing until input arrives.
    explicit parser(handler& h, parser_limits limits = {});

    /// Interprets `bytes`, calling the handler for each event, retry and comment completed.
    /// Returns how many bytes were consumed and an error code:
    /// - empty: all of `bytes` was consumed (a partial line or event is kept for the next feed);
    /// - errc::paused: the handler returned action::pause; `consumed` stops right after the line
    ///   that caused it; call feed() again with the rest to resume (not sticky);
    /// - errc::line_too_long / errc::event_too_large: a limit was exceeded; sticky until reset();
    /// - errc::feed_after_finish: finish() was called; sticky until reset().
    /// `bytes` need only live for the call: nothing keeps a view into it afterwards.
    feed_result feed(std::string_view bytes);

    /// Marks the end of the stream. A partial line and an undispatched event are discarded, as
    /// the spec says ("If the file ends in the middle of an event ... not dispatched").
    /// Returns the sticky error, if any; later feeds fail with errc::feed_after_finish.
    std::error_code finish();

    /// Starts a new stream (a reconnection): clears buffers, errors and finish(), and re-arms
    /// BOM stripping. Keeps last_event_id() and retry(), as EventSource keeps them across
    /// reconnections.
    void reset();

    /// reset(), then sets the last event ID string to `last_event_id`: for a client that resumes a
    /// position it saved (events dispatched on the new stream report this id until the stream
    /// sets another). Returns errc::id_has_nul or errc::id_has_line_break, and changes nothing,
    /// for an id a stream could never have set. Invalid UTF-8 is replaced with U+FFFD.
    std::error_code reset(std::string_view last_event_id);

    /// The last event ID string: the id buffer as of the last dispatch (possibly empty). Sent as
    /// Last-Event-ID on reconnection. Valid UTF-8; the view lives until the next feed/reset.
    std::string_view last_event_id() const noexcept {
        return last_id_is_view_ ? last_id_view_ : std::string_view(last_id_);
    }

    /// The reconnection time the stream last set with `retry`, in milliseconds, if any.
    std::optional<std::uint64_t> retry() const noexcept { return retry_; }

    /// Whether every byte the current feed() has consumed so far is ASCII. A handler that passes
    /// views into the caller's input on as offsets into a decoding of that input (the wasm bridge
    /// does) may rely on byte offsets being UTF-16 offsets while this holds. Conservative: false
    /// also when a line that began in an earlier feed had a non-ASCII byte.
    bool input_is_ascii() const noexcept { return reader_.input_ascii(); }

    /// The sticky error, if any.
    std::error_code error() const noexcept { return error_; }

    /// The limits this parser was made with.
    const parser_limits& limits() const noexcept { return limits_; }

    /// Replaces the handler; the new one must outlive the parser.
    void set_handler(handler& h) noexcept { handler_ = &h; }

private:
    action process_line(std::string_view line);
    action on_field(detail::field_kind kind, std::string_view value, std::string_view line);
    void assign_value(std::string& out, std::string_view value);
    action set_type(std::string_view value);
    action set_id(std::string_view value);
    action on_data(std::string_view value, std::string_view line);
    action append_data(std::string_view value, std::string_view line);
    action dispatch();
    bool check_event_size();
    void own_data();
    void clear_event();

    handler* handler_;
    parser_limits limits_;
    detail::line_reader reader_;

    // The data buffer, minus its final LF. While the event has exactly one data line and that line
    // lies in the caller's input, `data_view_` points there and nothing is copied; own_data()
    // copies it into `data_` before feed() returns. A first data line that spanned chunks is taken
    // over from the line reader whole, "data:" prefix included: the value starts at data_offset_.
    detail::byte_buffer data_;
    std::size_t data_offset_ = 0;
    bool data_ascii_ = true;  // every data line so far was ASCII: no UTF-8 check at dispatch
    std::string_view data_view_;
    bool has_data_ = false;
    bool data_is_view_ = false;
    std::size_t data_size_ = 0;  // logical size of the spec's data buffer, LFs included
    std::size_t type_size_ = 0;  // input bytes of the event type (before any U+FFFD repair)

    // The event type buffer (valid UTF-8): `type_view_` while it is an ASCII value lying in the
    // caller's input (copied into `type_` before feed() returns), else `type_`.
    std::string type_;
    std::string_view type_view_;
    bool type_is_view_ = false;
    // The last event ID buffer (valid UTF-8, no NUL) is one of three places, so that an id field
    // costs one copy (into last_id_ at dispatch) rather than two: `id_view_` in the caller's input
    // (copied into `id_buffer_` before feed() returns), `id_buffer_`, or last_id_ itself (after a
    // dispatch, a reset or finish, the two are equal).
    enum class id_source : unsigned char { last_id, owned, view };
    id_source id_source_ = id_source::last_id;
    std::string id_buffer_;
    std::string_view id_view_;
    // The last event ID string: `last_id_view_` (in the caller's input) while feed() runs and the
    // last id came from its input, copied into `last_id_` before feed() returns.
    std::string last_id_;
    std::string_view last_id_view_;
    bool last_id_is_view_ = false;
    std::string scratch_;    // UTF-8 repair output for data
    std::optional<std::uint64_t> retry_;

    std::error_code error_;
    bool finished_ = false;
};

}  // namespace sse
