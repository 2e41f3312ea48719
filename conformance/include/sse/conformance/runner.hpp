// sse::conformance::runner: selects cases, runs them against a session, grades the outcomes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sse/conformance/context.hpp"
#include "sse/conformance/expectations.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/reporter.hpp"
#include "sse/conformance/result.hpp"

namespace sse::conformance {

/// Which cases run.
struct selection {
    conformance::target target = target::server;
    std::vector<std::string> include;  ///< --case globs; empty means all
    std::vector<std::string> exclude;  ///< --skip globs
    /// --profile names: their cases join the base suite (a profile case runs only when named).
    std::vector<std::string> profiles{};
};

/// The cases of `r` that `s` selects, in registration order.
std::vector<const test_case*> select(const registry& r, const selection& s);

/// Grades an outcome by the case's level: a SHOULD fail becomes a warning unless strict; an INFO
/// case's fail becomes info.
verdict grade(const test_case& c, const outcome& o, bool strict) noexcept;

/// Runs `cases` one after the other against `s`, reporting progress to `progress` (may be null),
/// and returns the graded results. Never throws for a case: an exception becomes a fail outcome
/// naming it. `expect` may be null.
run_result run(const std::vector<const test_case*>& cases, const run_options& options,
               session& s, const expectations* expect, reporter* progress);

/// The seed case `id` uses in a run with `run_seed`: stable, so `--case ID --seed S` reproduces.
std::uint64_t case_seed(std::uint64_t run_seed, std::string_view id) noexcept;

}  // namespace sse::conformance
