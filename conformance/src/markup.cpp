#include "markup.hpp"

namespace sse::conformance {

std::string escape_markup(std::string_view s, bool keep_cr) {
    std::string out;
    for (unsigned char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t' && !(keep_cr && c == '\r')) {
                out += "\\x";
                out += "0123456789abcdef"[c >> 4];
                out += "0123456789abcdef"[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out;
}

}  // namespace sse::conformance
