#include "sse/detail/utf8.hpp"

namespace sse::detail {
namespace {

// One step of the WHATWG UTF-8 decoder (Encoding standard, 4.1 "UTF-8 decoder"): given the lead
// byte at s[i], returns the length of the well-formed sequence there, or 0 when s[i] starts an
// ill-formed subsequence; then `bad` is that subsequence's length (at least 1), which decodes to
// exactly one U+FFFD.
std::size_t sequence_length(std::string_view s, std::size_t i, std::size_t& bad) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    std::size_t needed;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        needed = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        needed = 2;
        if (lead == 0xE0) lower = 0xA0;  // no overlong forms
        if (lead == 0xED) upper = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        needed = 3;
        if (lead == 0xF0) lower = 0x90;  // no overlong forms
        if (lead == 0xF4) upper = 0x8F;  // nothing above U+10FFFF
    } else {
        bad = 1;
        return 0;
    }
    std::size_t k = 1;
    for (; k <= needed; ++k) {
        if (i + k >= s.size()) break;
        const unsigned char b = byte(i + k);
        if (b < lower || b > upper) break;
        lower = 0x80;
        upper = 0xBF;
    }
    if (k > needed) return needed + 1;
    bad = k;  // the lead plus the continuation bytes that were acceptable so far
    return 0;
}

}  // namespace

std::size_t utf8_valid_prefix_slow(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        i += ascii_prefix(s.data() + i, s.data() + s.size());
        if (i == s.size()) break;
        std::size_t bad = 0;
        const std::size_t n = sequence_length(s, i, bad);
        if (n == 0) return i;
        i += n;
    }
    return s.size();
}

void utf8_append_repaired(std::string_view s, std::string& out) {
    static constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t valid = utf8_valid_prefix_slow(s.substr(i));
        out.append(s.substr(i, valid));
        i += valid;
        if (i == s.size()) break;
        std::size_t bad = 0;
        sequence_length(s, i, bad);
        out.append(replacement);
        i += bad;
    }
}

}  // namespace sse::detail
