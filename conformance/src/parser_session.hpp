// parser mode: the command under test, the vector corpus, and how to run one stream through both
// the command and ssekit's parser.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sse/conformance/context.hpp"
#include "sse/conformance/registry.hpp"

namespace sse::conformance {

/// One case of tests/vectors (format: tests/vectors/README.md).
struct vector_case {
    std::string id;
    std::string input;           ///< the bytes
    nlohmann::json expect;       ///< array of records
    bool uses_limits = false;    ///< needs parser limits a foreign command cannot be given
};

/// What a parser command printed for one stream.
struct parser_run {
    bool ok = false;              ///< ran, exited 0, printed only JSON-object lines
    std::string error;            ///< why not ok (one paragraph)
    nlohmann::json records = nlohmann::json::array();
    std::string stdout_text;
};

class parser_session : public session {
public:
    std::string command;
    std::chrono::milliseconds timeout{5000};
    std::vector<vector_case> corpus;
    std::string corpus_error;  ///< why the corpus is empty, if it is

    std::string describe() const override { return "parser command: " + command; }

    /// Runs the command on `chunks` (each written, then flushed, with a short pause so a reader
    /// usually sees them separately; a pipe may still coalesce them) and parses its output.
    parser_run run(const std::vector<std::string>& chunks) const;
};

/// What sse::parser makes of `input` (whole), as sse-parse's records.
nlohmann::json reference_records(std::string_view input);

/// Reads every *.json of `dir` (the corpus). False with `error` on a malformed file.
bool load_corpus(const std::string& dir, std::vector<vector_case>& out, std::string& error);

/// Splits `bytes` into chunks of 1..max_chunk bytes, deterministically from `seed`.
std::vector<std::string> chunk(std::string_view bytes, std::uint64_t seed, std::size_t max_chunk);

/// The `parser` mode.
mode parser_mode();

}  // namespace sse::conformance
