#include "property.hpp"

#include <algorithm>
#include <iostream>
#include <sstream>

#include <rapidcheck/detail/Configuration.h>

namespace sse::conformance {

rc::detail::TestParams property_params(const context& ctx, int max_size) {
    // RapidCheck reads RC_PARAMS on first use and prints "Using configuration: ..." to stderr;
    // the seed that matters is ours (in the report), so load it once with stderr muted.
    static const bool loaded = [] {
        auto* saved = std::cerr.rdbuf(nullptr);
        (void)rc::detail::configuration();
        std::cerr.rdbuf(saved);
        return true;
    }();
    (void)loaded;
    rc::detail::TestParams p;
    p.seed = ctx.seed;
    p.maxSuccess = static_cast<int>(std::min<std::uint64_t>(ctx.options.max_success, 1'000'000));
    p.maxSize = max_size;
    return p;
}

outcome property_outcome(const rc::detail::TestResult& result, const context& ctx,
                         std::string_view case_id) {
    const std::string repro = ctx.options.repro_prefix + " --case '" + std::string(case_id) +
                              "' --seed " + std::to_string(ctx.options.seed) + " --max-success " +
                              std::to_string(ctx.options.max_success);
    rc::detail::SuccessResult success;
    if (result.match(success)) {
        return outcome::passed(std::to_string(success.numSuccess) + " generated cases passed");
    }
    rc::detail::FailureResult failure;
    if (result.match(failure)) {
        // RapidCheck prefixes "FILE:LINE:" on a line of its own; the report wants the message.
        if (const auto nl = failure.description.find('\n');
            nl != std::string::npos && nl > 0 && failure.description[nl - 1] == ':' &&
            failure.description.find(".cpp:") < nl)
            failure.description.erase(0, nl + 1);
        // RC_FAIL(msg) adds its own source text before the message; the message says it all.
        if (failure.description.rfind("RC_FAIL(", 0) == 0) {
            if (const auto gap = failure.description.find("\n\n"); gap != std::string::npos)
                failure.description.erase(0, gap + 2);
        }
        std::ostringstream example;
        for (const auto& [type, value] : failure.counterExample) example << type << ":\n" << value << "\n";
        outcome o = outcome::failed("property failed after " + std::to_string(failure.numSuccess) +
                                        " passing cases: " + failure.description,
                                    "every generated case holds", failure.description, ctx.raw);
        o.seed = ctx.options.seed;
        o.counterexample = example.str();
        o.repro = repro;
        return o;
    }
    rc::detail::GaveUpResult gave_up;
    if (result.match(gave_up)) {
        return outcome::skipped_because("RapidCheck gave up: " + gave_up.description);
    }
    rc::detail::Error error;
    result.match(error);
    outcome o = outcome::failed("the property could not run: " + error.description,
                                "the property runs", error.description, ctx.raw);
    o.repro = repro;
    return o;
}

}  // namespace sse::conformance
