#include "sse/parser.hpp"

#include <cstring>

#include "sse/detail/field.hpp"
#include "sse/detail/utf8.hpp"

namespace sse {
namespace {

constexpr std::string_view default_type = "message";

// A default std::error_code names std::system_category(), a call into the standard library each
// time one is made; a feed of one byte made one just to say "no error". Copied instead.
const std::error_code no_error{};

bool contains_nul(std::string_view s) noexcept {
    for (const char c : s) {
        if (c == '\0') return true;
    }
    return false;
}

}  // namespace

parser::parser(handler& h, parser_limits limits)
    : handler_(&h), limits_(limits), reader_(limits.max_line_length) {}

// Inlined into feed()'s loop: it runs once per line, and the call alone was a tenth of a small
// event's cost.
[[gnu::always_inline]] inline action parser::process_line(std::string_view line) {
    // 9.2.6: "If the line is empty (a blank line): Dispatch the event, as defined below."
    if (line.empty()) return dispatch();

    // "If the line starts with a U+003A COLON character (:): Ignore the line."
    // (A comment; handed to the handler for heartbeat tracking and inspection.)
    if (line.front() == ':') return handler_->on_comment(line.substr(1));

    // Otherwise it is a field: detail::split_field quotes and implements the splitting rule.
    // Nearly every line starts with a known name and its colon, and then only the value is
    // needed: taken straight from the line, which also keeps it in registers under wasm (the
    // whole split is a struct in memory there, written in halves and read back whole, which
    // stalls the store buffer).
    if (const detail::known_name known = detail::known_prefix(line); known.length != 0) {
        return on_field(known.kind, detail::value_after_colon(line, known.length), line);
    }
    const detail::field f = detail::split_field(line);
    return on_field(f.kind, f.value, line);
}

feed_result parser::feed(std::string_view bytes) {
    if (error_) return {0, error_};
    if (finished_) {
        error_ = errc::feed_after_finish;
        return {0, error_};
    }
    reader_.start_input();
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    feed_result result{bytes.size(), no_error};
    for (;;) {
        std::string_view line;
        const auto status = reader_.next(p, end, line);
        if (status == detail::line_reader::status::partial) break;
        if (status == detail::line_reader::status::too_long) {
            error_ = errc::line_too_long;
            result = {static_cast<std::size_t>(p - bytes.data()), error_};
            break;
        }
        const action a = process_line(line);
        if (error_) {
            result = {static_cast<std::size_t>(p - bytes.data()), error_};
            break;
        }
        if (a == action::pause) {
            result = {static_cast<std::size_t>(p - bytes.data()), errc::paused};
            break;
        }
    }
    // The caller's buffer may die after we return: keep nothing that points into it.
    if (data_is_view_) own_data();
    if (type_is_view_) {
        type_.assign(type_view_);
        type_is_view_ = false;
    }
    if (id_source_ == id_source::view) {
        id_buffer_.assign(id_view_);
        id_source_ = id_source::owned;
    }
    if (last_id_is_view_) {
        last_id_.assign(last_id_view_);
        last_id_is_view_ = false;
    }
    return result;
}

std::error_code parser::finish() {
    // 9.2.6: "Once the end of the file is reached, any pending data must be discarded. (If the
    // file ends in the middle of an event, before the final empty line, the incomplete event is
    // not dispatched.)"
    clear_event();
    id_source_ = id_source::last_id;  // the last event ID buffer is the last event ID string
    finished_ = true;
    return error_;
}

void parser::reset() {
    reader_.reset();
    clear_event();
    // A new connection starts its last event ID buffer from the last event ID string, as
    // browsers do, so an event without an `id` field keeps reporting the previous id.
    id_source_ = id_source::last_id;
    error_.clear();
    finished_ = false;
}

std::error_code parser::reset(std::string_view last_event_id) {
    if (const std::error_code ec = detail::check_id(last_event_id)) return ec;
    detail::utf8_assign(last_id_, last_event_id);
    last_id_is_view_ = false;
    reset();
    return {};
}

// 9.2.6 "process the field". Field names are compared as decoded text; invalid UTF-8 never equals
// a known name and ASCII bytes decode to themselves, so comparing bytes is exact.
// Inlined into process_line(): the usual lines (an ASCII value in the caller's input) take a few
// stores each; everything else is in the out-of-line functions below.
[[gnu::always_inline]] inline action parser::on_field(detail::field_kind kind, std::string_view value,
                                                      std::string_view line) {
    const bool ascii_in_input = reader_.line_is_ascii() && reader_.line_in_input();
    switch (kind) {
    case detail::field_kind::data: return on_data(value, line);
    case detail::field_kind::event:
        // "Set the event type buffer to field value." An ASCII value in the caller's input is
        // kept as a view until dispatch or the end of feed(): most events never copy their type.
        if (!ascii_in_input) return set_type(value);
        type_view_ = value;
        type_is_view_ = true;
        type_size_ = value.size();
        check_event_size();
        return action::proceed;
    case detail::field_kind::id:
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
        // the field value. Otherwise, ignore the field."
        if (contains_nul(value)) return action::proceed;
        if (!ascii_in_input) return set_id(value);
        id_view_ = value;  // as the type: copied once, into the last event ID string
        id_source_ = id_source::view;
        return action::proceed;
    case detail::field_kind::retry:
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten, and set the event stream's reconnection time to that integer.
        // Otherwise, ignore the field."
        if (!detail::is_ascii_digits(value)) return action::proceed;
        retry_ = detail::parse_digits_saturating(value);
        return handler_->on_retry(*retry_);
    case detail::field_kind::other: break;
    }
    // "Otherwise: The field is ignored."
    return action::proceed;
}

// on_field()'s event type or id that is not an ASCII value in the caller's input: copied into
// `out`, invalid UTF-8 repaired. Cold and out of line (with append_data): compiled for size, and
// no copy of them in the hot loop.
[[gnu::cold, gnu::noinline]] void parser::assign_value(std::string& out, std::string_view value) {
    if (reader_.line_is_ascii()) {
        out.assign(value);
    } else {
        detail::utf8_assign(out, value);
    }
}

action parser::set_type(std::string_view value) {
    assign_value(type_, value);
    type_is_view_ = false;
    type_size_ = value.size();
    check_event_size();
    return action::proceed;
}

action parser::set_id(std::string_view value) {
    assign_value(id_buffer_, value);
    id_source_ = id_source::owned;
    return action::proceed;
}

[[gnu::always_inline]] inline action parser::on_data(std::string_view value, std::string_view line) {
    // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)
    // character to the data buffer." The final LF is implied: data_ holds the buffer without it.
    // The usual event's one data line, lying in the caller's input, is kept as a view.
    if (has_data_ || !reader_.line_in_input()) return append_data(value, line);
    data_ascii_ = reader_.line_is_ascii();
    has_data_ = true;
    data_size_ = value.size() + 1;
    data_view_ = value;
    data_is_view_ = true;
    check_event_size();
    return action::proceed;
}

// on_data() for a first data line in the reader's buffer, or a second or later data line.
[[gnu::cold, gnu::noinline]] action parser::append_data(std::string_view value, std::string_view line) {
    data_ascii_ &= reader_.line_is_ascii();
    if (!has_data_) {
        has_data_ = true;
        data_size_ = value.size() + 1;
        // The line sits in the reader's buffer: take that buffer instead of copying it.
        // The value is a suffix of the line (empty for a bare "data" line).
        data_offset_ = line.size() - value.size();
        reader_.take_line(data_);
        check_event_size();
        return action::proceed;
    }
    if (data_is_view_) own_data();
    data_size_ += value.size() + 1;
    if (!check_event_size()) return action::proceed;
    data_.push_back('\n');
    data_.append(value);
    return action::proceed;
}

action parser::dispatch() {
    // 9.2.6 "dispatch the event", step 1: "Set the last event ID string of the event source to
    // the value of the last event ID buffer. The buffer does not get reset, so the last event ID
    // string of the event source remains set to this value until the next time it is set by the
    // server."
    if (id_source_ == id_source::view) {
        // The id lies in the caller's input: so does the last event ID string, until feed()
        // returns (it copies the last one), so a run of events with ids copies no id.
        last_id_view_ = id_view_;
        last_id_is_view_ = true;
        id_source_ = id_source::last_id;  // equal now, until the next id field
    } else if (id_source_ == id_source::owned) {
        // A swap, not a copy: from here on the buffer is the last event ID string (id_source_
        // says so), so what id_buffer_ holds no longer matters.
        last_id_.swap(id_buffer_);
        last_id_is_view_ = false;
        id_source_ = id_source::last_id;
    }

    // Step 2: "If the data buffer is an empty string, set the data buffer and the event type
    // buffer to the empty string and return."
    if (!has_data_) {
        clear_event();
        return action::proceed;
    }

    // Step 3: "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
    // remove the last character from the data buffer." (data_ never holds that LF.)
    std::string_view data =
        data_is_view_ ? data_view_ : data_.view().substr(data_offset_);
    if (!data_ascii_ && !detail::utf8_is_valid(data)) {
        scratch_.clear();
        detail::utf8_append_repaired(data, scratch_);
        data = scratch_;
    }

    // Steps 5-6: the event's type is the event type buffer, or "message" when it is empty; its
    // lastEventId is the last event ID string.
    const std::string_view type = type_is_view_ ? type_view_ : std::string_view(type_);
    const event e{type.empty() ? default_type : type, data, last_event_id()};
    const action a = handler_->on_event(e);

    // Step 7: "Set the data buffer and the event type buffer to the empty string."
    clear_event();
    return a;
}

bool parser::check_event_size() {
    if (data_size_ + type_size_ <= limits_.max_event_size) return true;
    error_ = errc::event_too_large;
    clear_event();
    return false;
}

void parser::own_data() {
    data_offset_ = 0;
    data_.assign(data_view_);
    data_view_ = {};
    data_is_view_ = false;
}

void parser::clear_event() {
    data_.clear();
    reader_.recycle(data_);
    data_offset_ = 0;
    data_ascii_ = true;
    data_view_ = {};
    has_data_ = false;
    data_is_view_ = false;
    data_size_ = 0;
    type_size_ = 0;
    type_.clear();
    type_view_ = {};
    type_is_view_ = false;
}

}  // namespace sse
