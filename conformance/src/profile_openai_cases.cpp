// Profile cases (openai-chat and openai-responses: OpenAI Chat Completions and Responses streaming): registered under --profile.
#include "server_cases.hpp"

namespace sse::conformance {

void register_profile_openai_cases(registry& r) {
    (void)r;
}

}  // namespace sse::conformance
