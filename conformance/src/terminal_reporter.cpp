#include <algorithm>
#include <iomanip>
#include <map>

#include "sse/conformance/reporter.hpp"

namespace sse::conformance {

namespace {

const char* colour_of(verdict v) {
    switch (v) {
    case verdict::pass: return "\033[32m";
    case verdict::fail: return "\033[1;31m";
    case verdict::warning: return "\033[33m";
    case verdict::info: return "\033[36m";
    case verdict::skipped: return "\033[2m";
    }
    return "";
}

std::string label(verdict v) {
    std::string s(to_string(v));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
    return s;
}

void indent(std::ostream& out, std::string_view text, std::string_view pad) {
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto end = text.find('\n', start);
        const auto line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!(end == std::string_view::npos && line.empty())) out << pad << line << '\n';
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
}

}  // namespace

terminal_reporter::terminal_reporter(std::ostream& progress, int verbosity, bool colour)
    : progress_(progress), verbosity_(verbosity), colour_(colour) {}

void terminal_reporter::on_start(const run_result& run, std::size_t total) {
    if (verbosity_ <= 0) return;
    progress_ << "sse-conformance: " << total << " " << run.mode << " cases against " << run.target
              << "\n  seed " << run.seed << ", max-success " << run.max_success << (run.strict ? ", strict" : "")
              << "\n";
}

void terminal_reporter::on_case_start(const test_case& c, std::size_t index, std::size_t total) {
    if (verbosity_ <= 0) return;
    if (verbosity_ >= 2 || colour_) {
        progress_ << "[" << std::setw(3) << index + 1 << "/" << total << "] " << c.id << " ...";
        progress_ << (colour_ && verbosity_ < 2 ? "\r" : "\n") << std::flush;
    }
}

void terminal_reporter::on_case_done(const case_result& r, std::size_t index, std::size_t total) {
    if (verbosity_ <= 0) return;
    const std::string tag = label(r.grade);
    progress_ << "[" << std::setw(3) << index + 1 << "/" << total << "] ";
    if (colour_) progress_ << colour_of(r.grade);
    progress_ << std::left << std::setw(7) << tag << std::right;
    if (colour_) progress_ << "\033[0m";
    progress_ << " " << r.spec->id;
    if (r.expectation) progress_ << (r.expectation->matched ? " (as expected)" : " (UNEXPECTED)");
    if (!r.outcome.message.empty() && (verbosity_ >= 2 || r.grade != verdict::pass))
        progress_ << ": " << r.outcome.message.substr(0, r.outcome.message.find('\n'));
    if (colour_) progress_ << "\033[K";  // clear what the "..." line left
    progress_ << "\n";
    progress_.flush();
}

void terminal_reporter::summary(std::ostream& out, const run_result& run) const {
    auto paint = [&](verdict v, const std::string& s) {
        return colour_ ? std::string(colour_of(v)) + s + "\033[0m" : s;
    };
    // Details first, so the table and verdict are the last thing on screen.
    for (const auto& r : run.cases) {
        const bool show = r.grade == verdict::fail || r.grade == verdict::warning ||
                          (r.expectation && !r.expectation->matched) || (verbosity_ >= 2 && r.grade != verdict::pass);
        if (!show) continue;
        out << "\n" << paint(r.grade, label(r.grade)) << "  " << r.spec->id << "  [" << to_string(r.spec->level)
            << "] " << r.spec->description << "\n";
        out << "  requirement: " << r.spec->requirement << "\n";
        if (!r.outcome.message.empty()) indent(out, r.outcome.message, "  found:       ");
        if (r.expectation)
            out << "  expectation: " << to_string(r.expectation->expected) << " (" << r.expectation->reason << ")"
                << (r.expectation->matched ? "" : paint(verdict::fail, "  -> UNEXPECTED")) << "\n";
        if (!r.outcome.expected.empty()) {
            out << "  expected:\n";
            indent(out, r.outcome.expected, "    ");
        }
        if (!r.outcome.actual.empty()) {
            out << "  actual:\n";
            indent(out, r.outcome.actual, "    ");
        }
        if (!r.outcome.counterexample.empty()) {
            out << "  counterexample (shrunk):\n";
            indent(out, r.outcome.counterexample, "    ");
        }
        if (r.outcome.seed) out << "  seed:        " << *r.outcome.seed << "\n";
        if (!r.outcome.repro.empty()) out << "  reproduce:   " << r.outcome.repro << "\n";
        if (!r.outcome.raw.empty() && verbosity_ >= 1) {
            out << "  raw bytes received (" << r.outcome.raw.size() << "):\n";
            indent(out, escape_bytes(r.outcome.raw, verbosity_ >= 2 ? 8192 : 1024), "    | ");
        }
    }

    // Per-section table.
    std::vector<std::string> order;
    std::map<std::string, std::map<verdict, int>> sections;
    for (const auto& r : run.cases) {
        const std::string sec(r.spec->section());
        if (!sections.count(sec)) order.push_back(sec);
        ++sections[sec][r.grade];
    }
    const verdict cols[] = {verdict::pass, verdict::fail, verdict::warning, verdict::info, verdict::skipped};
    std::size_t width = 7;
    for (const auto& s : order) width = std::max(width, s.size());
    out << "\n" << std::left << std::setw(static_cast<int>(width)) << "section";
    for (auto v : cols) out << std::right << std::setw(9) << to_string(v);
    out << "\n" << std::string(width + 45, '-') << "\n";
    for (const auto& s : order) {
        out << std::left << std::setw(static_cast<int>(width)) << s;
        for (auto v : cols) {
            const int n = sections[s].count(v) ? sections[s][v] : 0;
            const std::string cell = n ? std::to_string(n) : ".";
            out << std::string(cell.size() < 9 ? 9 - cell.size() : 0, ' ') << (n ? paint(v, cell) : cell);
        }
        out << "\n";
    }
    out << std::string(width + 45, '-') << "\n" << std::left << std::setw(static_cast<int>(width)) << "total";
    for (auto v : cols) out << std::right << std::setw(9) << run.count(v);
    out << "\n\n";
    const bool ok = run.exit_status() == 0;
    out << (ok ? paint(verdict::pass, "PASS") : paint(verdict::fail, "FAIL")) << ": " << run.cases.size() << " cases, "
        << run.count(verdict::fail) << " failed, " << run.count(verdict::warning) << " warnings";
    if (run.unexpected() > 0 || std::any_of(run.cases.begin(), run.cases.end(), [](const case_result& c) { return c.expectation.has_value(); }))
        out << ", " << run.unexpected() << " differ from expectations";
    out << " (" << run.elapsed_ms << " ms; seed " << run.seed << ")\n";
}

}  // namespace sse::conformance
