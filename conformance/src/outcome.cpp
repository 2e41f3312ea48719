#include "sse/conformance/outcome.hpp"

#include <utility>

#include "sse/conformance/test_case.hpp"

namespace sse::conformance {

std::optional<verdict> parse_verdict(std::string_view name) noexcept {
    for (verdict v : {verdict::pass, verdict::fail, verdict::warning, verdict::info,
                      verdict::skipped}) {
        if (to_string(v) == name) return v;
    }
    return std::nullopt;
}

outcome outcome::passed(std::string message) {
    outcome o;
    o.message = std::move(message);
    return o;
}

outcome outcome::failed(std::string message, std::string expected, std::string actual,
                        std::string raw) {
    outcome o;
    o.result = verdict::fail;
    o.message = std::move(message);
    o.expected = std::move(expected);
    o.actual = std::move(actual);
    o.raw = std::move(raw);
    return o;
}

outcome outcome::warned(std::string message, std::string expected, std::string actual,
                        std::string raw) {
    outcome o = failed(std::move(message), std::move(expected), std::move(actual), std::move(raw));
    o.result = verdict::warning;
    return o;
}

outcome outcome::informational(std::string message) {
    outcome o;
    o.result = verdict::info;
    o.message = std::move(message);
    return o;
}

outcome outcome::skipped_because(std::string reason) {
    outcome o;
    o.result = verdict::skipped;
    o.message = std::move(reason);
    return o;
}

std::string_view to_string(level l) noexcept {
    switch (l) {
    case level::must: return "MUST";
    case level::should: return "SHOULD";
    case level::info: return "INFO";
    }
    return "?";
}

std::string_view to_string(target t) noexcept {
    switch (t) {
    case target::server: return "server";
    case target::client: return "client";
    case target::parser: return "parser";
    }
    return "?";
}

std::string_view test_case::section() const noexcept {
    std::string_view v = id;
    const auto slash = v.rfind('/');
    return slash == std::string_view::npos ? v : v.substr(0, slash);
}

}  // namespace sse::conformance
