#include "sse/conformance/registry.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace sse::conformance {

namespace {

// `target/section/n`: at least two slashes, lower-case ASCII, digits, '-', '_', '.' and '/'.
bool is_valid_id(std::string_view id) {
    if (id.empty() || id.front() == '/' || id.back() == '/') return false;
    int slashes = 0;
    for (char c : id) {
        if (c == '/') {
            ++slashes;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                     c == '.')) {
            return false;
        }
    }
    return slashes >= 2 && id.find("//") == std::string_view::npos;
}

}  // namespace

void registry::add(test_case c) {
    if (!is_valid_id(c.id))
        throw std::invalid_argument("conformance case id '" + c.id +
                                    "' is not of the form target/section/n (lower case)");
    if (find(c.id) != nullptr)
        throw std::invalid_argument("conformance case id '" + c.id + "' registered twice");
    if (!c.profile.empty()) {
        if (c.target != target::server || c.id.rfind(c.profile + "/", 0) != 0)
            throw std::invalid_argument("conformance case id '" + c.id + "' of profile '" + c.profile +
                                        "' must be a server case starting with '" + c.profile + "/'");
    } else if (to_string(c.target) != c.id.substr(0, c.id.find('/')))
        throw std::invalid_argument("conformance case id '" + c.id + "' must start with its target '" +
                                    std::string(to_string(c.target)) + "/'");
    if (!c.run) throw std::invalid_argument("conformance case '" + c.id + "' has no run function");
    cases_.push_back(std::move(c));
}

void registry::add(mode m) {
    if (find_mode(m.name) != nullptr)
        throw std::invalid_argument("conformance mode '" + m.name + "' registered twice");
    if (!m.open) throw std::invalid_argument("conformance mode '" + m.name + "' has no open function");
    modes_.push_back(std::move(m));
}

std::vector<std::string> registry::profiles() const {
    std::vector<std::string> out;
    for (const auto& c : cases_) {
        if (!c.profile.empty() && std::find(out.begin(), out.end(), c.profile) == out.end()) out.push_back(c.profile);
    }
    return out;
}

const test_case* registry::find(std::string_view id) const noexcept {
    for (const auto& c : cases_) {
        if (c.id == id) return &c;
    }
    return nullptr;
}

const mode* registry::find_mode(std::string_view name) const noexcept {
    for (const auto& m : modes_) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

bool glob_match(std::string_view pattern, std::string_view text) noexcept {
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace sse::conformance
