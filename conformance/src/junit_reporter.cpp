#include <algorithm>
#include <map>
#include <vector>

#include "comparison.hpp"
#include "markup.hpp"
#include "sse/conformance/reporter.hpp"

namespace sse::conformance {

namespace {

std::string xml(std::string_view s) { return escape_markup(s, /*keep_cr=*/true); }

// A target name as one part of a dotted JUnit classname: "http1.1" would read as two packages.
std::string class_part(std::string name) {
    std::replace(name.begin(), name.end(), '.', '_');
    return name;
}

std::string seconds(std::uint64_t ms) {
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + std::to_string(ms % 100 / 10) +
           std::to_string(ms % 10);
}

// A case's <failure>, <skipped> or <system-out> (nothing for a pass that matched).
void write_outcome(std::ostream& out, const case_result& r) {
    std::string detail = r.spec->description + "\nrequirement: " + r.spec->requirement + "\n" +
                         r.outcome.message;
    if (!r.outcome.expected.empty()) detail += "\nexpected:\n" + r.outcome.expected;
    if (!r.outcome.actual.empty()) detail += "\nactual:\n" + r.outcome.actual;
    if (!r.outcome.counterexample.empty()) detail += "\ncounterexample:\n" + r.outcome.counterexample;
    if (!r.outcome.repro.empty()) detail += "\nreproduce: " + r.outcome.repro;
    if (!r.outcome.raw.empty()) detail += "\nraw bytes:\n" + hex_dump(r.outcome.raw, 2048);
    if (r.expectation) detail += "\nexpected outcome: " + std::string(to_string(r.expectation->expected)) +
                                  " (" + r.expectation->reason + ")";
    if (r.is_blocking()) {
        out << "      <failure type=\"" << to_string(r.grade) << "\" message=\""
            << xml(r.outcome.message.substr(0, r.outcome.message.find('\n'))) << "\">" << xml(detail)
            << "</failure>\n";
    } else if (r.grade == verdict::skipped) {
        out << "      <skipped message=\"" << xml(r.outcome.message) << "\"/>\n";
    } else if (r.grade != verdict::pass) {
        out << "      <system-out>" << xml(std::string(to_string(r.grade)) + ": " + detail) << "</system-out>\n";
    }
}

}  // namespace

void write_junit(std::ostream& out, const run_result& run) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const case_result*>> suites;
    for (const auto& r : run.cases) {
        const std::string sec(r.spec->section());
        if (!suites.count(sec)) order.push_back(sec);
        suites[sec].push_back(&r);
    }
    auto failed = [](const case_result& r) { return r.is_blocking(); };
    std::size_t total_fail = 0, total_skip = 0;
    for (const auto& r : run.cases) {
        total_fail += failed(r) ? 1 : 0;
        total_skip += r.grade == verdict::skipped ? 1 : 0;
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"sse-conformance\" tests=\"" << run.cases.size() << "\" failures=\"" << total_fail
        << "\" skipped=\"" << total_skip << "\" time=\"" << seconds(run.elapsed_ms) << "\">\n";
    for (const auto& sec : order) {
        std::size_t f = 0, sk = 0;
        std::uint64_t ms = 0;
        for (const auto* r : suites[sec]) {
            f += failed(*r) ? 1 : 0;
            sk += r->grade == verdict::skipped ? 1 : 0;
            ms += r->outcome.elapsed_ms;
        }
        out << "  <testsuite name=\"" << xml(sec) << "\" tests=\"" << suites[sec].size() << "\" failures=\"" << f
            << "\" skipped=\"" << sk << "\" time=\"" << seconds(ms) << "\">\n";
        for (const auto* r : suites[sec]) {
            out << "    <testcase classname=\"" << xml(sec) << "\" name=\"" << xml(r->spec->id) << "\" time=\""
                << seconds(r->outcome.elapsed_ms) << "\">\n";
            write_outcome(out, *r);
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

// The comparison: one <testsuite> per target (its cases as <testcase classname="TARGET.section">,
// dots in TARGET made underscores);
// an unreachable target is a suite of one errored case, so the other targets still report.
void write_comparison_junit(std::ostream& out, const comparison& c) {
    std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    for (const auto& t : c.targets) {
        if (!t.reachable()) {
            ++tests;
            ++errors;
            continue;
        }
        tests += t.run.cases.size();
        for (const auto& r : t.run.cases) {
            failures += r.is_blocking() ? 1 : 0;
            skipped += r.grade == verdict::skipped ? 1 : 0;
        }
    }
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << "<testsuites name=\"sse-conformance comparison\" tests=\"" << tests << "\" failures=\"" << failures
        << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\">\n";
    for (const auto& t : c.targets) {
        if (!t.reachable()) {
            out << "  <testsuite name=\"" << xml(t.name) << "\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n"
                << "    <testcase classname=\"" << xml(class_part(t.name)) << "\" name=\"reachable\">\n"
                << "      <error type=\"unreachable\" message=\"" << xml(t.error) << "\">" << xml(t.url + ": " + t.error)
                << "</error>\n    </testcase>\n  </testsuite>\n";
            continue;
        }
        std::size_t f = 0, sk = 0;
        for (const auto& r : t.run.cases) {
            f += r.is_blocking() ? 1 : 0;
            sk += r.grade == verdict::skipped ? 1 : 0;
        }
        out << "  <testsuite name=\"" << xml(t.name) << "\" tests=\"" << t.run.cases.size() << "\" failures=\"" << f
            << "\" skipped=\"" << sk << "\" time=\"" << seconds(t.run.elapsed_ms) << "\">\n";
        out << "    <properties><property name=\"url\" value=\"" << xml(t.url) << "\"/><property name=\"reproduce\" value=\""
            << xml(t.repro) << "\"/></properties>\n";
        for (const auto& r : t.run.cases) {
            out << "    <testcase classname=\"" << xml(class_part(t.name) + "." + std::string(r.spec->section())) << "\" name=\""
                << xml(r.spec->id) << "\" time=\"" << seconds(r.outcome.elapsed_ms) << "\">\n";
            write_outcome(out, r);
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

}  // namespace sse::conformance
