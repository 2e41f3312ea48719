// conformance_routes: the scripted streams under /conformance/ (contract: server/README.md,
// "Conformance routes"), which the conformance suite and the browser tests are built against.
#pragma once

#include <string_view>

#include "router.hpp"

namespace sse::server::detail {

/// True iff `path` belongs to the conformance routes (`/conformance` and everything under it).
bool is_conformance_path(std::string_view path) noexcept;

/// Answers a request whose path is_conformance_path(): a reply (index, 204, status, every 4xx) or
/// a script for a scripted_session. Reads nothing but `req`; publishes nothing. Never throws:
/// every failure is a response (400 with a one-line reason naming the parameter).
route conformance_route(const request& req, std::string_view path, std::string_view query);

}  // namespace sse::server::detail
