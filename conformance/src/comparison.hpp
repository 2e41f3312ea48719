// comparison: one suite run against several targets (same seed, same cases), collected for one
// report with a column per target (sse-conformance server URL1 URL2 ... / --targets FILE).
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sse/conformance/result.hpp"

namespace sse::conformance {

/// One line of a targets file: `NAME URL [OPTIONS...]`, the options as shell words (request
/// options, --publish ..., `expect=FILE`), or a bare URL given on the command line.
struct target_spec {
    std::string name;
    std::string url;
    std::vector<std::string> args;  ///< the target's own options, after the common ones
    std::string expect_file;        ///< from `expect=FILE`; empty: none
    std::size_t line = 0;           ///< in the targets file (0: from the command line)
};

/// One target's column: the run, or why it could not be reached.
struct target_result {
    std::string name;
    std::string url;
    std::string error;  ///< non-empty: unreachable (or unusable), the run is empty
    std::string repro;  ///< the command that reruns this target alone (secrets masked)
    run_result run;

    bool reachable() const noexcept { return error.empty(); }
    /// "pass" ... "skipped" for case `id`, "unreachable", or "-" when this target did not run it.
    std::string_view outcome_of(std::string_view id) const noexcept;
    /// The case result for `id`, or null.
    const case_result* find(std::string_view id) const noexcept;
};

/// The whole comparison.
struct comparison {
    std::uint64_t seed = 0;
    std::string started_at;  ///< UTC, ISO 8601
    std::vector<target_result> targets;
    /// The cases selected for the targets (so an unreachable target still has its rows).
    std::vector<const test_case*> cases;

    /// `cases`, then any other case a target ran, in first-seen order (sections stay together
    /// as registered).
    std::vector<const test_case*> rows() const;
    /// 2 when a target was unreachable, else 1 when a target has a blocking result, else 0.
    int exit_status() const noexcept;
};

/// Splits `text` into shell words: whitespace separates, '...' is literal, "..." keeps
/// backslash escapes of \ " $ `, a backslash outside quotes escapes the next character, and an
/// unquoted `#` at the start of a word starts a comment to the end of the text (`a#b` is one word,
/// `'#'` a word). False (with `error`) for an unterminated quote or a trailing backslash.
bool split_shell_words(std::string_view text, std::vector<std::string>& words, std::string& error);

/// Parses a targets file: one `NAME URL [OPTIONS...]` per line, `#` comments (a whole line, or
/// from a word starting with `#` to the end of the line) and blank lines ignored. NAME is letters,
/// digits, `.`, `_`, `-` and unique. Errors name the line ("targets.txt:3: ...").
bool parse_targets(std::istream& in, const std::string& file_name, std::vector<target_spec>& out,
                   std::string& error);

/// The comparison formats (comparison_html.cpp, json_reporter.cpp and junit_reporter.cpp next to
/// the single-run writers, and the terminal table in comparison.cpp). Errors are the stream's.
void write_comparison_html(std::ostream& out, const comparison& c);
void write_comparison_json(std::ostream& out, const comparison& c);
void write_comparison_junit(std::ostream& out, const comparison& c);
/// The final table: a row per case, a short mark per target (pass, FAIL, warn, info, skip,
/// unreach; `*` after it when the target's expectations list that outcome, `!` when they list
/// another), a summary row per verdict, a verdict row, each unreachable target's reason and the
/// command that reruns each target alone.
void write_comparison_table(std::ostream& out, const comparison& c);

}  // namespace sse::conformance
