// Profile cases (mercure: the Mercure protocol (hubs)): registered under --profile.
#include "server_cases.hpp"

namespace sse::conformance {

void register_profile_mercure_cases(registry& r) {
    (void)r;
}

}  // namespace sse::conformance
