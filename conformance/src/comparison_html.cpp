// The comparison as one self-contained HTML file (inline CSS, no script): a column per target, a
// row per case grouped by section, each cell coloured by outcome with its message as a tooltip and,
// for a fail or warning, the details (expected, actual, raw bytes) one click away. The layout
// follows Autobahn|Testsuite's agent comparison: summary rows on top, then the case matrix.

#include "comparison.hpp"
#include "markup.hpp"
#include "sse/conformance/reporter.hpp"

namespace sse::conformance {

namespace {

std::string html(std::string_view s) { return escape_markup(s, /*keep_cr=*/false); }

constexpr const char* style = R"(
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:21px}
header .meta{color:#c3c9d5;font-size:13px}
main{padding:18px 28px}
table{border-collapse:collapse;background:#fff;border:1px solid #dde1e8}
th,td{padding:5px 9px;border:1px solid #e6e9ef;vertical-align:top;text-align:left}
thead th{background:#fafbfc;position:sticky;top:0}
th.t{min-width:90px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
tr.sec th{background:#eef1f6;font-size:13px}
td.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
td.lvl{font-size:11px;color:#6b7385}
td.d{color:#3b4253;max-width:420px}
td.c{font-size:12px;font-weight:600;text-align:center;min-width:80px}
.pass{background:#dff3e4;color:#17692e}.fail{background:#fbe0e0;color:#a11a1a}
.warning{background:#fdf0d5;color:#8a5a00}.info{background:#e0eefb;color:#1d5a94}
.skipped,.none{background:#eceef2;color:#5b6273}.unreachable{background:#3b4253;color:#fff}
.unexpected{outline:2px solid #a11a1a}
details{text-align:left;font-weight:normal;margin-top:4px}
summary{cursor:pointer;color:#1d5a94}
pre{background:#f3f4f7;border:1px solid #e1e4ea;padding:6px;max-width:520px;max-height:280px;overflow:auto;
white-space:pre-wrap;word-break:break-all;font-size:11px;color:#1d2330}
.targets td{font-size:13px}
code{font-size:12px}
)";

void write_cell(std::ostream& out, const target_result& t, const test_case& spec) {
    if (!t.reachable()) {
        out << "<td class=\"c unreachable\" title=\"" << html(t.error) << "\">unreachable</td>";
        return;
    }
    const case_result* r = t.find(spec.id);
    if (r == nullptr) {
        out << "<td class=\"c none\" title=\"not run for this target\">–</td>";
        return;
    }
    const std::string g(to_string(r->grade));
    std::string tip = r->outcome.message;
    if (r->expectation)
        tip += std::string(tip.empty() ? "" : "\n") + "expected outcome: " + std::string(to_string(r->expectation->expected)) +
               " (" + r->expectation->reason + ")" + (r->expectation->matched ? "" : ": does not match");
    const bool unexpected = r->expectation && !r->expectation->matched;
    out << "<td class=\"c " << g << (unexpected ? " unexpected" : "") << "\" title=\"" << html(tip.substr(0, 600))
        << "\">" << g;
    if (r->grade == verdict::fail || r->grade == verdict::warning) {
        out << "<details><summary>details</summary><pre>" << html(r->outcome.message);
        if (!r->outcome.expected.empty()) out << "\n\nexpected:\n" << html(r->outcome.expected);
        if (!r->outcome.actual.empty()) out << "\n\nactual:\n" << html(r->outcome.actual);
        if (!r->outcome.counterexample.empty()) out << "\n\ncounterexample:\n" << html(r->outcome.counterexample);
        if (!r->outcome.repro.empty()) out << "\n\nreproduce: " << html(r->outcome.repro);
        out << "</pre>";
        if (!r->outcome.raw.empty())
            out << "<pre>" << html(escape_bytes(r->outcome.raw, 2048)) << "</pre><pre>" << html(hex_dump(r->outcome.raw, 512))
                << "</pre>";
        out << "</details>";
    }
    out << "</td>";
}

}  // namespace

void write_comparison_html(std::ostream& out, const comparison& c) {
    const std::size_t columns = 3 + c.targets.size();
    out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
           "<title>sse-conformance comparison</title><style>"
        << style << "</style></head><body>\n";
    out << "<header><h1>sse-conformance: " << c.targets.size() << " servers compared</h1><div class=\"meta\">started "
        << html(c.started_at) << " · seed " << c.seed << " · the same cases against each target</div></header><main>\n";

    out << "<table class=\"targets\"><thead><tr><th>target</th><th>verdict</th><th>URL and request</th>"
           "<th>rerun alone</th></tr></thead>\n";
    for (const auto& t : c.targets) {
        const std::string v = !t.reachable() ? "unreachable" : t.run.exit_status() == 0 ? "pass" : "fail";
        out << "<tr><th class=\"t\">" << html(t.name) << "</th><td class=\"c " << v << "\">" << v << "</td><td>"
            << html(t.reachable() ? t.run.target : t.url + ": " + t.error) << "</td><td><code>" << html(t.repro)
            << "</code></td></tr>\n";
    }
    out << "</table><p></p>\n";

    out << "<table><thead><tr><th>case</th><th>level</th><th>description</th>";
    for (const auto& t : c.targets) out << "<th class=\"t\">" << html(t.name) << "</th>";
    out << "</tr>\n";
    for (auto v : {verdict::pass, verdict::fail, verdict::warning, verdict::info, verdict::skipped}) {
        out << "<tr><th colspan=\"3\">" << to_string(v) << "</th>";
        for (const auto& t : c.targets) {
            if (t.reachable()) out << "<td class=\"c " << to_string(v) << "\">" << t.run.count(v) << "</td>";
            else out << "<td class=\"c unreachable\">–</td>";
        }
        out << "</tr>\n";
    }
    out << "</thead><tbody>\n";
    std::string section;
    for (const auto* spec : c.rows()) {
        if (spec->section() != section) {
            section = std::string(spec->section());
            out << "<tr class=\"sec\"><th colspan=\"" << columns << "\">" << html(section) << "</th></tr>\n";
        }
        out << "<tr><td class=\"id\">" << html(spec->id) << "</td><td class=\"lvl\">" << to_string(spec->level)
            << "</td><td class=\"d\" title=\"" << html(spec->requirement) << "\">" << html(spec->description) << "</td>";
        for (const auto& t : c.targets) write_cell(out, t, *spec);
        out << "</tr>\n";
    }
    out << "</tbody></table></main></body></html>\n";
}

}  // namespace sse::conformance
