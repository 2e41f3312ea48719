#include <algorithm>
#include <cstdio>

#include "sse/conformance/reporter.hpp"

namespace sse::conformance {

std::string hex_dump(std::string_view bytes, std::size_t max_bytes) {
    std::string out;
    const std::size_t n = std::min(bytes.size(), max_bytes);
    char line[96];
    for (std::size_t row = 0; row < n; row += 16) {
        int k = std::snprintf(line, sizeof line, "%08zx  ", row);
        out.append(line, static_cast<std::size_t>(k));
        std::string text;
        for (std::size_t i = row; i < row + 16; ++i) {
            if (i < n) {
                const auto c = static_cast<unsigned char>(bytes[i]);
                k = std::snprintf(line, sizeof line, "%02x ", c);
                out.append(line, static_cast<std::size_t>(k));
                text += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '.';
            } else {
                out += "   ";
            }
            if (i == row + 7) out += ' ';
        }
        out += " |" + text + "|\n";
    }
    if (bytes.size() > n) out += "... " + std::to_string(bytes.size() - n) + " more bytes\n";
    return out;
}

// Length of the valid UTF-8 sequence starting at `i` (2-4), or 0 when it is not one.
static std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const std::size_t n = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 0;
    if (n == 0 || b >= 0xf5 || i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
    }
    return n;
}

// Raw bytes as readable text: line ends and controls escaped (\r, \n, \xNN), bytes that are not
// UTF-8 as \xNN, so what was on the wire is visible and the page stays valid UTF-8.
std::string escape_bytes(std::string_view raw, std::size_t max) {
    std::string out;
    const std::size_t n = std::min(raw.size(), max);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(raw[i]);
        char buf[8];
        if (c == '\n') {
            out += "\\n\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (const auto len = utf8_sequence(raw.substr(0, n), i); len > 0) {
            out.append(raw.substr(i, len));
            i += len - 1;
        } else {
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (raw.size() > max) out += "\n... " + std::to_string(raw.size() - max) + " more bytes";
    return out;
}

}  // namespace sse::conformance
