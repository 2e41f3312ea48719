// sse::conformance::registry: every case and mode the tool knows, in registration order.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sse/conformance/context.hpp"
#include "sse/conformance/test_case.hpp"

namespace sse::conformance {

/// A target mode (`server`, `parser`, `client`): opens a session for a run.
struct mode {
    std::string name;     ///< the subcommand, e.g. "client"
    std::string summary;  ///< one line for --help
    /// Extra help text for the mode's own options (shown by --help), may be empty.
    std::string help;
    conformance::target target = target::server;
    /// Opens the session (starts servers, checks the target answers). Returns null and sets
    /// `error` (one line, saying what to do) when the target cannot be used; the run then exits 2.
    /// options.mode_args holds the arguments the common parser did not take.
    std::function<std::unique_ptr<session>(const run_options& options, std::string& error)> open;
};

/// Holds cases and modes. Not thread-safe: fill it before running.
class registry {
public:
    /// Adds a case. Throws std::invalid_argument on a duplicate or malformed id (a programming
    /// error the tests catch).
    void add(test_case c);

    /// Adds a mode. Throws std::invalid_argument on a duplicate name.
    void add(mode m);

    const std::vector<test_case>& cases() const noexcept { return cases_; }
    const std::vector<mode>& modes() const noexcept { return modes_; }

    /// The profiles the cases name (test_case::profile), in registration order.
    std::vector<std::string> profiles() const;

    /// The case with this id, or null. The pointer lives as long as the registry is not changed.
    const test_case* find(std::string_view id) const noexcept;
    /// The mode with this name, or null.
    const conformance::mode* find_mode(std::string_view name) const noexcept;

private:
    std::vector<test_case> cases_;
    std::vector<mode> modes_;
};

/// Registration entry points, one per area; sse-conformance's main calls each once.
void register_server_cases(registry& r);   // conformance/src/server_*.cpp
void register_parser_cases(registry& r);   // conformance/src/parser_*.cpp
/// Client mode (conformance/client/, linked when that folder exists; see README "Adding a case").
void register_client_cases(registry& r);

/// `*` matches any run of characters (also `/`), `?` one character; everything else literally.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

}  // namespace sse::conformance
