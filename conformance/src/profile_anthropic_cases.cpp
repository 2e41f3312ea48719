// Profile cases (anthropic: the Anthropic Messages streaming API): registered under --profile.
#include "server_cases.hpp"

namespace sse::conformance {

void register_profile_anthropic_cases(registry& r) {
    (void)r;
}

}  // namespace sse::conformance
