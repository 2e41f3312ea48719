// Running a RapidCheck property inside a case: seed and size from the run, result as an outcome
// with the seed, the shrunk counterexample and a command that reproduces it.
#pragma once

#include <string_view>
#include <utility>

#include <rapidcheck.h>

#include "sse/conformance/context.hpp"
#include "sse/conformance/outcome.hpp"

namespace sse::conformance {

/// Turns a RapidCheck result into an outcome for case `case_id` (fail carries seed,
/// counterexample, repro command).
outcome property_outcome(const rc::detail::TestResult& result, const context& ctx,
                         std::string_view case_id);

/// The RapidCheck parameters for this case: ctx.seed, ctx.options.max_success, `max_size`.
rc::detail::TestParams property_params(const context& ctx, int max_size);

/// A listener that prints nothing (the report says it all).
class quiet_listener : public rc::detail::TestListener {
public:
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

/// Checks `testable` (a RapidCheck property: a callable using *rc::gen and RC_ASSERT) with the
/// run's seed and size.
template <class Testable>
outcome check_property(const context& ctx, std::string_view case_id, Testable&& testable,
                       int max_size = 30) {
    quiet_listener quiet;
    rc::detail::TestMetadata meta{std::string(case_id), std::string(case_id)};
    const auto result = rc::detail::checkProperty(
        rc::detail::toProperty(std::forward<Testable>(testable)), meta,
        property_params(ctx, max_size), quiet);
    return property_outcome(result, ctx, case_id);
}

}  // namespace sse::conformance
