#include "resume_check.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>

#include "server_cases.hpp"

namespace sse::conformance {

namespace {

std::optional<std::uint64_t> as_integer(std::string_view s) {
    std::uint64_t v = 0;
    if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

// Consecutive integers (at least two ids, each one more than the one before).
bool counts_up(const std::vector<seen_event>& events) {
    std::optional<std::uint64_t> prev;
    std::size_t n = 0;
    for (const auto& e : events) {
        if (e.id.empty() || (prev && e.id == std::to_string(*prev))) continue;  // no id line of its own
        const auto v = as_integer(e.id);
        if (!v || (prev && *v != *prev + 1)) return false;
        prev = v;
        ++n;
    }
    return n >= 2;
}

std::vector<std::string> described(const std::vector<seen_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(describe(e));
    return out;
}

}  // namespace

std::optional<id_order> parse_id_order(std::string_view name) noexcept {
    if (name == "auto") return id_order::automatic;
    if (name == "int") return id_order::integer;
    if (name == "lexical") return id_order::lexical;
    if (name == "opaque") return id_order::opaque;
    return std::nullopt;
}

std::optional<outcome> check_resume(const std::vector<seen_event>& before, const std::vector<seen_event>& after,
                                    id_order order, const std::function<bool(const seen_event&)>& is_signal) {
    const std::string last = before.empty() ? std::string() : before.back().id;
    std::set<std::string> seen;
    for (const auto& e : before)
        if (!e.id.empty()) seen.insert(e.id);
    if (order == id_order::automatic) order = counts_up(before) ? id_order::integer : id_order::opaque;
    if (order == id_order::integer && !as_integer(last)) order = id_order::opaque;

    bool truncated = false;
    std::vector<seen_event> got;
    for (const auto& e : after) {
        if (is_signal(e)) {
            truncated = truncated || got.empty();
            continue;
        }
        got.push_back(e);
    }
    if (got.empty()) return std::nullopt;

    const std::string resumed = "resuming with Last-Event-ID: " + last;
    const auto actual = join_lines(described(got), 8);
    std::string prev = last;  // the id to be after
    std::string prev_after;   // the last id of the resumed stream: an event without an id line keeps it
    std::uint64_t expected = order == id_order::integer ? *as_integer(last) + 1 : 0;
    for (const auto& e : got) {
        if (e.id.empty() || e.id == prev_after) continue;  // no id line of its own
        prev_after = e.id;
        if (seen.count(e.id) != 0)
            return outcome::failed(resumed + ": the event with id " + e.id + " came again (received before the "
                                   "disconnection): Last-Event-ID ignored or misread",
                                   "only events after id " + last, actual);
        if (order == id_order::integer) {
            const auto v = as_integer(e.id);
            if (!v)
                return outcome::failed(resumed + ": id '" + e.id + "' breaks the integer sequence",
                                       "integer ids after " + last, actual);
            if (*v < expected)
                return outcome::failed(resumed + ": id " + e.id + " is not after " + prev +
                                       " (an event from before the resume point came again)",
                                       "ids from " + std::to_string(expected) + " on", actual);
            if (*v > expected && !truncated)
                return outcome::failed(resumed + ": a gap, ids " + std::to_string(expected) +
                                           (*v - 1 > expected ? "-" + std::to_string(*v - 1) : "") +
                                           " never came (and no truncation signal first)",
                                       "id " + std::to_string(expected) + " next, or a truncation signal "
                                       "before the first event", actual);
            expected = *v + 1;
        } else if (order == id_order::lexical && e.id <= prev) {
            return outcome::failed(resumed + ": id '" + e.id + "' is not after '" + prev + "' in byte order",
                                   "ids increasing after '" + last + "'", actual);
        }
        prev = e.id;
    }
    std::string ids;
    for (std::size_t i = 0; i < got.size() && i < 8; ++i)
        ids += (i ? ", " : "") + (got[i].id.empty() ? std::string("(none)") : got[i].id);
    if (got.size() > 8) ids += ", ...";
    const std::string summary = "after id " + last + ": " + std::to_string(got.size()) + " event(s), ids " + ids +
                                (truncated ? " (after a truncation signal)" : "");
    if (order == id_order::opaque)
        return outcome::informational(summary + "; opaque ids, so only repeats are graded (none) " +
                                      "(--id-order int|lexical grades gaps or order)");
    return outcome::passed(summary + (order == id_order::integer ? ": consecutive, no repeat, no gap"
                                                                 : ": increasing, no repeat"));
}

}  // namespace sse::conformance
