// conformance_items: the bytes the conformance routes send, built with the protocol core's
// encoder: echo lists, the request description, the counting stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "router.hpp"
#include "script.hpp"

namespace sse::server::detail {

/// Parses `json_text` (a JSON array of echo elements, see server/README.md) and appends one item
/// per element to `items`. Returns an empty string on success, else a one-line reason naming the
/// element (`items` may then hold some of them).
std::string encode_items(std::string_view json_text, std::vector<script_item>& items);

/// The `event: request` block describing `req`: a JSON object with method, target, headers
/// (lower-case names; repeated fields joined with ", ") and body (invalid UTF-8 replaced).
std::string describe_request(const request& req);

/// Optionally `prefix` (a retry line), then events `id: i` + `data: i` for i from `first` to
/// `last` inclusive, `interval` apart.
class count_source final : public script_source {
public:
    count_source(std::string prefix, std::uint64_t first, std::uint64_t last,
                 std::chrono::milliseconds interval);
    std::optional<script_item> next() override;

private:
    std::string prefix_;
    std::uint64_t next_;
    std::uint64_t last_;
    std::chrono::milliseconds interval_;
    bool started_ = false;  // an event was produced: the next one waits the interval
    bool done_ = false;
};

}  // namespace sse::server::detail
