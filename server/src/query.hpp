// application/x-www-form-urlencoded decoding, for request targets and POST bodies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sse::server::detail {

/// The value of one hex digit, or -1 if `c` is not one. Shared by every percent-decoder here.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Decodes one form-urlencoded component: `+` is a space, `%XX` a byte. Returns std::nullopt for a
/// malformed escape (a `%` not followed by two hex digits).
std::optional<std::string> url_decode(std::string_view text);

/// Splits `a=1&b=2&a=3` into decoded (name, value) pairs, in order, keeping repeated names. Empty
/// pieces are skipped; a piece without `=` has an empty value. std::nullopt if any escape is bad.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text);

/// Splits a request target into its path and its query (without the `?`, empty if none).
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

}  // namespace sse::server::detail
