// sse-conformance: the conformance suite for Server-Sent Events servers, clients and parsers.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>

#include "cli.hpp"
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
        for (const auto& a : cl.options.mode_args) p += " " + shell_quote(a);
    }
    if (cl.options.timeout != std::chrono::milliseconds(5000))
        p += " --timeout " + std::to_string(cl.options.timeout.count()) + "ms";
    if (cl.options.strict) p += " --strict";
    return p;
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
