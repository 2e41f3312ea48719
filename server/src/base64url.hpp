// base64url decoding (RFC 4648 section 5), for the conformance routes' parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sse::server::detail {

/// Decodes `text`, written in the URL- and filename-safe alphabet (`A-Z a-z 0-9 - _`), with or
/// without `=` padding. Returns std::nullopt for any other character, padding anywhere but at the
/// end, or a length no encoder produces (one character left over). Bits beyond the last whole
/// byte are ignored, as RFC 4648 section 3.5 allows.
std::optional<std::string> base64url_decode(std::string_view text);

/// Encodes `bytes` without padding (tests and the index route's examples use it).
std::string base64url_encode(std::string_view bytes);

}  // namespace sse::server::detail
