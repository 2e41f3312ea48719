#include "sse/content_type.hpp"

#include <cstddef>

namespace sse {
namespace {

// MIME Sniffing 2.1: "HTTP whitespace is U+000A LF, U+000D CR, or an HTTP tab or space."
constexpr bool is_http_whitespace(char c) noexcept {
    return c == '\n' || c == '\r' || c == '\t' || c == ' ';
}

// Fetch: "HTTP tab or space is U+0009 TAB or U+0020 SPACE."
constexpr bool is_http_tab_or_space(char c) noexcept { return c == '\t' || c == ' '; }

// MIME Sniffing 2.1: "An HTTP token code point is U+0021 (!), U+0023 (#), U+0024 ($), U+0025 (%),
// U+0026 (&), U+0027 ('), U+002A (*), U+002B (+), U+002D (-), U+002E (.), U+005E (^), U+005F (_),
// U+0060 (`), U+007C (|), U+007E (~), or an ASCII alphanumeric."
constexpr bool is_token_code_point(char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (const char c : s) {
        if (!is_token_code_point(c)) return false;
    }
    return true;
}

template <typename Pred>
std::string_view trim(std::string_view s, Pred is_space) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

// Fetch "collect an HTTP quoted string" with extract-value false, starting at the '"' at `pos`:
// returns the position just past the closing quote (or the end of `s` if it is unterminated).
std::size_t skip_quoted_string(std::string_view s, std::size_t pos) noexcept {
    ++pos;  // the opening quote
    while (pos < s.size()) {
        const char c = s[pos++];
        if (c == '"') break;
        if (c == '\\') {
            // "If position is past the end of input, then append U+005C (\) to value and break."
            if (pos >= s.size()) break;
            ++pos;  // the escaped code point
        }
    }
    return pos;
}

}  // namespace

bool mime_type::has_essence(std::string_view essence) const noexcept {
    if (essence.size() != type.size() + 1 + subtype.size()) return false;
    return equals_ignoring_ascii_case(type, essence.substr(0, type.size())) &&
           essence[type.size()] == '/' &&
           equals_ignoring_ascii_case(subtype, essence.substr(type.size() + 1));
}

std::optional<mime_type> parse_mime_type(std::string_view input) noexcept {
    // 4.4 step 1: "Remove any leading and trailing HTTP whitespace from input."
    input = trim(input, is_http_whitespace);

    // Step 3: "Let type be the result of collecting a sequence of code points that are not
    // U+002F (/) from input, given position."
    const std::size_t slash = input.find('/');
    // Step 5: "If position is past the end of input, then return failure."
    if (slash == std::string_view::npos) return std::nullopt;
    // Step 4: "If type is the empty string or does not solely contain HTTP token code points,
    // then return failure."
    const std::string_view type = input.substr(0, slash);
    if (!is_token(type)) return std::nullopt;

    // Step 7: "Let subtype be the result of collecting a sequence of code points that are not
    // U+003B (;) from input, given position."
    std::string_view rest = input.substr(slash + 1);
    const std::size_t semicolon = rest.find(';');
    std::string_view subtype = rest.substr(0, semicolon);
    // Step 8: "Remove any trailing HTTP whitespace from subtype."
    while (!subtype.empty() && is_http_whitespace(subtype.back())) subtype.remove_suffix(1);
    // Step 9: "If subtype is the empty string or does not solely contain HTTP token code points,
    // then return failure."
    if (!is_token(subtype)) return std::nullopt;

    // Step 11 onwards parses parameters and never returns failure: malformed ones are skipped.
    const std::string_view parameters =
        semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
    return mime_type{type, subtype, parameters};
}

std::optional<mime_type> extract_mime_type(std::string_view content_type) noexcept {
    // Fetch "extract a MIME type": "For each value of values: Let temporaryMimeType be the result
    // of parsing value. If temporaryMimeType is failure or its essence is "*/*", then continue.
    // Set mimeType to temporaryMimeType." (The charset bookkeeping does not affect the essence.)
    std::optional<mime_type> result;
    std::size_t pos = 0;
    std::size_t start = 0;
    // "getting, decoding, and splitting": split on ',' except inside HTTP quoted strings.
    for (;;) {
        while (pos < content_type.size() && content_type[pos] != '"' && content_type[pos] != ',') {
            ++pos;
        }
        if (pos < content_type.size() && content_type[pos] == '"') {
            pos = skip_quoted_string(content_type, pos);
            if (pos < content_type.size()) continue;
        }
        // "Remove all HTTP tab or space from the start and end of temporaryValue."
        const std::string_view value =
            trim(content_type.substr(start, pos - start), is_http_tab_or_space);
        if (auto parsed = parse_mime_type(value); parsed && !parsed->has_essence("*/*")) {
            result = parsed;
        }
        if (pos >= content_type.size()) return result;
        start = ++pos;  // past the ','
    }
}

bool is_event_stream(std::string_view content_type) noexcept {
    const std::optional<mime_type> m = extract_mime_type(content_type);
    return m && m->has_essence("text/event-stream");
}

}  // namespace sse
