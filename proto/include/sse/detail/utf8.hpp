// UTF-8 validation and the WHATWG "UTF-8 decode" replacement rule, byte-in, byte-out.
#pragma once

#include <string>
#include <string_view>

#include "sse/detail/scan.hpp"

namespace sse::detail {

/// Length of the longest prefix of `s` that is well-formed UTF-8 (equals s.size() if all is).
std::size_t utf8_valid_prefix_slow(std::string_view s) noexcept;

/// True iff `s` is well-formed UTF-8. Fast for ASCII.
inline bool utf8_is_valid(std::string_view s) noexcept {
    const std::size_t ascii = ascii_prefix(s.data(), s.data() + s.size());
    if (ascii == s.size()) return true;
    const std::string_view rest = s.substr(ascii);
    return utf8_valid_prefix_slow(rest) == rest.size();
}

/// Appends `s` to `out` with every maximal ill-formed subsequence replaced by U+FFFD (EF BF BD),
/// exactly as the WHATWG Encoding standard's UTF-8 decoder does.
void utf8_append_repaired(std::string_view s, std::string& out);

/// Sets `out` to `s`, repaired if needed.
inline void utf8_assign(std::string& out, std::string_view s) {
    if (utf8_is_valid(s)) {
        out.assign(s);
    } else {
        out.clear();
        utf8_append_repaired(s, out);
    }
}

}  // namespace sse::detail
