// A deliberately naive event-stream parser, written straight from the WHATWG prose, that shares
// no code with proto/: its own UTF-8 decoder (Encoding standard), its own line splitting, and
// code-point strings. Whole input at once, no limits, no speed. The property tests hold
// sse::parser to it; it is wrong only where it disagrees with the spec, never with the parser.
#pragma once

#include <string>
#include <string_view>

#include "support/recorder.hpp"

namespace sse::test::reference {

/// WHATWG Encoding, "UTF-8 decode": strips one leading BOM (EF BB BF), then runs the UTF-8
/// decoder, turning each ill-formed subsequence into U+FFFD.
std::u32string utf8_decode(std::string_view bytes);

/// The UTF-8 decoder alone, without BOM stripping.
std::u32string utf8_decode_without_bom(std::string_view bytes);

/// UTF-8 encoding of code points (all scalar values; no validation needed for decoder output).
std::string utf8_encode(std::u32string_view text);

/// Interprets a whole stream (WHATWG HTML 9.2.6) and then its end: the events and retries in
/// stream order, and the last event ID string at the end. Never sets an error.
parse_outcome parse(std::string_view bytes);

}  // namespace sse::test::reference
