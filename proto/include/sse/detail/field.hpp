// detail::split_field and friends: how WHATWG HTML 9.2.6 "Interpreting an event stream" reads one
// field line. Shared by sse::parser and sse::validator so the rule is written once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>

#include "sse/error.hpp"

namespace sse::detail {

/// The four field names 9.2.6 acts on; everything else is `other` ("The field is ignored").
enum class field_kind : std::uint8_t { data, event, id, retry, other };

/// Classifies a field name. 9.2.6: "Field names must be compared literally, with no case folding
/// performed." Comparing bytes is exact: invalid UTF-8 never decodes to an ASCII name.
constexpr field_kind kind_of(std::string_view name) noexcept {
    if (name == "data") return field_kind::data;
    if (name == "event") return field_kind::event;
    if (name == "id") return field_kind::id;
    if (name == "retry") return field_kind::retry;
    return field_kind::other;
}

/// A field line split as 9.2.6 says. Both views point into the line given to split_field().
struct field {
    std::string_view name;       ///< before the first colon, or the whole line when it has none
    std::string_view value;      ///< after the first colon, minus one leading space; else empty
    field_kind kind = field_kind::other;  ///< kind_of(name)
    bool has_colon = false;      ///< the line contained a colon
    bool space_removed = false;  ///< the value started with the one space the spec removes
};

/// The field a line starts with when it starts with "data:", "id:", "event:" or "retry:":
/// the name's length and kind; else length 0.
struct known_name {
    std::size_t length = 0;
    field_kind kind = field_kind::other;
};

constexpr known_name known_prefix(std::string_view line) noexcept {
    // Byte compares rather than starts_with: GCC turns the 5- and 6-byte starts_with into calls
    // to memcmp, and this runs for nearly every line.
    const auto is = [&](std::size_t i, char c) { return line[i] == c; };
    const std::size_t n = line.size();
    if (n < 3) return {};
    switch (line[0]) {
    case 'd':
        if (n >= 5 && is(1, 'a') && is(2, 't') && is(3, 'a') && is(4, ':')) return {4, field_kind::data};
        return {};
    case 'i':
        if (is(1, 'd') && is(2, ':')) return {2, field_kind::id};
        return {};
    case 'e':
        if (n >= 6 && is(1, 'v') && is(2, 'e') && is(3, 'n') && is(4, 't') && is(5, ':')) {
            return {5, field_kind::event};
        }
        return {};
    case 'r':
        if (n >= 6 && is(1, 'e') && is(2, 't') && is(3, 'r') && is(4, 'y') && is(5, ':')) {
            return {5, field_kind::retry};
        }
        return {};
    default: return {};
    }
}

/// The value of a field line whose first `name_length` bytes are the name and whose next byte is
/// the first colon: what follows the colon, minus one leading space (split_field() quotes the
/// rule). For the parser's hot path, which learns the name from known_prefix() and needs no more.
constexpr std::string_view value_after_colon(std::string_view line, std::size_t name_length) noexcept {
    std::size_t at = name_length + 1;
    if (at < line.size() && line[at] == ' ') ++at;
    return {line.data() + at, line.size() - at};
}

/// Splits a field line: a line that is neither empty nor starts with a colon (those are a
/// dispatch and a comment, and never reach here). Never fails; views live as long as `line`.
inline field split_field(std::string_view line) noexcept {
    // 9.2.6: "If the line contains a U+003A COLON character (:): Collect the characters on the
    // line before the first U+003A COLON character (:), and let field be that string. Collect the
    // characters on the line after the first U+003A COLON character (:), and let value be that
    // string. If value starts with a U+0020 SPACE character, remove it from value."
    // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:):
    // Process the field using the steps described below, using the whole line as the field name,
    // and the empty string as the field value."
    field f;
    f.name = line;
    // Nearly every line of a real stream starts with a known name and its colon: try those
    // prefixes before searching for the colon (and comparing the name).
    const known_name known = known_prefix(line);
    std::size_t at = known.length;
    if (at == 0) {
        const void* colon = line.empty() ? nullptr : std::memchr(line.data(), ':', line.size());
        if (colon == nullptr) {
            f.kind = kind_of(line);
            return f;
        }
        at = static_cast<std::size_t>(static_cast<const char*>(colon) - line.data());
        f.kind = kind_of(line.substr(0, at));
    } else {
        f.kind = known.kind;
    }
    f.name = line.substr(0, at);
    f.value = line.substr(at + 1);
    f.has_colon = true;
    if (!f.value.empty() && f.value.front() == ' ') {
        f.value.remove_prefix(1);
        f.space_removed = true;
    }
    return f;
}

/// Whether `id` is an id a stream can set and a Last-Event-ID header can carry: errc::id_has_line_break
/// for CR or LF (a field value never holds one), else errc::id_has_nul for U+0000 (9.2.6 "If the
/// field value does not contain U+0000 NULL" ... "Otherwise, ignore the field"), else no error.
/// The one statement of the rule for the encoder, the parser's reset() and the reconnector.
inline std::error_code check_id(std::string_view id) noexcept {
    for (const char c : id) {
        if (c == '\r' || c == '\n') return errc::id_has_line_break;
    }
    for (const char c : id) {
        if (c == '\0') return errc::id_has_nul;
    }
    return {};
}

/// 9.2.6 `retry`: "If the field value consists of only ASCII digits". An empty value is not a
/// number (docs/PROTOCOL.md), so this is false for "".
constexpr bool is_ascii_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (const char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

/// The base-ten value of an all-digit string, saturating at UINT64_MAX instead of wrapping, so an
/// absurd `retry` means "wait very long", never "reconnect at once". `digits` must satisfy
/// is_ascii_digits().
constexpr std::uint64_t parse_digits_saturating(std::string_view digits) noexcept {
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t value = 0;
    for (const char c : digits) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (value > (max - d) / 10) return max;
        value = value * 10 + d;
    }
    return value;
}

}  // namespace sse::detail
