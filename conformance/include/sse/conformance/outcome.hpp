// sse::conformance::outcome: the graded result of running one case.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sse::conformance {

/// How a case ended. Graded like h2spec / Autobahn: a SHOULD miss is a warning unless --strict.
enum class verdict : std::uint8_t {
    pass,     ///< the requirement holds
    fail,     ///< a MUST (or, with --strict, a SHOULD) does not hold
    warning,  ///< a SHOULD does not hold (non-strict), or something suspicious but allowed
    info,     ///< informational: what the target does, no grade
    skipped,  ///< not run: the target offers no way to check it (reason says why)
};

/// "pass", "fail", "warning", "info", "skipped" (static storage).
constexpr std::string_view to_string(verdict v) noexcept {
    switch (v) {
    case verdict::pass: return "pass";
    case verdict::fail: return "fail";
    case verdict::warning: return "warning";
    case verdict::info: return "info";
    case verdict::skipped: return "skipped";
    }
    return "unknown";
}

/// The verdict named `name` (exactly as to_string spells it), or nullopt.
std::optional<verdict> parse_verdict(std::string_view name) noexcept;

/// What a case found. Owns all its data.
struct outcome {
    verdict result = verdict::pass;
    /// One line: what was found ("Content-Type was text/plain"), or the skip reason.
    std::string message;
    /// For fail/warning: what the requirement asks for, and what the target did.
    std::string expected;
    std::string actual;
    /// The raw bytes received that show the problem (head and/or body, as received), if any.
    std::string raw;
    /// Property cases: the seed, the shrunk counterexample, and a shell command that reruns
    /// exactly this case with this seed.
    std::optional<std::uint64_t> seed;
    std::string counterexample;
    std::string repro;
    /// Wall time the case took, in milliseconds (filled in by the runner).
    std::uint64_t elapsed_ms = 0;
    /// What the case measured of the target, by name (`head_ms`, `latency_p99_ms`, ...; the name
    /// says the unit), in the order measured; reported in the JSON as `metrics`.
    std::vector<std::pair<std::string, std::int64_t>> metrics;

    static outcome passed(std::string message = {});
    static outcome failed(std::string message, std::string expected, std::string actual,
                          std::string raw = {});
    static outcome warned(std::string message, std::string expected = {}, std::string actual = {},
                          std::string raw = {});
    static outcome informational(std::string message);
    static outcome skipped_because(std::string reason);
};

}  // namespace sse::conformance
