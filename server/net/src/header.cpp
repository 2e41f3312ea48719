#include "sse/net/header.hpp"

namespace sse::net {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos)
            return false;
    }
    return true;
}

bool is_field_value(std::string_view s) noexcept {
    for (unsigned char c : s)
        if (c == '\r' || c == '\n' || c == 0) return false;
    return true;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

const std::string* find_header(const header_list& h, std::string_view name) noexcept {
    for (const auto& [n, v] : h)
        if (iequals(n, name)) return &v;
    return nullptr;
}

std::size_t remove_header(header_list& h, std::string_view name) {
    return std::erase_if(h, [&](const auto& f) { return iequals(f.first, name); });
}

bool parse_header_line(std::string_view line, std::pair<std::string, std::string>& out, std::string& error) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        // The line is not echoed: it may hold a secret.
        error = "expected 'Name: value' (no colon)";
        return false;
    }
    const auto name = line.substr(0, colon);
    if (!is_token(name)) {
        // Appended piece by piece: GCC 12 -O3 warns falsely on "'" + std::string(...) (-Wrestrict,
        // GCC bug 105651).
        error.assign(1, '\'').append(name.substr(0, 40)).append("' is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
        return false;
    }
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (!is_field_value(value)) {
        error.assign("the value of header '").append(name).append("' contains CR, LF or NUL");
        return false;
    }
    out = {std::string(name), std::string(value)};
    return true;
}

}  // namespace sse::net
