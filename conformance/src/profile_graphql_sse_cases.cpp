// Profile cases (graphql-sse: GraphQL over Server-Sent Events, "distinct connections mode"):
// registered under --profile.
//
// The operation is the command line's request: -d '{"query":"subscription { ... }"}' (POSTed with
// the run's headers). Without -d the profile POSTs {"query":"{ __typename }"}, a query every
// schema answers with one result. The validation case POSTs its own invalid operation.
#include <sse/content_type.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "endpoint_request.hpp"
#include "publisher.hpp"
#include "server_cases.hpp"

namespace sse::conformance {

namespace {

using nlohmann::json;

constexpr const char* spec = "graphql-sse PROTOCOL.md, Distinct connections mode";
constexpr const char* default_body = R"({"query":"{ __typename }"})";
constexpr const char* invalid_body = R"({"query":"subscription { sseConformanceNoSuchField }"})";

// One operation's stream, read to its end, the case's timeout, or the report cap (at_cap).
struct operation_stream {
    std::string error;  // no response: why
    capture cap;
    std::string raw;
    bool capped = false;  // reading stopped at the cap, the stream still open
    // Why the stream did not end, for messages: the timeout or the cap.
    std::string still_open(std::chrono::milliseconds timeout) const {
        return capped ? "reading stopped at the " + cap_text() + " cap with the stream still open"
                      : "the stream still open after " + std::to_string(timeout.count()) + " ms";
    }
};

stream_request post_operation(const server_session& s, const std::string& body) {
    return endpoint_request(s, "POST", body, {{"Content-Type", "application/json"}, {"Accept", "text/event-stream"}});
}

// The operation of the run: -d as given (with the run's method and headers), or the default query POSTed.
stream_request run_operation(const server_session& s) {
    if (s.request.body.empty()) return post_operation(s, default_body);
    return s.subscribe();
}

operation_stream read_operation(context& ctx, stream_request req) {
    auto& s = server_of(ctx);
    stream_reader r(std::move(req));
    operation_stream o;
    if (read_response(r, s.timeout, o.error)) {
        o.cap = r.data();
        o.capped = !o.cap.ended && at_cap(o.cap);
    }
    o.raw = bounded_raw(r.raw());
    ctx.raw = o.raw;
    return o;
}

// A failure when the answer is not an event stream (so the event cases have nothing to read).
std::optional<outcome> not_a_stream(const operation_stream& o, const std::string& what) {
    const std::string expected = "200 text/event-stream";
    if (!o.error.empty()) return outcome::failed(what + ": no response: " + o.error, expected, o.error, o.raw);
    if (o.cap.head.status != 200 || !sse::is_event_stream(o.cap.head.header("content-type")))
        return outcome::failed(what + " answered " + status_line(o.cap.head) + ": " + o.cap.body.substr(0, 300), expected,
                               status_line(o.cap.head), o.raw);
    return std::nullopt;
}

// Whether `j` is a GraphQL ExecutionResult (or an incremental delivery payload).
bool is_execution_result(const json& j) {
    if (!j.is_object()) return false;
    if (j.contains("errors") && !j["errors"].is_array()) return false;
    return j.contains("data") || j.contains("errors") || j.contains("incremental") || j.contains("hasNext");
}

outcome stream_type(context& ctx) {
    auto o = read_operation(ctx, run_operation(server_of(ctx)));
    if (auto failed = not_a_stream(o, "the operation")) return *failed;
    return outcome::passed("the operation answered " + status_line(o.cap.head));
}

outcome next_events(context& ctx) {
    auto o = read_operation(ctx, run_operation(server_of(ctx)));
    if (auto failed = not_a_stream(o, "the operation")) return *failed;
    std::vector<std::string> bad;
    std::size_t nexts = 0;
    for (const auto& e : o.cap.events) {
        if (e.type != "next") continue;
        ++nexts;
        auto j = parse_json(e.data);
        if (!j || !is_execution_result(*j)) bad.push_back(describe(e).substr(0, 200));
    }
    const std::string expected = "next events whose data is an ExecutionResult ({\"data\": ...} and/or {\"errors\": [...]})";
    if (!bad.empty())
        return outcome::failed(std::to_string(bad.size()) + " of " + std::to_string(nexts) + " next events are not an ExecutionResult",
                               expected, join_lines(bad), o.raw);
    // A subscription may stay quiet for longer than the run waits: nothing to grade yet.
    if (nexts == 0 && !o.cap.ended)
        return outcome::informational("no next event yet (" + std::to_string(o.cap.events.size()) + " events), " +
                                      o.still_open(server_of(ctx).timeout) + ": a quiet subscription");
    if (nexts == 0)
        return outcome::failed("no next event (" + std::to_string(o.cap.events.size()) + " events of other types)", expected,
                               o.cap.events.empty() ? "no event" : describe(o.cap.events.front()).substr(0, 200), o.raw);
    return outcome::passed(std::to_string(nexts) + " next events, each an ExecutionResult");
}

outcome complete_event(context& ctx) {
    auto o = read_operation(ctx, run_operation(server_of(ctx)));
    if (auto failed = not_a_stream(o, "the operation")) return *failed;
    const auto& ev = o.cap.events;
    const auto completes = std::count_if(ev.begin(), ev.end(), [](const seen_event& e) { return e.type == "complete"; });
    const std::string expected = "next events, then one complete event, then the end of the stream";
    // PROTOCOL.md: streaming operations "are terminated/completed by having the client simply
    // close the SSE connection"; an endless subscription still running is not a fault.
    if (completes == 0 && !o.cap.ended)
        return outcome::informational("no complete event, " + o.still_open(server_of(ctx).timeout) +
                                      " (" + std::to_string(ev.size()) + " events): a subscription the client ends by closing");
    if (completes == 0)
        return outcome::failed("no complete event; the stream ended", expected,
                               std::to_string(ev.size()) + " events, none complete, then the end", o.raw);
    if (completes > 1 || ev.back().type != "complete")
        return outcome::failed("the complete event is not the single last event", expected,
                               std::to_string(completes) + " complete events; last " + describe(ev.back()).substr(0, 200), o.raw);
    if (!o.cap.ended)
        return outcome::failed("the stream stayed open after complete", expected,
                               o.still_open(server_of(ctx).timeout), o.raw);
    return outcome::passed(std::to_string(ev.size() - 1) + " events, then complete, then the end of the stream");
}

outcome event_types(context& ctx) {
    auto o = read_operation(ctx, run_operation(server_of(ctx)));
    if (auto failed = not_a_stream(o, "the operation")) return *failed;
    std::vector<std::string> bad;
    for (const auto& e : o.cap.events)
        if (e.type != "next" && e.type != "complete") bad.push_back(describe(e).substr(0, 200));
    if (!bad.empty())
        return outcome::failed("events of a type other than next and complete (a graphql-sse client throws "
                               "\"Invalid stream event\")", "event: next or event: complete", join_lines(bad), o.raw);
    if (o.cap.events.empty()) return outcome::failed("no event at all", "next and complete events", "none", o.raw);
    return outcome::passed(std::to_string(o.cap.events.size()) + " events, all next or complete");
}

outcome validation(context& ctx) {
    auto o = read_operation(ctx, post_operation(server_of(ctx), invalid_body));
    if (auto failed = not_a_stream(o, std::string("an invalid operation ") + invalid_body)) return *failed;
    const auto& ev = o.cap.events;
    auto next = std::find_if(ev.begin(), ev.end(), [](const seen_event& e) { return e.type == "next"; });
    const std::string expected = "a next event whose data has errors, then complete";
    if (next == ev.end())
        return outcome::failed("the invalid operation's stream has no next event", expected,
                               std::to_string(ev.size()) + " events", o.raw);
    auto j = parse_json(next->data);
    if (!j || !j->is_object() || !j->contains("errors") || !(*j)["errors"].is_array() || (*j)["errors"].empty())
        return outcome::failed("the invalid operation's next event carries no errors", expected, describe(*next).substr(0, 300), o.raw);
    if (ev.back().type != "complete")
        return outcome::failed("the errors were not followed by complete", expected, describe(ev.back()).substr(0, 200), o.raw);
    return outcome::passed("validation errors in a next event, then complete: " + (*j)["errors"][0].dump().substr(0, 160));
}

outcome get_operation(context& ctx) {
    auto& s = server_of(ctx);
    std::string body = s.request.body.empty() ? default_body : s.request.body;
    auto j = parse_json(body);
    if (!j || !j->is_object() || !j->contains("query") || !(*j)["query"].is_string())
        return outcome::skipped_because("-d is not a JSON object with a query");
    auto req = endpoint_request(s, "GET", {}, {{"Accept", "text/event-stream"}});
    std::string target = req.url.target;
    const auto& q = (*j)["query"].get_ref<const std::string&>();
    target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("query=") + percent_encode(q);
    req.url = req.url.with_target(target);
    auto o = read_operation(ctx, std::move(req));
    if (!o.error.empty()) return outcome::informational("GET with the query in the URL: no response: " + o.error);
    const bool stream = o.cap.head.status == 200 && sse::is_event_stream(o.cap.head.header("content-type"));
    const auto nexts = std::count_if(o.cap.events.begin(), o.cap.events.end(), [](const seen_event& e) { return e.type == "next"; });
    if (!stream) return outcome::informational("GET with the query in the URL answered " + status_line(o.cap.head) + ": POST only");
    return outcome::informational("GET with the query in the URL works: " + std::to_string(nexts) + " next events");
}

test_case gql_case(std::string id, std::string description, std::string requirement, level l,
                   std::function<outcome(context&)> run) {
    return {.id = std::move(id), .description = std::move(description),
            .requirement = std::string(spec) + ": " + std::move(requirement), .level = l,
            .target = target::server, .run = std::move(run), .profile = "graphql-sse"};
}

}  // namespace

void register_profile_graphql_sse_cases(registry& r) {
    r.add(gql_case("graphql-sse/stream/1", "the operation is answered with 200 text/event-stream",
                   "\"The Content-Type MUST always be text/event-stream as per the Server-Sent Events spec.\"",
                   level::must, stream_type));
    r.add(gql_case("graphql-sse/next/1", "next events carry an ExecutionResult as JSON data",
                   "\"next event: Operation execution result(s) from the source stream.\" (interface NextMessage { "
                   "event: 'next'; data: ExecutionResult; }); a subscription that emits nothing within --timeout is "
                   "informational",
                   level::must, next_events));
    r.add(gql_case("graphql-sse/complete/1", "one complete event ends the operation, then the server closes",
                   "\"After all results have been emitted, the complete event will follow indicating stream "
                   "completion.\" (distinct connections: the stream is the operation's own); streaming operations \"are "
                   "terminated/completed by having the client simply close the SSE connection\", so a subscription "
                   "still open at --timeout without complete is informational",
                   level::must, complete_event));
    r.add(gql_case("graphql-sse/event/1", "every event is of type next or complete",
                   "the protocol's event stream has two messages, \"event: 'next'\" and \"event: 'complete'\"; the "
                   "graphql-sse client rejects any other with \"Invalid stream event\"",
                   level::must, event_types));
    r.add(gql_case("graphql-sse/validation/1", "an invalid operation's errors arrive as a next event on an accepted stream",
                   "\"Validation steps that run before execution of the GraphQL operation MUST report errors through an "
                   "accepted SSE connection by emitting next events that contain the errors in the data field.\"",
                   level::must, validation));
    r.add(gql_case("graphql-sse/get/1", "whether GET with the query in the URL opens the operation's stream",
                   "\"Operation requests need to conform to the GraphQL over HTTP spec\", which allows GET with the "
                   "query in the URL (informational)",
                   level::info, get_operation));
}

}  // namespace sse::conformance
