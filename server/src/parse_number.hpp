#pragma once
// The server's one decimal-number reader for flags, config values and URLs.

#include <charconv>
#include <string_view>
#include <system_error>

namespace sse::server::detail {

/// True and `out` set when all of `text` (non-empty) is one number of T's range in base 10; false
/// otherwise, `out` then unspecified. No sign for unsigned T, no spaces, no leading '+'.
template <typename T>
bool parse_number(std::string_view text, T& out) noexcept {
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, out);
    return !text.empty() && r.ec == std::errc{} && r.ptr == end;
}

}  // namespace sse::server::detail
