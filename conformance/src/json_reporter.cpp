#include <nlohmann/json.hpp>

#include "comparison.hpp"
#include "sse/conformance/reporter.hpp"

namespace sse::conformance {

namespace {

// Raw bytes as JSON: the text when it is valid UTF-8 (lossy replacement otherwise) and always hex,
// so nothing is lost.
nlohmann::json raw_json(std::string_view raw) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string h;
    h.reserve(raw.size() * 2);
    for (unsigned char c : raw) {
        h += hex[c >> 4];
        h += hex[c & 15];
    }
    return {{"hex", h}, {"size", raw.size()}};
}

}  // namespace

void write_json(std::ostream& out, const run_result& run) {
    using nlohmann::json;
    json cases = json::array();
    for (const auto& r : run.cases) {
        json c = {{"id", r.spec->id},
                  {"section", std::string(r.spec->section())},
                  {"description", r.spec->description},
                  {"requirement", r.spec->requirement},
                  {"level", to_string(r.spec->level)},
                  {"active", r.spec->active},
                  {"outcome", to_string(r.grade)},
                  {"raw_outcome", to_string(r.outcome.result)},
                  {"message", r.outcome.message},
                  {"elapsed_ms", r.outcome.elapsed_ms}};
        if (!r.outcome.expected.empty()) c["expected"] = r.outcome.expected;
        if (!r.outcome.actual.empty()) c["actual"] = r.outcome.actual;
        if (!r.outcome.raw.empty()) c["raw"] = raw_json(r.outcome.raw);
        if (r.outcome.seed) c["seed"] = *r.outcome.seed;
        if (!r.outcome.metrics.empty()) {
            c["metrics"] = json::object();
            for (const auto& [name, value] : r.outcome.metrics) c["metrics"][name] = value;
        }
        if (!r.outcome.counterexample.empty()) c["counterexample"] = r.outcome.counterexample;
        if (!r.outcome.repro.empty()) c["repro"] = r.outcome.repro;
        if (r.expectation)
            c["expectation"] = {{"outcome", to_string(r.expectation->expected)},
                                {"reason", r.expectation->reason},
                                {"matched", r.expectation->matched}};
        cases.push_back(std::move(c));
    }
    json summary = json::object();
    for (auto v : {verdict::pass, verdict::fail, verdict::warning, verdict::info, verdict::skipped})
        summary[std::string(to_string(v))] = run.count(v);
    summary["unexpected"] = run.unexpected();
    json doc = {{"tool", "sse-conformance"}, {"mode", run.mode},     {"target", run.target},
                {"seed", run.seed},          {"max_success", run.max_success}, {"strict", run.strict},
                {"started_at", run.started_at}, {"elapsed_ms", run.elapsed_ms},
                {"passed", run.exit_status() == 0}, {"summary", summary}, {"cases", cases}};
    out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

namespace {

nlohmann::json summary_json(const run_result& run) {
    nlohmann::json summary = nlohmann::json::object();
    for (auto v : {verdict::pass, verdict::fail, verdict::warning, verdict::info, verdict::skipped})
        summary[std::string(to_string(v))] = run.count(v);
    summary["unexpected"] = run.unexpected();
    return summary;
}

}  // namespace

// The comparison: a target list with each one's summary, and a row per case with each target's
// outcome (and message, when there is one).
void write_comparison_json(std::ostream& out, const comparison& c) {
    using nlohmann::json;
    json targets = json::array();
    for (const auto& t : c.targets) {
        json j = {{"name", t.name}, {"url", t.url}, {"reachable", t.reachable()}, {"repro", t.repro}};
        if (t.reachable()) {
            j["target"] = t.run.target;
            j["summary"] = summary_json(t.run);
            j["passed"] = t.run.exit_status() == 0;
            j["elapsed_ms"] = t.run.elapsed_ms;
        } else {
            j["error"] = t.error;
            j["summary"] = json::object();
            j["passed"] = false;
        }
        targets.push_back(std::move(j));
    }
    json cases = json::array();
    for (const auto* spec : c.rows()) {
        json results = json::object();
        json messages = json::object();
        for (const auto& t : c.targets) {
            results[t.name] = std::string(t.outcome_of(spec->id));
            const auto* r = t.find(spec->id);
            if (r != nullptr && !r->outcome.message.empty()) messages[t.name] = r->outcome.message;
        }
        cases.push_back({{"id", spec->id},
                         {"section", std::string(spec->section())},
                         {"description", spec->description},
                         {"requirement", spec->requirement},
                         {"level", to_string(spec->level)},
                         {"results", std::move(results)},
                         {"messages", std::move(messages)}});
    }
    json doc = {{"tool", "sse-conformance"}, {"mode", "compare"},   {"seed", c.seed},
                {"started_at", c.started_at}, {"passed", c.exit_status() == 0}, {"targets", targets},
                {"cases", cases}};
    out << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

}  // namespace sse::conformance
