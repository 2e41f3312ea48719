// Profile cases (graphql-sse: the GraphQL over Server-Sent Events protocol): registered under --profile.
#include "server_cases.hpp"

namespace sse::conformance {

void register_profile_graphql_sse_cases(registry& r) {
    (void)r;
}

}  // namespace sse::conformance
