// sse::conformance::test_case: one conformance check, named by spec section (h2spec style).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sse/conformance/context.hpp"
#include "sse/conformance/outcome.hpp"

namespace sse::conformance {

/// How binding the requirement is.
enum class level : std::uint8_t {
    must,    ///< a miss is always a failure (exit status 1)
    should,  ///< a miss is a warning, a failure with --strict
    info,    ///< informational only; never fails
};

/// What kind of implementation a case checks (which `sse-conformance` mode runs it).
enum class target : std::uint8_t { server, client, parser };

/// "MUST", "SHOULD", "INFO" / "server", "client", "parser" (static storage).
std::string_view to_string(level l) noexcept;
std::string_view to_string(target t) noexcept;

/// One case. Registered once (registry::add), run any number of times.
struct test_case {
    /// Stable id, `target/section/n`, e.g. `server/content-type/1`. The part before the last `/`
    /// is the section that reports group by.
    std::string id;
    /// One line: what is checked.
    std::string description;
    /// The requirement, quoted: the WHATWG sentence (with its section) or the documented best
    /// practice it rests on.
    std::string requirement;
    conformance::level level = level::must;
    conformance::target target = target::server;
    /// Whether the case needs the target's cooperation (publishing, conformance routes); such
    /// cases skip themselves with a reason when the target offers none.
    bool active = false;
    /// Runs the case. May throw; the runner turns an exception into a failure naming it. Must
    /// return within a few multiples of ctx.timeout (every wait in a case is bounded by it).
    std::function<outcome(context&)> run;
    /// Empty for the base suite. Otherwise the protocol profile that adds the case (`--profile
    /// NAME`, e.g. `openai-chat`): such a case is a server case whose id starts with `NAME/`
    /// (`openai-chat/done/1`), and it runs only when that profile is asked for.
    std::string profile{};

    /// The id without its last component: `server/content-type` for `server/content-type/1`.
    std::string_view section() const noexcept;
};

}  // namespace sse::conformance
