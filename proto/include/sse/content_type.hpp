// MIME type parsing, just enough to answer "is this Content-Type text/event-stream?" the way
// browsers do. Shared by the reconnector, the server (to check what it sends) and the
// conformance suite (to grade what others send).
//
// WHATWG HTML 9.2.2 says a response whose "`Content-Type` is not `text/event-stream`" fails the
// connection; whatwg/html#7630 settles what that means: extract the MIME type (Fetch) and compare
// its essence. So `text/event-stream; charset=utf-8`, `TEXT/Event-Stream` and
// ` text/event-stream ` all qualify, `text/event-stream-x` and `text /event-stream` do not.
#pragma once

#include <optional>
#include <string_view>

namespace sse {

/// A parsed MIME type (MIME Sniffing 4.1 "MIME type"), as views into the string it was parsed
/// from: valid as long as that string is. Case is kept as written; compare with has_essence().
struct mime_type {
    std::string_view type;        ///< e.g. "text"; non-empty, HTTP token code points only
    std::string_view subtype;     ///< e.g. "event-stream"; non-empty, HTTP token code points only
    std::string_view parameters;  ///< raw text after the first ';' (unparsed), empty if none

    /// True iff `type "/" subtype` equals `essence` ignoring ASCII case (MIME Sniffing:
    /// "essence" is the lowercased type and subtype). `essence` is e.g. "text/event-stream".
    bool has_essence(std::string_view essence) const noexcept;
};

/// MIME Sniffing 4.4 "parse a MIME type", up to and including the essence: strips leading and
/// trailing HTTP whitespace (TAB, LF, CR, SPACE), requires `type "/" subtype` made of HTTP token
/// code points, ignores whitespace before ';'. Parameters never cause a failure (the algorithm
/// skips malformed ones), so they are returned raw. Returns std::nullopt on failure (empty input,
/// no '/', empty or non-token type or subtype). The views point into `input`.
std::optional<mime_type> parse_mime_type(std::string_view input) noexcept;

/// Fetch "extract a MIME type" for one `Content-Type` header value, possibly several header lines
/// combined with commas: the value is split on commas outside quoted strings, each piece parsed
/// with parse_mime_type(), pieces that fail or whose essence is `*/*` skipped, and the last
/// remaining piece wins. Returns std::nullopt when none remains (this covers a missing header:
/// pass an empty string). The views point into `content_type`.
std::optional<mime_type> extract_mime_type(std::string_view content_type) noexcept;

/// True iff a response with this `Content-Type` value may be interpreted as an event stream:
/// the extracted MIME type's essence is `text/event-stream` (parameters such as charset ignored,
/// as every browser does). An empty string, meaning "no Content-Type", returns false.
bool is_event_stream(std::string_view content_type) noexcept;

}  // namespace sse
