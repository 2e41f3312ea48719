// sse-conformance: the conformance suite for Server-Sent Events servers, clients and parsers.
#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <ctime>
#include <random>

#include "cli.hpp"
#include "comparison.hpp"
#include "embedded.hpp"
#include "sse/conformance/expectations.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/reporter.hpp"
#include "sse/conformance/runner.hpp"

using namespace sse::conformance;

namespace {

bool write_report(const std::string& file, void (*writer)(std::ostream&, const run_result&), const run_result& r) {
    if (file.empty()) return true;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (out) writer(out, r);
    if (!out) {
        std::cerr << "sse-conformance: cannot write " << file << " (check the directory exists and is writable)\n";
        return false;
    }
    return true;
}

void list_cases(const registry& reg, const command_line& cl) {
    for (const auto& c : reg.cases()) {
        if (!cl.mode.empty() && to_string(c.target) != cl.mode) continue;
        if (cl.mode.empty() && c.target != target::server && !cl.list) continue;
        bool in = cl.include.empty();
        for (const auto& g : cl.include) in = in || glob_match(g, c.id);
        for (const auto& g : cl.exclude) in = in && !glob_match(g, c.id);
        if (!in) continue;
        if (!c.profile.empty() && !cl.options.profiles.empty() &&
            std::find(cl.options.profiles.begin(), cl.options.profiles.end(), c.profile) == cl.options.profiles.end())
            continue;
        std::printf("%-28s %-6s %s%s%s\n", c.id.c_str(), std::string(to_string(c.level)).c_str(),
                    c.description.c_str(), c.active ? " [active]" : "",
                    c.profile.empty() ? "" : (" [--profile " + c.profile + "]").c_str());
    }
}

std::string repro_prefix(const char* argv0, const command_line& cl) {
    std::string p = shell_quote(argv0);
    if (cl.mode == "server") {
        p += " server " + shell_quote(cl.options.url);
        p += request_repro(cl.options.request, cl.request);  // secrets masked
        if (!cl.options.publish_url.empty()) p += " --publish " + shell_quote(cl.options.publish_url);
        if (!cl.options.publish_cmd.empty()) p += " --publish-cmd " + shell_quote(cl.options.publish_cmd);
        for (const auto& name : cl.options.profiles) p += " --profile " + shell_quote(name);
    } else if (cl.mode == "parser") {
        p += " parser --cmd " + shell_quote(cl.options.parser_cmd);
    } else if (cl.mode == "client") {
        p += " client";
        // append(), not " " + ...: GCC 12 at -O3 warns falsely (-Wrestrict, GCC bug 105329).
        for (const auto& a : cl.options.mode_args) p.append(" ").append(shell_quote(a));
    }
    if (cl.options.timeout != std::chrono::milliseconds(5000))
        p += " --timeout " + std::to_string(cl.options.timeout.count()) + "ms";
    if (cl.options.strict) p += " --strict";
    return p;
}

// A later header replaces an earlier one of the same name: a target's own -H or --header-file
// line overrides a common one (and its --publish-header a common --publish-header). -H and
// --header-file headers interleave as given; `from_option` (when given) says which came from -H,
// for the reproduction command, and loses the same entries.
void keep_last(std::vector<std::pair<std::string, std::string>>& headers, std::vector<bool>* from_option) {
    for (std::size_t i = 0; i < headers.size();) {
        bool replaced = false;
        for (std::size_t k = i + 1; k < headers.size() && !replaced; ++k)
            replaced = strcasecmp(headers[i].first.c_str(), headers[k].first.c_str()) == 0;
        if (!replaced) {
            ++i;
            continue;
        }
        headers.erase(headers.begin() + static_cast<std::ptrdiff_t>(i));
        if (from_option && i < from_option->size()) from_option->erase(from_option->begin() + static_cast<std::ptrdiff_t>(i));
    }
}

void keep_last_headers(command_line& t) {
    keep_last(t.options.request.headers, &t.request.inline_header);
    keep_last(t.options.request.publish_headers, nullptr);
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

bool write_comparison(const std::string& file, void (*writer)(std::ostream&, const comparison&), const comparison& c) {
    if (file.empty()) return true;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (out) writer(out, c);
    if (!out) {
        std::cerr << "sse-conformance: cannot write " << file << " (check the directory exists and is writable)\n";
        return false;
    }
    return true;
}

// sse-conformance server URL1 URL2 ... / --targets FILE: each target's command line is the common
// arguments followed by its own, parsed as a single-target run; every target runs (an unreachable
// one becomes a column saying so), then one report. Exit status: the worst target's.
int run_comparison(const char* argv0, const registry& reg, const command_line& cl) {
    std::vector<target_spec> specs;
    if (!cl.targets_file.empty()) {
        std::ifstream in(cl.targets_file);
        std::string error;
        if (!in) {
            std::cerr << "sse-conformance: --targets: cannot read '" << cl.targets_file << "'\n";
            return 2;
        }
        if (!parse_targets(in, cl.targets_file, specs, error)) {
            std::cerr << "sse-conformance: --targets " << error << "\n";
            return 2;
        }
    } else if (cl.both) {
        // The same URL twice: HTTP/1.1, then HTTP/2 (ALPN h2 on https://, prior knowledge on http://).
        const bool tls = cl.urls.front().rfind("https:", 0) == 0;
        specs.push_back({"http1.1", cl.urls.front(), {"--http1.1"}, {}, 0});
        specs.push_back({"h2", cl.urls.front(), {tls ? "--http2" : "--h2c"}, {}, 0});
    } else {
        for (std::size_t i = 0; i < cl.urls.size(); ++i) specs.push_back({"t" + std::to_string(i + 1), cl.urls[i], {}, {}, 0});
    }
    // Every target's command line parses before anything runs: a typo on line 7 is not found
    // after six servers have been tested.
    std::vector<command_line> lines;
    for (const auto& t : specs) {
        std::vector<std::string> args{argv0, "server", t.url};
        args.insert(args.end(), cl.run_args.begin(), cl.run_args.end());
        const int own_from = static_cast<int>(args.size());
        args.insert(args.end(), t.args.begin(), t.args.end());
        args.push_back("--seed");
        args.push_back(std::to_string(cl.options.seed));
        if (!t.expect_file.empty()) {
            args.push_back("--expect");
            args.push_back(t.expect_file);
        }
        std::vector<const char*> argv;
        for (const auto& a : args) argv.push_back(a.c_str());
        command_line one = parse_command_line(static_cast<int>(argv.size()), argv.data(), own_from);
        if (one.urls.size() > 1) {  // a word that is no option nor an option's value reads as a URL
            one.error = "one URL per target, but '" + one.urls[1] +
                        "' is not an option or an option's value (quote a value with spaces; # starts a comment)";
        }
        if (!one.error.empty()) {
            std::cerr << "sse-conformance: target " << t.name
                      << (t.line ? " (" + cl.targets_file + ":" + std::to_string(t.line) + ")" : std::string()) << ": "
                      << one.error << "\n";
            return 2;
        }
        keep_last_headers(one);
        one.options.repro_prefix = repro_prefix(argv0, one);
        lines.push_back(std::move(one));
    }
    const mode* m = reg.find_mode("server");
    if (m == nullptr) {
        std::cerr << "sse-conformance: server mode is not built into this binary\n";
        return 2;
    }
    const bool tty = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
    comparison result;
    result.seed = cl.options.seed;
    result.started_at = utc_now();
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& spec = specs[i];
        command_line& one = lines[i];
        target_result t;
        t.name = spec.name;
        t.url = spec.url;
        t.repro = one.options.repro_prefix + " --seed " + std::to_string(cl.options.seed);
        if (!one.expect_file.empty()) t.repro += " --expect " + shell_quote(one.expect_file);
        std::cerr << "== " << spec.name << ": " << spec.url << "\n";
        expectations expect;
        std::string error;
        if (!one.expect_file.empty() && !expect.load(one.expect_file, error)) {
            t.error = error;
        } else {
            const auto cases = select(reg, {m->target, one.include, one.exclude, one.options.profiles});
            result.cases.insert(result.cases.end(), cases.begin(), cases.end());
            std::unique_ptr<session> s = cases.empty() ? nullptr : m->open(one.options, error);
            if (cases.empty()) {
                t.error = "no server case matches --case/--skip (try --list)";
            } else if (!s) {
                t.error = error;
            } else {
                terminal_reporter progress(std::cerr, one.options.verbosity, tty);
                t.run = run(cases, one.options, *s, one.expect_file.empty() ? nullptr : &expect, &progress);
                t.run.mode = "server";
            }
        }
        if (!t.reachable()) std::cerr << "sse-conformance: target " << spec.name << " not reached: " << t.error << "\n";
        else std::cerr << "== " << spec.name << ": " << (t.run.exit_status() == 0 ? "PASS" : "FAIL") << "\n";
        result.targets.push_back(std::move(t));
    }
    write_comparison_table(std::cout, result);
    bool ok = write_comparison(cl.json_file, write_comparison_json, result);
    ok = write_comparison(cl.junit_file, write_comparison_junit, result) && ok;
    ok = write_comparison(cl.html_file, write_comparison_html, result) && ok;
    if (!ok) return 2;
    for (const auto& t : result.targets) {
        if (!t.reachable()) std::cerr << "sse-conformance: " << t.name << " (" << t.url << ") could not be reached\n";
    }
    return result.exit_status();
}

}  // namespace

int main(int argc, char** argv) {
    registry reg;
    register_server_cases(reg);
    register_parser_cases(reg);
#ifdef SSE_CONFORMANCE_HAVE_CLIENT
    register_client_cases(reg);
#endif
    std::string modes_help;
    for (const auto& m : reg.modes()) {
        modes_help += "  " + m.name + ": " + m.summary + "\n";
        std::size_t at = 0;  // each help line indented under its mode, keeping its own nesting
        while (at < m.help.size()) {
            const auto end = m.help.find('\n', at);
            std::string line = m.help.substr(at, end == std::string::npos ? std::string::npos : end - at);
            if (!line.empty()) modes_help += "    " + line + "\n";
            if (end == std::string::npos) break;
            at = end + 1;
        }
    }

    command_line cl = parse_command_line(argc, argv);
    if (cl.help) {
        std::cout << usage(modes_help);
        return 0;
    }
    if (cl.version) {
        std::cout << "sse-conformance (ssekit) 0.1.0\n";
        return 0;
    }
    if (!cl.error.empty()) {
        std::cerr << "sse-conformance: " << cl.error << "\n(sse-conformance --help lists the options)\n";
        return 2;
    }
    const auto known = reg.profiles();
    for (const auto& name : cl.options.profiles) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string names;
            for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
            std::cerr << "sse-conformance: unknown profile '" << name << "' (known: "
                      << (names.empty() ? "none in this build" : names) << ")\n";
            return 2;
        }
    }
    if (cl.list) {
        list_cases(reg, cl);
        return 0;
    }
    if (!cl.seed_given) {
        std::random_device rd;
        cl.options.seed = (std::uint64_t{rd()} << 32 | rd()) | 1;
    }
    if (is_comparison(cl)) return run_comparison(argv[0], reg, cl);
    cl.options.repro_prefix = repro_prefix(argv[0], cl);

    expectations expect;
    if (!cl.expect_file.empty()) {
        std::string error;
        if (!expect.load(cl.expect_file, error)) {
            std::cerr << "sse-conformance: " << error << "\n";
            return 2;
        }
    }

    const std::string mode_name = cl.mode.empty() ? "server" : cl.mode;
    const mode* m = reg.find_mode(mode_name);
    if (m == nullptr) {
        std::cerr << "sse-conformance: mode '" << mode_name << "' is not built into this binary\n";
        return 2;
    }
    selection sel{m->target, cl.include, cl.exclude, cl.options.profiles};
    const auto cases = select(reg, sel);
    if (cases.empty()) {
        std::cerr << "sse-conformance: no " << mode_name << " case matches --case/--skip (try --list)\n";
        return 2;
    }

    std::string error;
    std::unique_ptr<session> s = cl.mode.empty() ? open_embedded_session(cl.options, error) : m->open(cl.options, error);
    if (!s) {
        std::cerr << "sse-conformance: " << error << "\n";
        return 2;
    }

    const bool tty = isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr;
    const bool tty_out = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    terminal_reporter progress(std::cerr, cl.options.verbosity, tty);
    run_result result = run(cases, cl.options, *s, cl.expect_file.empty() ? nullptr : &expect, &progress);
    result.mode = mode_name;
    s.reset();  // stop servers and adapters before reporting

    terminal_reporter(std::cerr, cl.options.verbosity, tty_out).summary(std::cout, result);
    bool ok = write_report(cl.json_file, write_json, result);
    ok = write_report(cl.junit_file, write_junit, result) && ok;
    ok = write_report(cl.html_file, write_html, result) && ok;
    if (!ok) return 2;
    return result.exit_status();
}
