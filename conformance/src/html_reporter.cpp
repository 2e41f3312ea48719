// The HTML report: one self-contained file (inline CSS, no script), readable without a server.
#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "markup.hpp"
#include "sse/conformance/reporter.hpp"

namespace sse::conformance {

namespace {

std::string html(std::string_view s) { return escape_markup(s, /*keep_cr=*/false); }

constexpr const char* style = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header .meta{color:#c3c9d5;font-size:13px}
main{padding:20px 32px;max-width:1200px}
.verdict{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:600;margin-right:10px}
.summary{display:flex;gap:12px;margin:10px 0 24px;flex-wrap:wrap}
.summary div{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:10px 18px;min-width:90px}
.summary b{display:block;font-size:24px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin-bottom:18px}
section h2{font-size:16px;margin:0;padding:10px 16px;border-bottom:1px solid #e6e9ef;background:#fafbfc;border-radius:6px 6px 0 0}
section h2 small{font-weight:normal;color:#6b7385;margin-left:8px}
table{border-collapse:collapse;width:100%}
td{padding:7px 16px;border-top:1px solid #eef0f4;vertical-align:top}
tr:first-child td{border-top:0}
td.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;white-space:nowrap}
td.lvl{font-size:12px;color:#6b7385;white-space:nowrap}
td.msg{color:#3b4253}
.b{display:inline-block;min-width:62px;text-align:center;padding:2px 6px;border-radius:4px;font-size:12px;font-weight:600}
.pass{background:#dff3e4;color:#17692e}.fail{background:#fbe0e0;color:#a11a1a}
.warning{background:#fdf0d5;color:#8a5a00}.info{background:#e0eefb;color:#1d5a94}.skipped{background:#eceef2;color:#5b6273}
details{margin-top:6px}
summary{cursor:pointer;color:#1d5a94}
.req{color:#6b7385;font-size:13px;margin-top:2px}
pre{background:#f3f4f7;border:1px solid #e1e4ea;border-radius:4px;padding:8px 10px;overflow:auto;font-size:12px;max-height:360px;white-space:pre-wrap;word-break:break-all}
.kv{display:grid;grid-template-columns:130px 1fr;gap:4px 12px;margin-top:6px;font-size:13px}
.kv>div:nth-child(odd){color:#6b7385}
.unexpected{color:#a11a1a;font-weight:600}
)";

void write_case(std::ostream& out, const case_result& r) {
    const std::string g(to_string(r.grade));
    out << "<tr><td><span class=\"b " << g << "\">" << g << "</span></td><td class=\"id\">" << html(r.spec->id)
        << "</td><td class=\"lvl\">" << to_string(r.spec->level) << (r.spec->active ? " · active" : "")
        << "</td><td class=\"msg\">" << html(r.spec->description);
    if (!r.outcome.message.empty()) out << "<div class=\"req\">" << html(r.outcome.message.substr(0, 300)) << "</div>";
    if (r.expectation)
        out << "<div class=\"req" << (r.expectation->matched ? "" : " unexpected") << "\">expected outcome: "
            << to_string(r.expectation->expected) << " (" << html(r.expectation->reason) << ")"
            << (r.expectation->matched ? "" : " — does not match") << "</div>";
    const bool detail = r.grade == verdict::fail || r.grade == verdict::warning || !r.outcome.raw.empty() ||
                        !r.outcome.counterexample.empty();
    if (detail) {
        out << "<details" << (r.grade == verdict::fail ? " open" : "") << "><summary>details</summary>";
        out << "<div class=\"kv\"><div>requirement</div><div>" << html(r.spec->requirement) << "</div>";
        if (r.outcome.seed) out << "<div>seed</div><div><code>" << *r.outcome.seed << "</code></div>";
        if (!r.outcome.repro.empty()) out << "<div>reproduce</div><div><code>" << html(r.outcome.repro) << "</code></div>";
        out << "<div>time</div><div>" << r.outcome.elapsed_ms << " ms</div></div>";
        if (!r.outcome.expected.empty()) out << "<div class=\"req\">expected</div><pre>" << html(r.outcome.expected) << "</pre>";
        if (!r.outcome.actual.empty()) out << "<div class=\"req\">actual</div><pre>" << html(r.outcome.actual) << "</pre>";
        if (!r.outcome.counterexample.empty())
            out << "<div class=\"req\">counterexample (shrunk)</div><pre>" << html(r.outcome.counterexample) << "</pre>";
        if (!r.outcome.raw.empty()) {
            out << "<div class=\"req\">raw bytes received (" << r.outcome.raw.size() << "), as text</div><pre>"
                << html(escape_bytes(r.outcome.raw, 8192)) << "</pre>";
            out << "<div class=\"req\">as hex</div><pre>" << html(hex_dump(r.outcome.raw, 2048)) << "</pre>";
        }
        out << "</details>";
    } else {
        out << "<div class=\"req\">" << html(r.spec->requirement) << "</div>";
    }
    out << "</td></tr>\n";
}

}  // namespace

void write_html(std::ostream& out, const run_result& run) {
    const bool ok = run.exit_status() == 0;
    out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
           "<title>sse-conformance report</title><style>" << style << "</style></head><body>\n";
    out << "<header><h1><span class=\"verdict " << (ok ? "pass" : "fail") << "\">" << (ok ? "PASS" : "FAIL")
        << "</span>sse-conformance: " << html(run.mode) << " report</h1><div class=\"meta\">" << html(run.target)
        << "<br>started " << html(run.started_at) << " · " << run.elapsed_ms << " ms · seed " << run.seed
        << " · max-success " << run.max_success << (run.strict ? " · strict" : "") << "</div></header><main>\n";
    out << "<div class=\"summary\">";
    for (auto v : {verdict::pass, verdict::fail, verdict::warning, verdict::info, verdict::skipped})
        out << "<div><b>" << run.count(v) << "</b><span class=\"b " << to_string(v) << "\">" << to_string(v)
            << "</span></div>";
    if (run.unexpected() > 0) out << "<div><b class=\"unexpected\">" << run.unexpected() << "</b>unexpected</div>";
    out << "</div>\n";
    std::vector<std::string> order;
    std::map<std::string, std::vector<const case_result*>> sections;
    for (const auto& r : run.cases) {
        const std::string sec(r.spec->section());
        if (!sections.count(sec)) order.push_back(sec);
        sections[sec].push_back(&r);
    }
    for (const auto& sec : order) {
        std::map<verdict, int> n;
        for (const auto* r : sections[sec]) ++n[r->grade];
        out << "<section><h2>" << html(sec) << "<small>";
        bool first = true;
        for (const auto& [v, k] : n) {
            out << (first ? "" : " · ") << k << " " << to_string(v);
            first = false;
        }
        out << "</small></h2><table>\n";
        for (const auto* r : sections[sec]) write_case(out, *r);
        out << "</table></section>\n";
    }
    out << "</main></body></html>\n";
}

}  // namespace sse::conformance
