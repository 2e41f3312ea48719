// sse-conformance's request options (curl's names): -H/--header, --header-file, -X/--method,
// -d/--data (@FILE), --data-file, -b/--cookie, -k/--insecure, --cacert, -L/--location,
// --max-redirs, --connect-timeout, --first-byte-timeout, --idle-timeout, --publish-header.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sse/conformance/context.hpp"

namespace sse::conformance {

/// How the request options were given, for the reproduction command (files by name, not content).
struct request_args {
    bool any = false;            ///< some request option was given (server mode only)
    bool method_given = false;
    bool data_given = false;
    std::string data_file;       ///< --data-file or -d @FILE
    std::vector<std::string> header_files;
    /// Per header of request_options::headers, in order: whether -H gave it (else a --header-file
    /// line; the two interleave as given).
    std::vector<bool> inline_header;
    /// A comparison target's own options, after the common ones: its first -d/--data-file replaces
    /// the common body, its first -b the common cookies (parse_command_line sets these at the
    /// target's first option; each is used up by that option).
    bool body_replaceable = false;
    bool cookie_replaceable = false;
};

/// Parses one request option `name` into `r` / `args`. `take(value)` fetches its value (false:
/// missing, already reported). Returns false when `name` is not a request option. Problems go to
/// `fail` (one line each; header values are never echoed).
bool parse_request_option(const std::string& name, const std::function<bool(std::string&)>& take,
                          request_options& r, request_args& args, const std::function<void(std::string)>& fail);

/// After every argument: a body without -X makes the method POST; a body without a Content-Type
/// header gets application/json when it parses as JSON, else application/x-www-form-urlencoded
/// (curl's -d default).
void finish_request_options(request_options& r, const request_args& args);

/// The request options as a shell fragment (" -X POST -H 'Authorization: Bearer ***' ..."), the
/// secrets masked, files named rather than read.
std::string request_repro(const request_options& r, const request_args& args);

/// Parses "5000", "5000ms" or "5s" (at most an hour) into `out`.
bool parse_duration(std::string_view s, std::chrono::milliseconds& out);

/// Quotes `s` for a POSIX shell when it needs it.
std::string shell_quote(const std::string& s);

/// The request options' part of --help.
const char* request_options_help();

}  // namespace sse::conformance
