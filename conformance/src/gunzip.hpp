// gunzip: decodes the gzip content coding (RFC 9110 8.4.1.3) of a response body received so far,
// for the case that checks a compressed stream still delivers each event (server/compression/1).
#pragma once

#include <string>
#include <string_view>

namespace sse::conformance {

/// What decoding a gzip body prefix gave.
struct gunzip_result {
    bool ok = false;     ///< a gzip member header was read and the deflate data so far was valid
    std::string text;    ///< the bytes decoded so far (a stream that was flushed is complete here)
    std::string error;   ///< why not ok: "not gzip" (no 1f 8b 08 header), "incomplete header", or
                         ///< the deflate error
};

/// Decodes as much of the gzip member at the start of `body` as has arrived (Boost.Beast's raw
/// inflate behind the RFC 1952 header; the trailer, if any, is not checked). Never throws.
gunzip_result gunzip_prefix(std::string_view body);

}  // namespace sse::conformance
