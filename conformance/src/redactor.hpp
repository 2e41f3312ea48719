// redactor: keeps the secrets of a run (the values of -H, --header-file, -b and --publish-header)
// out of every report: terminal, JSON, JUnit, HTML, the reproduction command and raw bytes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sse/conformance/context.hpp"

namespace sse::conformance {

class redactor {
public:
    /// Secrets from `r`: every header value, the cookie, every publish header value.
    explicit redactor(const request_options& r);

    /// `text` with the secrets masked. A line that starts with a secret header's name and a colon
    /// (a request dump) keeps the name and masks its value; anywhere else, each secret of 4 bytes
    /// or more (shorter ones would mask unrelated text) becomes its mask.
    std::string apply(std::string_view text) const;

    /// How a value of header `name` is shown: an auth scheme word is kept ("Bearer ***",
    /// "Basic ***"), cookie names are kept ("session=***; theme=***"), anything else is "***".
    static std::string mask(std::string_view name, std::string_view value);

    bool empty() const noexcept { return names_.empty(); }

private:
    std::vector<std::string> names_;  // lower case
    std::vector<std::pair<std::string, std::string>> needles_;  // secret, replacement; longest first
};

}  // namespace sse::conformance
