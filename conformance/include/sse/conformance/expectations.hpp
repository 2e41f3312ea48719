// sse::conformance::expectations: known deviations of a target, kept as data (--expect FILE).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sse/conformance/outcome.hpp"

namespace sse::conformance {

/// A JSON file mapping case ids (or globs) to the outcome a target is known to give:
///
///   {"target": "better-sse 0.x", "cases": {
///      "server/cache-control/1": {"outcome": "warning", "reason": "sends no Cache-Control"},
///      "server/resume/*":        {"outcome": "skipped", "reason": "no history"}}}
///
/// A run with expectations passes when every listed case's graded outcome equals its expectation
/// and every unlisted case passes as usual; an unexpected pass is reported (and blocks) too, so
/// the file is kept current.
class expectations {
public:
    struct entry {
        verdict outcome = verdict::pass;
        std::string reason;
    };

    /// Reads and validates the file. On error returns false and sets `error` to one line naming
    /// the file, the position and what is wrong.
    bool load(const std::string& path, std::string& error);
    /// As load(), from text (`name` is used in messages).
    bool parse(std::string_view text, std::string_view name, std::string& error);

    /// The entry for `case_id`: an exact key first, else the first glob (in file order) that
    /// matches. Null when none. Lives as long as this object is not changed.
    const entry* find(std::string_view case_id) const;

    std::string_view target() const noexcept { return target_; }
    bool empty() const noexcept { return exact_.empty() && globs_.empty(); }

private:
    std::string target_;
    std::map<std::string, entry, std::less<>> exact_;
    std::vector<std::pair<std::string, entry>> globs_;
};

}  // namespace sse::conformance
