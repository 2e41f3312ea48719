// The shared test-vector corpus (tests/vectors/*.json, format in tests/vectors/README.md), loaded
// into plain structs for the C++ suites.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sse/parser_limits.hpp"
#include "support/recorder.hpp"

namespace sse::test {

/// One case of the corpus, with `input_hex` already decoded. `limits` holds the parser's defaults
/// when the case gives none (a case that gives limits gives both).
struct vector_case {
    std::string file;         ///< the file it came from (for messages)
    std::string suite;        ///< the file's "suite"
    std::string id;           ///< `area/short-name`, unique across the corpus
    std::string spec;         ///< "9.2.5", "9.2.6" or "ssekit"
    std::string description;  ///< what behaviour the case pins down
    std::string input;        ///< the stream's bytes
    bool has_limits = false;  ///< whether the case sets `limits` (the reference parser has none)
    parser_limits limits;
    std::vector<record> expect;
    std::string last_event_id;
    std::optional<std::string> error;  ///< "line_too_long" or "event_too_large"

    /// The outcome parse_chunked must produce for this case.
    parse_outcome expected_outcome() const;
};

/// What loading the corpus found: the cases, plus one message per problem (a malformed file or
/// case is reported here rather than thrown, so a test can fail with the reason).
struct vector_corpus {
    std::vector<vector_case> cases;
    std::vector<std::string> problems;
    std::vector<std::string> files;
};

/// Loads every *.json file under `dir` (sorted by name), strictly checking the README contract:
/// required keys, no unknown keys, exactly one of input / input_hex, unique ids, known errors.
vector_corpus load_vectors(const std::string& dir);

/// The corpus under SSE_VECTORS_DIR, loaded once and cached for the process.
const vector_corpus& corpus();

/// Decodes hex digits (spaces, tabs and newlines allowed between bytes). Returns nullopt on an
/// odd digit count or a non-hex character.
std::optional<std::string> decode_hex(std::string_view hex);

/// Maps the corpus's error names to sse::errc; an empty code for an unknown name.
std::error_code error_from_name(std::string_view name);

/// A gtest-safe name for a case id: [A-Za-z0-9_] only ("line-endings/crlf" -> "line_endings_crlf").
std::string test_name(std::string_view id);

/// A printable form of a byte string: printable ASCII as is, everything else as \xNN.
std::string escape_bytes(std::string_view bytes);

}  // namespace sse::test
