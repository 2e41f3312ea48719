#include "redactor.hpp"

#include <algorithm>

#include "sse/net/header.hpp"

namespace sse::conformance {

namespace {

constexpr std::size_t min_needle = 4;

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

// "Scheme credentials": the scheme word and the credentials, or nothing.
bool split_scheme(std::string_view value, std::string_view& scheme, std::string_view& rest) {
    const auto sp = value.find(' ');
    if (sp == std::string_view::npos || sp == 0) return false;
    scheme = value.substr(0, sp);
    rest = value.substr(sp + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return net::is_token(scheme) && !rest.empty();
}

void replace_all(std::string& s, std::string_view needle, std::string_view with) {
    for (auto at = s.find(needle); at != std::string::npos; at = s.find(needle, at + with.size()))
        s.replace(at, needle.size(), with);
}

}  // namespace

std::string redactor::mask(std::string_view name, std::string_view value) {
    if (net::iequals(name, "cookie")) {
        std::string out;
        std::size_t at = 0;
        while (at <= value.size()) {
            const auto end = std::min(value.find(';', at), value.size());
            const auto pair = value.substr(at, end - at);
            const auto eq = pair.find('=');
            if (!out.empty()) out += ";";
            out += eq == std::string_view::npos ? std::string(pair.empty() ? "" : "***")
                                                : std::string(pair.substr(0, eq + 1)) + "***";
            at = end + 1;
        }
        return out;
    }
    std::string_view scheme, rest;
    if (split_scheme(value, scheme, rest)) return std::string(scheme) + " ***";
    return "***";
}

redactor::redactor(const request_options& r) {
    auto add = [&](std::string_view name, std::string_view value) {
        const std::string n = lower(name);
        if (std::find(names_.begin(), names_.end(), n) == names_.end()) names_.push_back(n);
        const std::string m = mask(name, value);
        if (value.size() >= min_needle && value != m) needles_.emplace_back(value, m);
        std::string_view scheme, rest;
        if (n != "cookie" && split_scheme(value, scheme, rest) && rest.size() >= min_needle)
            needles_.emplace_back(rest, "***");
        if (n == "cookie") {
            for (std::size_t at = 0; at < value.size();) {
                const auto end = std::min(value.find(';', at), value.size());
                const auto pair = value.substr(at, end - at);
                if (const auto eq = pair.find('='); eq != std::string_view::npos && pair.size() - eq - 1 >= min_needle)
                    needles_.emplace_back(pair.substr(eq + 1), "***");
                at = end + 1;
            }
        }
    };
    for (const auto& [n, v] : r.headers) add(n, v);
    for (const auto& [n, v] : r.publish_headers) add(n, v);
    if (!r.cookie.empty()) add("Cookie", r.cookie);
    std::stable_sort(needles_.begin(), needles_.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string redactor::apply(std::string_view text) const {
    std::string out(text);
    if (names_.empty()) return out;
    // Header lines first: whatever the value, the line of a secret header is masked.
    for (std::size_t start = 0; start < out.size();) {
        auto end = out.find('\n', start);
        if (end == std::string::npos) end = out.size();
        const std::string_view line(out.data() + start, end - start);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos && colon > 0 &&
            std::find(names_.begin(), names_.end(), lower(line.substr(0, colon))) != names_.end()) {
            auto value = line.substr(colon + 1);
            const bool cr = !value.empty() && value.back() == '\r';
            if (cr) value.remove_suffix(1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            const std::string masked = std::string(line.substr(0, colon)) + ": " + mask(line.substr(0, colon), value) + (cr ? "\r" : "");
            out.replace(start, line.size(), masked);
            end = start + masked.size();
        }
        start = end + 1;
    }
    for (const auto& [secret, replacement] : needles_) replace_all(out, secret, replacement);
    return out;
}

}  // namespace sse::conformance
