#include "property.hpp"

#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <rapidcheck/detail/Configuration.h>

#include "generators.hpp"
#include "trial.hpp"

namespace sse::conformance::client {
namespace {

class quiet_listener : public rc::detail::TestListener {
public:
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
};

std::string bodies(const scenario& s) {
    std::string raw;
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        raw += "--- response " + std::to_string(i + 1) + " (status " + std::to_string(s.steps[i].status) + ")\n";
        for (const auto& c : s.steps[i].chunks) raw += c;
        raw += "\n";
    }
    return raw.size() > 64 * 1024 ? raw.substr(0, 64 * 1024) : raw;
}

std::string repro(const context& ctx, std::string_view case_id, std::uint64_t seed) {
    std::string prefix = ctx.options.repro_prefix.empty() ? "sse-conformance client ..." : ctx.options.repro_prefix;
    return prefix + " --case " + std::string(case_id) + " --seed " + std::to_string(seed);
}

}  // namespace

client_session& session_of(context& ctx) {
    auto* s = dynamic_cast<client_session*>(ctx.session);
    if (!s) throw std::logic_error("a client case ran without the client mode's session");
    return *s;
}

outcome run_property(context& ctx, std::string_view case_id, const rc::Gen<scenario>& gen) {
    using clock = std::chrono::steady_clock;
    client_session& session = session_of(ctx);
    // RapidCheck prints "Using configuration: seed=..." (its own, unrelated seed) to stderr the
    // first time it reads RC_PARAMS; read it once with stderr muted, as the core's properties do.
    static const bool configured = [] {
        auto* saved = std::cerr.rdbuf(nullptr);
        (void)rc::detail::configuration();
        std::cerr.rdbuf(saved);
        return true;
    }();
    (void)configured;
    rc::detail::TestParams params;
    params.seed = ctx.seed;
    params.maxSuccess = int(std::max<std::uint64_t>(1, std::min<std::uint64_t>(ctx.options.max_success, 100000)));
    params.maxSize = 100;

    std::optional<trial_report> smallest;
    std::optional<scenario> smallest_scenario;
    std::optional<std::string> service_error;
    int trials = 0;
    int shrink_trials = 0;
    clock::time_point shrink_deadline{};
    quiet_listener listener;
    auto result = rc::detail::checkProperty(
        rc::detail::toProperty([&] {
            const scenario s = *gen;
            if (service_error) return;  // stop quickly: the report names the service's error
            if (smallest) {
                // Shrinking: each trial drives a real client, so bound the effort. Passing once
                // the budget is spent makes RapidCheck reject the remaining shrinks fast.
                if (++shrink_trials > 200 || clock::now() > shrink_deadline) return;
            }
            ++trials;
            trial_report t;
            try {
                t = run_trial(session, s, case_id, ctx.options.timeout);
            } catch (const std::exception& e) {
                service_error = e.what();
                return;
            }
            ctx.log(std::string(case_id) + " trial " + std::to_string(trials) + (t.ok ? ": ok" : ": " + t.message));
            if (!t.ok) {
                if (!smallest) shrink_deadline = clock::now() + std::chrono::seconds(60);
                smallest = t;
                smallest_scenario = s;
                RC_FAIL(t.message);
            }
        }),
        rc::detail::TestMetadata{std::string(case_id), std::string(case_id)}, params, listener);
    if (service_error) throw std::runtime_error(*service_error);

    rc::detail::FailureResult failure;
    if (!result.match(failure)) {
        rc::detail::GaveUpResult gave_up;
        if (result.match(gave_up)) return outcome::failed("RapidCheck gave up: " + gave_up.description, "", "");
        rc::detail::Error error("");
        if (result.match(error)) return outcome::failed("RapidCheck error: " + error.description, "", "");
        return outcome::passed(std::to_string(trials) + " generated scenarios behaved as the model says");
    }
    if (!smallest) return outcome::failed("property failed: " + failure.description, "", "");
    std::ostringstream shown;
    showValue(*smallest_scenario, shown);
    outcome o = outcome::failed(smallest->message, smallest->expected, smallest->actual, bodies(*smallest_scenario));
    o.seed = ctx.seed;
    o.counterexample = "scenario (after " + std::to_string(failure.numSuccess) + " passing):" + shown.str();
    o.repro = repro(ctx, case_id, ctx.seed);
    return o;
}

outcome run_fixed(context& ctx, std::string_view case_id, const scenario& s) {
    trial_report t = run_trial(session_of(ctx), s, case_id, ctx.options.timeout);
    if (t.ok) return outcome::passed();
    std::ostringstream shown;
    showValue(s, shown);
    outcome o = outcome::failed(t.message, t.expected, t.actual, bodies(s));
    o.counterexample = "scenario:" + shown.str();
    return o;
}

}  // namespace sse::conformance::client
