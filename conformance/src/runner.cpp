#include "sse/conformance/runner.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <typeinfo>

#include "redactor.hpp"

namespace sse::conformance {

bool case_result::is_blocking() const noexcept {
    if (expectation) return !expectation->matched;
    return grade == verdict::fail;
}

std::size_t run_result::count(verdict g) const noexcept {
    std::size_t n = 0;
    for (const auto& c : cases) n += c.grade == g ? 1 : 0;
    return n;
}

std::size_t run_result::unexpected() const noexcept {
    std::size_t n = 0;
    for (const auto& c : cases) n += c.expectation && !c.expectation->matched ? 1 : 0;
    return n;
}

int run_result::exit_status() const noexcept {
    for (const auto& c : cases) {
        if (c.is_blocking()) return 1;
    }
    return 0;
}

std::vector<const test_case*> select(const registry& r, const selection& s) {
    std::vector<const test_case*> out;
    for (const auto& c : r.cases()) {
        if (c.target != s.target) continue;
        if (!c.profile.empty() && std::find(s.profiles.begin(), s.profiles.end(), c.profile) == s.profiles.end())
            continue;
        bool in = s.include.empty();
        for (const auto& g : s.include) in = in || glob_match(g, c.id);
        for (const auto& g : s.exclude) in = in && !glob_match(g, c.id);
        if (in) out.push_back(&c);
    }
    return out;
}

verdict grade(const test_case& c, const outcome& o, bool strict) noexcept {
    if (o.result != verdict::fail && o.result != verdict::warning) return o.result;
    switch (c.level) {
    case level::must: return o.result;
    case level::should: return o.result == verdict::fail && strict ? verdict::fail : verdict::warning;
    case level::info: return verdict::info;
    }
    return o.result;
}

std::uint64_t case_seed(std::uint64_t run_seed, std::string_view id) noexcept {
    // FNV-1a of the id mixed with the run seed (splitmix64 finaliser): stable across runs and
    // platforms, different per case, so one case reruns alone with the same randomness.
    std::uint64_t h = 1469598103934665603ull ^ run_seed;
    for (unsigned char c : id) h = (h ^ c) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

namespace {

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

run_result run(const std::vector<const test_case*>& cases, const run_options& options,
               session& s, const expectations* expect, reporter* progress) {
    using clock = std::chrono::steady_clock;
    // Secrets given on the command line never reach a report: every text a case returns is
    // redacted here, before a reporter sees it.
    const redactor hide(options.request);
    run_result result;
    result.target = hide.apply(s.describe());
    result.seed = options.seed;
    result.max_success = options.max_success;
    result.strict = options.strict;
    result.started_at = utc_now();
    if (!cases.empty()) result.mode = std::string(to_string(cases.front()->target));
    const auto run_start = clock::now();
    if (progress) progress->on_start(result, cases.size());

    for (std::size_t i = 0; i < cases.size(); ++i) {
        const test_case& c = *cases[i];
        if (progress) progress->on_case_start(c, i, cases.size());
        context ctx{options, &s, case_seed(options.seed, c.id), [](const std::string&) {}, {}};
        const auto start = clock::now();
        case_result r;
        r.spec = &c;
        try {
            r.outcome = c.run(ctx);
        } catch (const std::exception& e) {
            r.outcome = outcome::failed(std::string("the case threw: ") + e.what(),
                                        "the case runs to its end", e.what(), ctx.raw);
        } catch (...) {
            r.outcome = outcome::failed("the case threw an unknown exception",
                                        "the case runs to its end", "unknown exception", ctx.raw);
        }
        if (r.outcome.raw.empty() && r.outcome.result != verdict::pass) r.outcome.raw = ctx.raw;
        if (!hide.empty()) {
            for (std::string* text : {&r.outcome.message, &r.outcome.expected, &r.outcome.actual, &r.outcome.raw,
                                      &r.outcome.counterexample, &r.outcome.repro})
                *text = hide.apply(*text);
        }
        r.outcome.elapsed_ms = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count());
        r.grade = grade(c, r.outcome, options.strict);
        if (expect != nullptr) {
            if (const auto* e = expect->find(c.id)) {
                r.expectation = expectation_check{e->outcome, e->reason, e->outcome == r.grade};
            } else if (r.grade == verdict::fail) {
                r.expectation = expectation_check{verdict::pass, "not listed", false};
            }
        }
        result.cases.push_back(std::move(r));
        if (progress) progress->on_case_done(result.cases.back(), i, cases.size());
    }
    result.elapsed_ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - run_start).count());
    return result;
}

}  // namespace sse::conformance
