// Request header fields as ssekit's clients hold them, and the checks that keep a user's header
// from smuggling a second header or request into the wire bytes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sse::net {

/// Header fields, in order, as ("name", "value") pairs; names keep their case.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// RFC 9110 5.6.2 token (a method or a header name): non-empty, tchar only.
bool is_token(std::string_view s) noexcept;

/// A field value that can be sent as is: no CR, LF or NUL (RFC 9110 5.5).
bool is_field_value(std::string_view s) noexcept;

/// ASCII case-insensitive equality (header names).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// The first value of header `name` in `h` (case-insensitive), or nullptr.
const std::string* find_header(const header_list& h, std::string_view name) noexcept;

/// Removes every header named `name` (case-insensitive); returns how many were removed.
std::size_t remove_header(header_list& h, std::string_view name);

/// Parses "Name: value" (curl's -H syntax: optional whitespace around the value is dropped).
/// On error returns false and sets `error` to one line naming the problem (no colon, a name that
/// is not a token, CR/LF/NUL in the value).
bool parse_header_line(std::string_view line, std::pair<std::string, std::string>& out, std::string& error);

}  // namespace sse::net
