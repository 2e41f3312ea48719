#include "sse/encoder.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <limits>

#include "sse/detail/field.hpp"
#include "sse/detail/scan.hpp"

namespace sse {
namespace {

// 9.2.6: "If value starts with a U+0020 SPACE character, remove it from value." Every field is
// written with that space, so the value itself (even one starting with a space) is what remains.
constexpr std::string_view id_prefix = "id: ";
constexpr std::string_view event_prefix = "event: ";
constexpr std::string_view retry_prefix = "retry: ";
constexpr std::string_view data_prefix = "data: ";
constexpr std::string_view comment_prefix = ":";

// Decimal digits of UINT64_MAX.
constexpr std::size_t max_retry_digits = 20;

bool has_line_break(std::string_view s) noexcept {
    const char* const end = s.data() + s.size();
    return detail::find_line_end(s.data(), end) != end;
}

// `eol` points at a CR or LF inside [.., end); returns the first byte after that line break.
// 9.2.5: a line ends at "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a
// single U+000A LINE FEED (LF) character not preceded by a U+000D CARRIAGE RETURN (CR) character,
// and a single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF)
// character". CRLF is one break, so it yields one new line, not an empty line between two.
const char* skip_line_break(const char* eol, const char* end) noexcept {
    if (*eol == '\r' && eol + 1 != end && eol[1] == '\n') return eol + 2;
    return eol + 1;
}

// How `text` splits into lines at CR, LF and CRLF.
struct line_split {
    std::size_t lines = 1;        // line breaks + 1: text ending in a break has an empty last line
    std::size_t break_bytes = 0;  // bytes taken by the breaks (a CRLF counts 2)
};

line_split split_lines(std::string_view text) noexcept {
    line_split result;
    const char* p = text.data();
    const char* const end = p + text.size();
    for (;;) {
        const char* const eol = detail::find_line_end(p, end);
        if (eol == end) return result;
        p = skip_line_break(eol, end);
        ++result.lines;
        result.break_bytes += static_cast<std::size_t>(p - eol);
    }
}

// Bytes taken by `text` written as prefixed lines, each ending in LF. 64-bit even where size_t is
// 32-bit (wasm32): a payload of many short lines can grow several-fold.
std::uint64_t lines_size(std::string_view prefix, std::string_view text) noexcept {
    const line_split s = split_lines(text);
    return std::uint64_t{s.lines} * (prefix.size() + 1) + text.size() - s.break_bytes;
}

// Writes one `prefix` line per line of `text`. The caller has reserved lines_size(prefix, text).
void append_lines(std::string_view prefix, std::string_view text, std::string& out) {
    const char* p = text.data();
    const char* const end = p + text.size();
    for (;;) {
        const char* const eol = detail::find_line_end(p, end);
        out.append(prefix);
        out.append(p, static_cast<std::size_t>(eol - p));
        out.push_back('\n');
        if (eol == end) return;
        p = skip_line_break(eol, end);
    }
}

// Writes a single-line field; the caller has checked `value` has no line break.
void append_field(std::string_view prefix, std::string_view value, std::string& out) {
    out.append(prefix);
    out.append(value);
    out.push_back('\n');
}

std::uint64_t field_size(std::string_view prefix, std::string_view value) noexcept {
    return std::uint64_t{prefix.size()} + value.size() + 1;
}

std::size_t decimal_digits(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

void append_retry_line(std::uint64_t milliseconds, std::string& out) {
    // 9.2.6 "retry": "If the field value consists of only ASCII digits, then interpret the field
    // value as an integer in base ten, and set the event stream's reconnection time to that
    // integer." Plain base-ten digits, no sign, no leading zeros, up to UINT64_MAX, which the
    // parser reads back exactly.
    char digits[max_retry_digits];
    const auto r = std::to_chars(digits, digits + sizeof digits, milliseconds);
    assert(r.ec == std::errc{});
    out.append(retry_prefix);
    out.append(digits, r.ptr);
    out.push_back('\n');
}

std::size_t retry_size(std::uint64_t milliseconds) noexcept {
    return retry_prefix.size() + decimal_digits(milliseconds) + 1;
}

// Makes room for `n` more bytes with at most one allocation. Growth stays geometric: a reserve()
// of the exact size on every call would make appending many blocks to one buffer quadratic with
// standard libraries whose reserve() allocates exactly what is asked.
void reserve_for(std::size_t n, std::string& out) {
    const std::size_t need = out.size() + n;
    if (need <= out.capacity()) return;
    out.reserve(std::max(need, out.capacity() * 2));
}

std::error_code check(const message& m) noexcept {
    // 9.2.5: a field is "1*name-char [ colon [ space ] *any-char ] end-of-line", where any-char
    // is "a scalar value other than U+000A LINE FEED (LF) or U+000D CARRIAGE RETURN (CR)". A break
    // in `event` or `id` would end the field early and turn the rest into a line of its own (an
    // injected field), so it cannot be encoded; stripping it would change the value silently.
    if (has_line_break(m.type)) return errc::type_has_line_break;
    if (m.id) {
        if (const std::error_code ec = detail::check_id(*m.id)) return ec;
    }
    // 9.2.6 "dispatch the event", step 2: "If the data buffer is an empty string, set the data
    // buffer and the event type buffer to the empty string and return." A type without data is
    // never seen by the client, which is almost certainly not what the caller meant.
    if (!m.type.empty() && !m.data) return errc::type_without_data;
    return {};
}

// encoded_size() for a message check() accepted, in 64 bits (see lines_size).
std::uint64_t block_size(const message& m) noexcept {
    std::uint64_t n = 1;  // the blank line
    if (m.id) n += field_size(id_prefix, *m.id);
    if (!m.type.empty()) n += field_size(event_prefix, m.type);
    if (m.retry) n += retry_size(*m.retry);
    if (m.data) n += lines_size(data_prefix, *m.data);
    return n;
}

}  // namespace

std::error_code encode(const message& m, std::string& out) {
    if (const std::error_code ec = check(m)) return ec;
    const std::uint64_t wide = block_size(m);
    if (wide > out.max_size() - out.size()) return errc::message_too_large;
    const auto size = static_cast<std::size_t>(wide);
    reserve_for(size, out);
    [[maybe_unused]] const std::size_t start = out.size();

    // Order: id, event, retry, data. For the client the order of id, event and data does not
    // matter (the event sees all three only at the dispatch), but `retry` takes effect as soon
    // as its line is read, so it goes before the data: a block cut off mid-payload by a dropped
    // connection has still set the reconnection time the client is about to use. The short
    // metadata lines come first so logs and truncated captures show which event a large payload
    // belongs to; id before event is the common convention.
    if (m.id) append_field(id_prefix, *m.id, out);

    // 9.2.6 "event": "Set the event type buffer to field value." Dispatch step 6: "If the event
    // type buffer has a value other than the empty string, change the type of the newly created
    // event to equal the value of the event type buffer." Otherwise it stays "message" (step 5),
    // so an empty type needs no line at all.
    if (!m.type.empty()) append_field(event_prefix, m.type, out);

    if (m.retry) append_retry_line(*m.retry, out);

    // 9.2.6 "data": "Append the field value to the data buffer, then append a single U+000A LINE
    // FEED (LF) character to the data buffer." So a payload of N lines is N `data` lines, and the
    // client rebuilds it with LF between them (step 3 removes the final LF). An empty payload is
    // one empty `data` line, which makes the data buffer "\n", not empty, so the event dispatches.
    if (m.data) append_lines(data_prefix, *m.data, out);

    // 9.2.6: "If the line is empty (a blank line): Dispatch the event, as defined below."
    out.push_back('\n');
    assert(out.size() - start == size);
    return {};
}

std::size_t encoded_size(const message& m) noexcept {
    if (check(m)) return 0;
    const std::uint64_t size = block_size(m);
    return size > std::numeric_limits<std::size_t>::max() ? 0 : static_cast<std::size_t>(size);
}

void encode_comment(std::string_view text, std::string& out) {
    // 9.2.6: "If the line starts with a U+003A COLON character (:): Ignore the line." A comment
    // cannot span lines, so each line of `text` gets its own colon.
    const std::uint64_t size = lines_size(comment_prefix, text);
    reserve_for(static_cast<std::size_t>(std::min<std::uint64_t>(size, out.max_size())), out);
    append_lines(comment_prefix, text, out);
}

void encode_retry(std::uint64_t milliseconds, std::string& out) {
    reserve_for(retry_size(milliseconds), out);
    append_retry_line(milliseconds, out);
}

}  // namespace sse
