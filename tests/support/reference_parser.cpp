// Written from the specification text, in its order, with its names. Keep it naive: this file is
// the second opinion, and cleverness here would only copy the parser's mistakes.
#include "support/reference_parser.hpp"

#include <cstdint>
#include <vector>

namespace sse::test::reference {
namespace {

constexpr char32_t replacement = U'\uFFFD';
constexpr char32_t lf = U'\n';
constexpr char32_t cr = U'\r';

}  // namespace

std::u32string utf8_decode_without_bom(std::string_view bytes) {
    // Encoding standard, 8.1.1 "UTF-8 decoder": the state is UTF-8 code point, bytes seen, bytes
    // needed, and the lower and upper boundaries.
    std::u32string out;
    std::uint32_t code_point = 0;
    int bytes_seen = 0;
    int bytes_needed = 0;
    unsigned lower = 0x80;
    unsigned upper = 0xBF;
    std::size_t i = 0;
    while (true) {
        // "If byte is end-of-queue and UTF-8 bytes needed is not 0, set UTF-8 bytes needed to 0
        // and return error." "If byte is end-of-queue, return finished."
        if (i == bytes.size()) {
            if (bytes_needed != 0) out.push_back(replacement);
            return out;
        }
        const unsigned byte = static_cast<unsigned char>(bytes[i]);
        if (bytes_needed == 0) {
            ++i;
            if (byte <= 0x7F) {
                out.push_back(static_cast<char32_t>(byte));
            } else if (byte >= 0xC2 && byte <= 0xDF) {
                bytes_needed = 1;
                code_point = byte & 0x1F;
            } else if (byte >= 0xE0 && byte <= 0xEF) {
                if (byte == 0xE0) lower = 0xA0;
                if (byte == 0xED) upper = 0x9F;
                bytes_needed = 2;
                code_point = byte & 0xF;
            } else if (byte >= 0xF0 && byte <= 0xF4) {
                if (byte == 0xF0) lower = 0x90;
                if (byte == 0xF4) upper = 0x8F;
                bytes_needed = 3;
                code_point = byte & 0x7;
            } else {
                out.push_back(replacement);
            }
            continue;
        }
        // "If byte is not in the range UTF-8 lower boundary to UTF-8 upper boundary, inclusive":
        // reset the state, "restore byte to ioQueue" (do not advance), "return error".
        if (byte < lower || byte > upper) {
            code_point = 0;
            bytes_needed = 0;
            bytes_seen = 0;
            lower = 0x80;
            upper = 0xBF;
            out.push_back(replacement);
            continue;
        }
        ++i;
        lower = 0x80;
        upper = 0xBF;
        code_point = (code_point << 6) | (byte & 0x3F);
        ++bytes_seen;
        if (bytes_seen != bytes_needed) continue;
        out.push_back(static_cast<char32_t>(code_point));
        code_point = 0;
        bytes_needed = 0;
        bytes_seen = 0;
    }
}

std::u32string utf8_decode(std::string_view bytes) {
    // Encoding standard, "UTF-8 decode": "Let buffer be the result of peeking three bytes from
    // ioQueue ... If buffer is 0xEF 0xBB 0xBF, then read three bytes from ioQueue."
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
    return utf8_decode_without_bom(bytes);
}

std::string utf8_encode(std::u32string_view text) {
    std::string out;
    for (const char32_t c : text) {
        const auto u = static_cast<std::uint32_t>(c);
        if (u < 0x80) {
            out.push_back(static_cast<char>(u));
        } else if (u < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (u >> 6)));
            out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
        } else if (u < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (u >> 12)));
            out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (u >> 18)));
            out.push_back(static_cast<char>(0x80 | ((u >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
        }
    }
    return out;
}

namespace {

// The state 9.2.6 associates with a parsed stream, plus the event source's last event ID string.
struct stream_state {
    std::u32string data_buffer;
    std::u32string event_type_buffer;
    std::u32string last_event_id_buffer;
    std::u32string last_event_id_string;
    std::vector<record> records;
};

bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

// "interpret the field value as an integer in base ten": ssekit saturates at 2^64-1
// (docs/PROTOCOL.md), since the spec's integer is unbounded.
std::uint64_t base_ten(std::u32string_view digits) {
    constexpr std::uint64_t max = UINT64_MAX;
    std::uint64_t value = 0;
    for (const char32_t c : digits) {
        const std::uint64_t d = static_cast<std::uint64_t>(c - U'0');
        if (value > max / 10 || value * 10 > max - d) return max;
        value = value * 10 + d;
    }
    return value;
}

// "When the user agent is required to dispatch the event ..."
void dispatch_the_event(stream_state& s) {
    // 1. "Set the last event ID string of the event source to the value of the last event ID
    //    buffer."
    s.last_event_id_string = s.last_event_id_buffer;
    // 2. "If the data buffer is an empty string, set the data buffer and the event type buffer
    //    to the empty string and return."
    if (s.data_buffer.empty()) {
        s.data_buffer.clear();
        s.event_type_buffer.clear();
        return;
    }
    // 3. "If the data buffer's last character is a U+000A LINE FEED (LF) character, then remove
    //    the last character from the data buffer."
    if (s.data_buffer.back() == lf) s.data_buffer.pop_back();
    // 4.-6. "Initialize event's type attribute to "message", its data attribute to data buffer
    //    ... and its lastEventId attribute to the last event ID string of the event source. If the
    //    event type buffer has a value other than the empty string, change the type of the newly
    //    created event to equal the value of the event type buffer."
    std::u32string type = U"message";
    if (!s.event_type_buffer.empty()) type = s.event_type_buffer;
    s.records.push_back(record::make_event(utf8_encode(type), utf8_encode(s.data_buffer),
                                           utf8_encode(s.last_event_id_string)));
    // 7. "Set the data buffer and the event type buffer to the empty string."
    s.data_buffer.clear();
    s.event_type_buffer.clear();
}

// "The steps to process the field given a field name and a field value depend on the field name"
void process_the_field(stream_state& s, const std::u32string& name, const std::u32string& value) {
    if (name == U"event") {
        // "Set the event type buffer to field value."
        s.event_type_buffer = value;
    } else if (name == U"data") {
        // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)
        // character to the data buffer."
        s.data_buffer += value;
        s.data_buffer += lf;
    } else if (name == U"id") {
        // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
        // the field value. Otherwise, ignore the field."
        if (value.find(U'\0') == std::u32string::npos) s.last_event_id_buffer = value;
    } else if (name == U"retry") {
        // "If the field value consists of only ASCII digits, then interpret the field value as an
        // integer in base ten, and set the event stream's reconnection time to that integer.
        // Otherwise, ignore the field." (An empty value has no digits: ignored, as in browsers.)
        bool all_digits = !value.empty();
        for (const char32_t c : value) all_digits = all_digits && is_ascii_digit(c);
        if (all_digits) s.records.push_back(record::make_retry(base_ten(value)));
    }
    // "Otherwise: The field is ignored."
}

void process_the_line(stream_state& s, const std::u32string& line) {
    // "If the line is empty (a blank line): Dispatch the event, as defined below."
    if (line.empty()) {
        dispatch_the_event(s);
        return;
    }
    // "If the line starts with a U+003A COLON character (:): Ignore the line."
    if (line[0] == U':') return;
    // "If the line contains a U+003A COLON character (:)": the field is the part before the
    // first colon, the value the part after it, minus one leading U+0020 SPACE.
    const std::size_t colon = line.find(U':');
    if (colon != std::u32string::npos) {
        const std::u32string field = line.substr(0, colon);
        std::u32string value = line.substr(colon + 1);
        if (!value.empty() && value[0] == U' ') value.erase(0, 1);
        process_the_field(s, field, value);
        return;
    }
    // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:):
    // Process the field using the steps described below, using the whole line as the field
    // name, and the empty string as the field value."
    process_the_field(s, line, U"");
}

}  // namespace

parse_outcome parse(std::string_view bytes) {
    // "Streams must be decoded using the UTF-8 decode algorithm."
    const std::u32string text = utf8_decode(bytes);

    // "The stream must then be parsed by reading everything line by line, with a U+000D CARRIAGE
    // RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character not
    // preceded by a U+000D CARRIAGE RETURN (CR) character, and a single U+000D CARRIAGE RETURN
    // (CR) character not followed by a U+000A LINE FEED (LF) character being the ways in which a
    // line can end." The whole input is here, so a CR's next character is known (or is the end).
    std::vector<std::u32string> lines;
    std::u32string current;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c == cr) {
            lines.push_back(current);
            current.clear();
            if (i + 1 < text.size() && text[i + 1] == lf) ++i;
        } else if (c == lf) {
            lines.push_back(current);
            current.clear();
        } else {
            current.push_back(c);
        }
    }
    // `current` is an unterminated last line: "Once the end of the file is reached, any pending
    // data must be discarded."

    // "When a stream is parsed, a data buffer, an event type buffer, and a last event ID buffer
    // must be associated with it. They must be initialized to the empty string."
    stream_state s;
    // "Lines must be processed, in the order they are received"
    for (const auto& line : lines) process_the_line(s, line);

    // "(If the file ends in the middle of an event, before the final empty line, the incomplete
    // event is not dispatched.)" The buffers die with the stream; the last event ID string is
    // what the last dispatch made it.
    return {std::move(s.records), utf8_encode(s.last_event_id_string), {}};
}

}  // namespace sse::test::reference
