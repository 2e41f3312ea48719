// Profile cases (mcp: the Model Context Protocol Streamable HTTP transport): registered under --profile.
#include "server_cases.hpp"

namespace sse::conformance {

void register_profile_mcp_cases(registry& r) {
    (void)r;
}

}  // namespace sse::conformance
