// The client cases and the `client` mode (registered with the core's registry).
#include <stdexcept>

#include "sse/conformance/registry.hpp"

#include "client_session.hpp"
#include "generators.hpp"
#include "property.hpp"
#include "trial.hpp"

namespace sse::conformance {
namespace {

using client::body_end;
using client::response_step;
using client::scenario;

// Spec sentences the cases rest on (WHATWG HTML, "Server-sent events").
constexpr const char* fail_rule =
    "9.2.2 processResponse: \"if res's status is not 200, or if res's `Content-Type` is not "
    "`text/event-stream`, then fail the connection.\" 9.2.3: \"Once the user agent has failed the "
    "connection, it does not attempt to reconnect.\"";

response_step stream(std::string body, body_end end) {
    response_step s;
    s.chunks = {std::move(body)};
    s.end = end;
    return s;
}

test_case client_case(std::string id, std::string description, std::string requirement, level l,
                      std::function<outcome(context&)> run) {
    test_case c;
    c.id = std::move(id);
    c.description = std::move(description);
    c.requirement = std::move(requirement);
    c.level = l;
    c.target = target::client;
    c.active = true;
    c.run = std::move(run);
    return c;
}

void add_cases(registry& r) {
    r.add(client_case(
        "client/parse/1",
        "random event streams in random chunks are dispatched exactly as the spec's parser does",
        "9.2.5/9.2.6: the stream \"must\" be parsed and interpreted line by line (CR, LF and CRLF line "
        "ends, one leading BOM stripped, one space after the colon removed, data lines joined with LF, "
        "`event` and `id` as buffers, `retry` only when all ASCII digits, comments ignored), and events "
        "are dispatched on blank lines; \"If the file ends in the middle of an event ... not dispatched\"",
        level::must, [](context& ctx) {
            return client::run_property(ctx, "client/parse/1", client::gen_parse_scenario());
        }));
    r.add(client_case(
        "client/bom/1", "a leading BOM followed directly by a line break is stripped and the next line still counts",
        "9.2.5: \"The stream must then be parsed by reading everything line by line ... One leading U+FEFF BYTE "
        "ORDER MARK character must be ignored if any are present.\"",
        level::must, [](context& ctx) {
            scenario s;
            s.steps = {stream("\xEF\xBB\xBF\nevent: ping\ndata: after LF\n\n"
                              "data: second\n\n", body_end::hold)};
            return client::run_fixed(ctx, "client/bom/1", s);
        }));
    r.add(client_case(
        "client/bom/2", "only one leading BOM is stripped: a second one is part of the first field name",
        "9.2.5: \"One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present.\"",
        level::must, [](context& ctx) {
            scenario s;
            s.steps = {stream("\xEF\xBB\xBF\xEF\xBB\xBF" "data: ignored\n\ndata: kept\n\n", body_end::hold)};
            return client::run_fixed(ctx, "client/bom/2", s);
        }));
    r.add(client_case(
        "client/reconnect/1",
        "after the stream ends (cleanly or truncated) the client fires error, reconnects, and resumes "
        "with the last event ID",
        "9.2.3 reestablish the connection: \"Set the readyState attribute to CONNECTING. Fire an event "
        "named error\" ... \"If the EventSource object's last event ID string is not the empty string, "
        "then: ... Set (`Last-Event-ID`, lastEventIDValue) in request's header list.\"",
        level::must, [](context& ctx) {
            return client::run_property(ctx, "client/reconnect/1", client::gen_reconnect_scenario());
        }));
    r.add(client_case(
        "client/last-event-id/1",
        "an `id` field with no value clears the last event ID: the next reconnection sends no header",
        "9.2.6: \"If the field name is \\\"id\\\": If the field value does not contain U+0000 NULL, then "
        "set the last event ID buffer to the field value.\"; 9.2.3: the header is sent only when the "
        "last event ID string \"is not the empty string\"",
        level::must, [](context& ctx) {
            scenario s;
            s.steps = {stream("retry: 10\nid: 42\ndata: first\n\n", body_end::clean),
                       stream("retry: 10\nid\ndata: second\n\n", body_end::clean),
                       stream("data: third\n\n", body_end::hold)};
            return client::run_fixed(ctx, "client/last-event-id/1", s);
        }));
    r.add(client_case(
        "client/status/1", "HTTP 204 No Content stops the client: error, readyState CLOSED, no reconnection",
        std::string("9.2.1: \"a client can be told to stop reconnecting using the HTTP 204 No Content "
                    "response code\"; ") + fail_rule,
        level::must, [](context& ctx) {
            scenario s;
            response_step no_content;
            no_content.status = 204;
            no_content.content_type.reset();
            s.steps = {stream("retry: 10\nid: 1\ndata: a\n\n", body_end::clean), no_content};
            return client::run_fixed(ctx, "client/status/1", s);
        }));
    r.add(client_case(
        "client/status/2",
        "a reconnection answered with any status but 200 fails the connection, even with an event-stream body",
        fail_rule, level::must, [](context& ctx) {
            return client::run_property(
                ctx, "client/status/2",
                client::gen_failing_status_scenario({201, 202, 203, 205, 206, 400, 403, 404, 405, 410, 429, 500,
                                                     502, 503, 504}));
        }));
    r.add(client_case(
        "client/content-type/1",
        "a 200 response whose Content-Type is not text/event-stream (or missing) fails the connection",
        fail_rule, level::must, [](context& ctx) {
            return client::run_property(
                ctx, "client/content-type/1",
                client::gen_content_type_scenario({std::string("text/plain"), std::string("application/json"),
                                                   std::string("text/html"), std::string("text/event-streams"),
                                                   std::string("text/event-stream-x"), std::string("event-stream"),
                                                   std::string("text/eventstream"), std::nullopt},
                                                  false));
        }));
    r.add(client_case(
        "client/content-type/2",
        "Content-Type is compared by MIME essence: parameters and ASCII case do not matter",
        "9.2.2 processResponse: \"`Content-Type` is not `text/event-stream`\", read as the extracted MIME "
        "type's essence (whatwg/html#7630; Fetch \"extract a MIME type\")",
        level::must, [](context& ctx) {
            return client::run_property(
                ctx, "client/content-type/2",
                client::gen_content_type_scenario({std::string("text/event-stream; charset=utf-8"),
                                                   std::string("TEXT/EVENT-STREAM"),
                                                   std::string("Text/Event-Stream;foo=bar"),
                                                   std::string("text/event-stream ;charset=UTF-8")},
                                                  true));
        }));
    r.add(client_case(
        "client/redirect/1", "redirects (301, 302, 303, 307, 308) are followed to the event stream",
        "9.2.2: the EventSource fetches its request with Fetch's default redirect mode \"follow\"; "
        "processResponse sees the final response",
        level::must, [](context& ctx) {
            return client::run_property(ctx, "client/redirect/1", client::gen_redirect_scenario());
        }));
    r.add(client_case(
        "client/request/1", "requests carry `Accept: text/event-stream`",
        "9.2.2 EventSource constructor: \"Set (`Accept`, `text/event-stream`) in request's header list.\"",
        level::should, [](context& ctx) {
            scenario s;
            s.steps = {stream("data: x\n\n", body_end::hold)};
            auto t = client::run_trial(client::session_of(ctx), s, "client/request/1", ctx.options.timeout);
            if (t.seen.requests.empty()) return outcome::failed("the client sent no request", "one request", "none");
            const auto& accept = t.seen.requests.front().accept;
            if (accept && accept->find("text/event-stream") != std::string::npos)
                return outcome::passed("Accept: " + *accept);
            return outcome::failed("the request has no Accept header naming text/event-stream",
                                   "Accept: text/event-stream", accept ? "Accept: " + *accept : "no Accept header");
        }));
    r.add(client_case(
        "client/request/2", "requests bypass caches (`Cache-Control: no-cache`)",
        "9.2.2 EventSource constructor: \"Set request's cache mode to \\\"no-store\\\".\"; Fetch then "
        "appends `Cache-Control: no-cache` (and `Pragma: no-cache`)",
        level::info, [](context& ctx) {
            scenario s;
            s.steps = {stream("data: x\n\n", body_end::hold)};
            auto t = client::run_trial(client::session_of(ctx), s, "client/request/2", ctx.options.timeout);
            if (t.seen.requests.empty()) return outcome::informational("the client sent no request");
            const auto& cc = t.seen.requests.front().cache_control;
            return outcome::informational(cc ? "Cache-Control: " + *cc : "no Cache-Control header");
        }));
}

}  // namespace

void register_client_cases(registry& r) {
    add_cases(r);
    mode m;
    m.name = "client";
    m.summary = "test an SSE client through a test service (adapter): --service URL or --adapter NAME";
    m.help = "client mode options:\n"
             "  --service URL   a running client test service (protocol: conformance/ADAPTERS.md)\n"
             "  --adapter NAME  start a shipped adapter for the run and stop it after; NAME is one of:\n" +
             client::adapter_list();
    m.target = target::client;
    m.open = [](const run_options& options, std::string& error) -> std::unique_ptr<session> {
        std::string service, adapter;
        if (!client::parse_client_args(options.mode_args, service, adapter, error)) return nullptr;
        try {
            return std::make_unique<client::client_session>(service, adapter);
        } catch (const std::exception& e) {
            error = e.what();
            return nullptr;
        }
    };
    r.add(std::move(m));
}

}  // namespace sse::conformance
