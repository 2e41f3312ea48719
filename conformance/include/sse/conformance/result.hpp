// sse::conformance::case_result / run_result: what a run produced, for the reporters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sse/conformance/outcome.hpp"
#include "sse/conformance/test_case.hpp"

namespace sse::conformance {

/// What --expect said about a case, and whether the outcome matched.
struct expectation_check {
    verdict expected = verdict::pass;
    std::string reason;  ///< why the deviation is known (from the expectations file)
    bool matched = true;
};

/// One case's result. `grade` is the outcome after the level is applied (a SHOULD miss is a
/// warning unless --strict); `outcome.result` is what the case itself returned.
struct case_result {
    const test_case* spec = nullptr;  ///< lives as long as the registry
    conformance::outcome outcome;
    verdict grade = verdict::pass;
    std::optional<expectation_check> expectation;

    /// Whether this result makes the run fail: a fail grade with no expectation of it, or an
    /// outcome that differs from its expectation.
    bool is_blocking() const noexcept;
};

/// A whole run.
struct run_result {
    std::string target;  ///< session::describe()
    std::string mode;    ///< "server", "parser", "client"
    std::uint64_t seed = 0;
    std::uint64_t max_success = 0;
    bool strict = false;
    std::string started_at;  ///< UTC, ISO 8601
    std::uint64_t elapsed_ms = 0;
    std::vector<case_result> cases;

    std::size_t count(verdict grade) const noexcept;
    /// Results that differ from --expect (unexpected failures and unexpected passes).
    std::size_t unexpected() const noexcept;
    /// 0 when nothing blocks, 1 otherwise (the tool's exit status).
    int exit_status() const noexcept;
};

}  // namespace sse::conformance
