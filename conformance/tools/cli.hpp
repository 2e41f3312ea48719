// The sse-conformance command line: parsed into run_options plus what main needs.
#pragma once

#include <string>
#include <vector>

#include "request_cli.hpp"
#include "sse/conformance/context.hpp"

namespace sse::conformance {

struct command_line {
    std::string mode;  ///< "server", "parser", "client", or empty (embedded sse-server)
    run_options options;
    std::vector<std::string> include, exclude;
    std::string json_file, junit_file, html_file, expect_file;
    /// Comparison (server mode with several URLs, or --targets FILE): the URLs given, the targets
    /// file, and every argument that is not a URL, a report file or --targets, as given, for
    /// each target's own run.
    std::vector<std::string> urls;
    std::string targets_file;
    std::vector<std::string> run_args;
    /// --both: the server suite over HTTP/1.1 and over HTTP/2 (h2 by ALPN for https://, h2c for
    /// http://), reported side by side as a comparison of two targets named "http1.1" and "h2".
    bool both = false;
    bool list = false;
    bool help = false;
    bool version = false;
    bool seed_given = false;
    request_args request;  ///< how the request options were given (for the reproduction command)
    std::string error;  ///< non-empty: usage error (exit 2), naming the argument
};

/// Parses argv. Mode-specific arguments the common grammar does not know are kept in
/// options.mode_args for the client mode; for other modes they are usage errors.
/// `own_from` > 0: argv[own_from] on are a comparison target's own options, after the common
/// ones. A later value replaces an earlier one anyway (-X, --timeout, --publish, ...); here the
/// target's -d/--data-file also replaces the common body (not "given twice") and its -b the common
/// cookies (not joined to them). Headers are left to the caller (same name: the later wins).
command_line parse_command_line(int argc, const char* const* argv, int own_from = 0);

/// Whether this command line compares several targets.
inline bool is_comparison(const command_line& cl) {
    return cl.urls.size() > 1 || !cl.targets_file.empty() || cl.both;
}

/// The full --help text (modes and their options listed from `modes_help`).
std::string usage(const std::string& modes_help);

}  // namespace sse::conformance
