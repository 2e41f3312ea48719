// Profile cases for Anthropic's Messages streaming (`stream: true`), graded on one answer to the
// user's request (-d): named events matching their JSON type, the message_start ... message_stop
// flow, content blocks by index, ping anywhere, and well-formed error events.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "answer_stream.hpp"
#include "server_cases.hpp"

namespace sse::conformance {

namespace {

bool is_block_event(const std::string& t) {
    return t == "content_block_start" || t == "content_block_delta" || t == "content_block_stop";
}

// The event types the flow grades; others (ping, and types added later) are skipped.
bool is_flow_event(const std::string& t) {
    return is_block_event(t) || t == "message_start" || t == "message_delta" || t == "message_stop";
}

// The flow, ping and unknown types left out: message_start, blocks, message_delta(s), message_stop.
// An error event ends the flow early (anthropic/error/1 grades it).
outcome flow_order(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    const std::string expected = "message_start, content blocks, message_delta (one or more), message_stop last";
    std::vector<std::size_t> flow;
    bool error = false;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto t = type_of(a->events[i]);
        if (t == "error") { error = true; break; }
        if (is_flow_event(t)) flow.push_back(i);
    }
    if (flow.empty())
        return outcome::failed("no message_start ... message_stop event in " + std::to_string(a->events.size()) + " events",
                               expected, a->body_start(), a->raw);
    auto at = [&](std::size_t k) { return describe_event(a->events[flow[k]], flow[k] + 1); };
    if (type_of(a->events[flow.front()]) != "message_start")
        return outcome::failed("the first event (ping aside) is not message_start", expected, at(0), a->raw);
    // 0: in blocks, 1: after a message_delta, 2: after message_stop
    int phase = 0;
    std::size_t deltas = 0;
    for (std::size_t k = 1; k < flow.size(); ++k) {
        const auto t = type_of(a->events[flow[k]]);
        if (t == "message_start") return outcome::failed("a second message_start", expected, at(k), a->raw);
        if (phase == 2) return outcome::failed(at(k) + " came after message_stop", expected, at(k), a->raw);
        if (is_block_event(t) && phase == 1)
            return outcome::failed(at(k) + " came after a message_delta (blocks come before it)", expected, at(k), a->raw);
        if (t == "message_delta") { phase = 1; ++deltas; }
        if (t == "message_stop") {
            if (deltas == 0)
                return outcome::failed("message_stop came before any message_delta (which carries stop_reason and usage)",
                                       expected, at(k), a->raw);
            phase = 2;
        }
    }
    if (error) return outcome::passed("in order up to an error event, which ended the message");
    if (phase != 2)
        return outcome::failed("no message_stop" + std::string(a->cap.ended ? " (the stream ended without it)" : "; " + timeout_note(ctx, *a)),
                               expected, at(flow.size() - 1), a->raw);
    if (!a->cap.ended)
        return outcome::failed("message_stop came, but " + timeout_note(ctx, *a) + " after it", expected + ", then the end",
                               "the stream stayed open", a->raw);
    return outcome::passed("message_start, blocks, " + std::to_string(deltas) + " message_delta, message_stop; the stream ended");
}

outcome blocks(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    enum class state { open, stopped };
    struct block {
        state at = state::open;
        std::size_t deltas = 0;
        std::size_t started = 0;  // the event (index) of its content_block_start
    };
    std::map<long long, block> seen;
    std::vector<std::string> problems;
    std::size_t deltas = 0;
    bool error = false;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        const auto t = type_of(e);
        if (t == "error") {
            error = true;  // the message ends here: open blocks are the error's, not a flaw
            break;
        }
        if (t == "message_delta" || t == "message_stop") {
            for (const auto& [index, b] : seen)
                if (b.at == state::open)
                    problems.push_back("block " + std::to_string(index) + " has no content_block_stop before " +
                                       describe_event(e, i + 1));
            if (!problems.empty()) break;
            continue;
        }
        if (!is_block_event(t)) continue;
        const auto idx = e.json->find("index");
        if (idx == e.json->end() || !idx->is_number_integer()) {
            problems.push_back(describe_event(e, i + 1) + ": no integer index");
            continue;
        }
        const auto n = idx->get<long long>();
        const auto it = seen.find(n);
        if (t == "content_block_start") {
            if (it != seen.end()) problems.push_back(describe_event(e, i + 1) + ": block " + std::to_string(n) + " started again");
            else if (n != static_cast<long long>(seen.size()))
                problems.push_back(describe_event(e, i + 1) + ": block index " + std::to_string(n) + " where the next "
                                   "content array position is " + std::to_string(seen.size()));
            seen[n] = block{state::open, 0, i};
        } else if (it == seen.end() || it->second.at != state::open) {
            problems.push_back(describe_event(e, i + 1) + ": " + t + " for block " + std::to_string(n) + ", which " +
                               (it == seen.end() ? "has not started" : "already stopped"));
        } else if (t == "content_block_delta") {
            ++deltas;
            ++it->second.deltas;
        } else {
            // "each of which have a content_block_start, one or more content_block_delta events, and
            // a content_block_stop event"
            if (it->second.deltas == 0)
                problems.push_back(describe_event(e, i + 1) + ": block " + std::to_string(n) +
                                   " stopped without a content_block_delta (one or more per block)");
            it->second.at = state::stopped;
        }
    }
    // A block still open when the answer ends (not cut by an error, not cut by the size cap: the
    // rest may follow) never got its content_block_stop.
    if (problems.empty() && !error && !a->truncated)
        for (const auto& [index, b] : seen)
            if (b.at == state::open)
                problems.push_back("block " + std::to_string(index) + " (started by " +
                                   describe_event(a->events[b.started], b.started + 1) + ") is still open at the end of "
                                   "the answer" + (a->cap.ended ? "" : " (" + timeout_note(ctx, *a) + ")"));
    if (!problems.empty())
        return failed_with(problems, "each block: content_block_start index i, one or more deltas, content_block_stop i", *a);
    return outcome::passed(std::to_string(seen.size()) + " content blocks, " + std::to_string(deltas) + " deltas, each "
                           "between its start and stop");
}

outcome error_event(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    const std::string expected = "{\"type\":\"error\",\"error\":{\"type\":\"...\",\"message\":\"...\"}}, the last event";
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        if (type_of(e) != "error" && e.event.type != "error") continue;
        const auto& j = e.json ? *e.json : nlohmann::json::object();
        const auto err = j.find("error");
        const bool well_formed = type_of(e) == "error" && err != j.end() && err->is_object() &&
                                 err->contains("type") && (*err)["type"].is_string() && err->contains("message") &&
                                 (*err)["message"].is_string();
        if (!well_formed)
            return outcome::failed("error event " + describe_event(e, i + 1) + " is not {type: error, error: {type, message}}",
                                   expected, e.event.data, a->raw);
        if (i + 1 != a->events.size())
            return outcome::failed(describe_event(a->events[i + 1], i + 2) + " came after the error event (#" +
                                       std::to_string(i + 1) + ")",
                                   expected, std::to_string(a->events.size() - i - 1) + " events after it", a->raw);
        return outcome::passed("error event " + (*err)["type"].get<std::string>() + " (well-formed, last)");
    }
    return outcome::skipped_because("no error event in this answer: nothing to check" + cap_note(*a));
}

outcome pings(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    std::size_t n = 0;
    std::set<std::string> other;
    for (const auto& e : a->events) {
        const auto t = type_of(e);
        if (t == "ping") ++n;
        else if (!is_flow_event(t) && t != "error" && !t.empty()) other.insert(t);
    }
    std::string list;
    for (const auto& t : other) list += (list.empty() ? "" : ", ") + t;
    return outcome::informational(std::to_string(n) + " ping events" +
                                  (list.empty() ? "" : "; other event types (clients skip them): " + list));
}

}  // namespace

void register_profile_anthropic_cases(registry& r) {
    const std::string ref = "Anthropic Messages API, Streaming Messages, Event types: ";
    r.add({.id = "anthropic/event/1",
           .description = "every event's event: name equals the type of its JSON data",
           .requirement = ref + "\"Each server-sent event includes a named event type and associated JSON data. Each "
                                "event will use an SSE event name (e.g. event: message_stop), and include the matching "
                                "event type in its data.\"",
           .level = level::must, .target = target::server, .run = on_answer(event_named_by_type), .profile = "anthropic"});
    r.add({.id = "anthropic/order/1",
           .description = "message_start first, content blocks, message_delta, message_stop last (ping anywhere)",
           .requirement = ref + "\"Each stream uses the following event flow: message_start [...] A series of content "
                                "blocks [...] One or more message_delta events, indicating top-level changes to the "
                                "final Message object. A final message_stop event.\"",
           .level = level::must, .target = target::server, .run = on_answer(flow_order), .profile = "anthropic"});
    r.add({.id = "anthropic/blocks/1",
           .description = "each content block: content_block_start index i, one or more deltas for i, content_block_stop i "
                          "(none left open)",
           .requirement = ref + "\"A series of content blocks, each of which have a content_block_start, one or more "
                                "content_block_delta events, and a content_block_stop event. Each content block will "
                                "have an index that corresponds to its index in the final Message content array.\"",
           .level = level::must, .target = target::server, .run = on_answer(blocks), .profile = "anthropic"});
    r.add({.id = "anthropic/error/1",
           .description = "an error event is {type: error, error: {type, message}} and ends the stream",
           .requirement = ref + "\"We may occasionally send errors in the event stream.\" as "
                                "`event: error` with `{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", "
                                "\"message\": \"Overloaded\"}}`; the SDKs end the stream with that error",
           .level = level::must, .target = target::server, .run = on_answer(error_event), .profile = "anthropic"});
    r.add({.id = "anthropic/ping/1",
           .description = "how many ping events (and event types the flow does not name) the answer carried",
           .requirement = ref + "\"Event streams may also include any number of ping events.\" (informational)",
           .level = level::info, .target = target::server, .run = on_answer(pings), .profile = "anthropic"});
}

}  // namespace sse::conformance
