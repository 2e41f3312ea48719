// Runs a client-mode property: RapidCheck generates scenarios, each is played to the client.
#pragma once

#include <string_view>

#include <rapidcheck.h>

#include "sse/conformance/context.hpp"
#include "sse/conformance/outcome.hpp"

#include "client_session.hpp"
#include "scenario.hpp"

namespace sse::conformance::client {

/// The session of a client-mode run. Throws std::logic_error if `ctx` belongs to another mode.
client_session& session_of(context& ctx);

/// Runs `gen`'s scenarios through run_trial with ctx.seed and ctx.options.max_success. On a
/// failure RapidCheck shrinks the scenario (within a budget of trials and time, since every trial
/// talks to a real client); the outcome carries the seed, the smallest failing scenario found,
/// expected vs actual for it, and a repro command. A test-service error (not the client's) is
/// thrown as std::runtime_error.
outcome run_property(context& ctx, std::string_view case_id, const rc::Gen<scenario>& gen);

/// Runs one fixed scenario; fail with expected vs actual when the client deviates.
outcome run_fixed(context& ctx, std::string_view case_id, const scenario& s);

}  // namespace sse::conformance::client
