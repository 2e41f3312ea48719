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
    bool list = false;
    bool help = false;
    bool version = false;
    bool seed_given = false;
    request_args request;  ///< how the request options were given (for the reproduction command)
    std::string error;  ///< non-empty: usage error (exit 2), naming the argument
};

/// Parses argv. Mode-specific arguments the common grammar does not know are kept in
/// options.mode_args for the client mode; for other modes they are usage errors.
command_line parse_command_line(int argc, const char* const* argv);

/// The full --help text (modes and their options listed from `modes_help`).
std::string usage(const std::string& modes_help);

}  // namespace sse::conformance
