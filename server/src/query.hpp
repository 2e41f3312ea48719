// application/x-www-form-urlencoded decoding, for request targets and POST bodies.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sse::server::detail {

/// Decodes one form-urlencoded component: `+` is a space, `%XX` a byte. Returns std::nullopt for a
/// malformed escape (a `%` not followed by two hex digits).
std::optional<std::string> url_decode(std::string_view text);

/// Splits `a=1&b=2&a=3` into decoded (name, value) pairs, in order, keeping repeated names. Empty
/// pieces are skipped; a piece without `=` has an empty value. std::nullopt if any escape is bad.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text);

/// Splits a request target into its path and its query (without the `?`, empty if none).
std::pair<std::string_view, std::string_view> split_target(std::string_view target);

}  // namespace sse::server::detail
