// Profile cases (mcp: the Model Context Protocol Streamable HTTP transport): registered under --profile.
//
// The URL under test is the MCP endpoint. Each case starts its own session (an initialize POST and
// the initialized notification), then makes the requests it checks on the same connection settings
// as the rest of the run (TLS, -H headers such as an Authorization, cookie). The request whose SSE
// answer the stream cases read is the command line's -d (a JSON-RPC request, e.g. a tools/call;
// its id is replaced) or, without -d, a `ping`, which every MCP server answers. That request is
// executed once by each of mcp/response/1, mcp/priming/1 and mcp/resume/1: a -d with side effects
// (a tools/call that writes) runs three times.
//
// Reads stop at the report cap (http_probe::max_raw): an endless answer costs bounded memory and
// time. The session ids the server issues are bearer-like: every text a case returns has them
// masked (mcp_case), as the run's own -H values are.
#include <sse/content_type.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "endpoint_request.hpp"
#include "sse/net/header.hpp"
#include "server_cases.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

using nlohmann::json;

constexpr const char* accept_both = "application/json, text/event-stream";
constexpr const char* spec = "MCP specification 2025-11-25, Transports, Streamable HTTP";
constexpr const char* wanted_version = "2025-11-25";

// The answer to one JSON-RPC request POSTed to the endpoint.
struct rpc_answer {
    std::string error;  // no answer at all: why
    int status = 0;
    std::string content_type;
    bool sse = false;
    std::optional<json> response;  // the JSON-RPC response carrying the request's id
    std::vector<std::string> problems;  // events that are not JSON-RPC, responses with another id
    std::vector<seen_event> events;
    std::size_t classified = 0;  // events classify() has looked at
    bool ended = false;  // the body (the SSE stream) ended
    bool capped = false;  // reading stopped at the cap (at_cap), the body still open
    std::optional<std::string> session;  // Mcp-Session-Id of the answer
    std::string raw;
};

// The session ids the server issued during the running case (set by mcp_case's wrapper): masked
// in every text the case returns.
thread_local std::vector<std::string>* issued_sessions = nullptr;

void note_session(const std::optional<std::string>& id) {
    if (id && issued_sessions) issued_sessions->push_back(*id);
}

// `text` with every Mcp-Session-Id header line's value and every issued id (4 bytes or more:
// shorter ones would mask unrelated text) replaced by "***".
std::string hide_sessions(std::string text, const std::vector<std::string>& ids) {
    static constexpr std::string_view name = "mcp-session-id:";
    for (std::size_t start = 0; start < text.size();) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end - start >= name.size() && net::iequals(std::string_view(text).substr(start, name.size()), name)) {
            const bool cr = end > start && text[end - 1] == '\r';
            const std::string masked = "Mcp-Session-Id: ***" + std::string(cr ? "\r" : "");
            text.replace(start, end - start, masked);
            end = start + masked.size();
        }
        start = end + 1;
    }
    for (const auto& id : ids) {
        if (id.size() < 4) continue;
        for (auto at = text.find(id); at != std::string::npos; at = text.find(id, at + 3)) text.replace(at, id.size(), "***");
    }
    return text;
}

// Ends a session the case opened (DELETE with its id; the answer does not matter), so a run
// leaves no sessions behind on the server.
void end_session(server_session& s, const std::optional<std::string>& id, const std::string& version) {
    if (!id || !net::is_field_value(*id)) return;
    stream_reader r(endpoint_request(s, "DELETE", {}, {{"Mcp-Session-Id", *id}, {"MCP-Protocol-Version", version}}));
    std::string ignored;
    read_response(r, std::min(s.timeout, std::chrono::milliseconds(1000)), ignored);
}

// An initialized MCP session: what later requests carry. Ended when the case is done.
struct mcp_session {
    server_session* server = nullptr;
    rpc_answer init;
    std::optional<std::string> id;
    std::string version = wanted_version;  // the negotiated one once initialized
    bool ended = false;  // the case ended it itself
    mcp_session() = default;
    mcp_session(const mcp_session&) = delete;
    mcp_session& operator=(const mcp_session&) = delete;
    ~mcp_session() {
        if (server && !ended) end_session(*server, id, version);
    }
    net::header_list headers() const {
        net::header_list h{{"MCP-Protocol-Version", version}};
        if (id) h.emplace_back("Mcp-Session-Id", *id);
        return h;
    }
};

bool is_json_type(std::string_view content_type) {
    auto m = sse::extract_mime_type(content_type);
    return m && m->has_essence("application/json");
}

bool is_response(const json& j) { return j.is_object() && (j.contains("result") || j.contains("error")); }

// Whether `j` is a JSON-RPC 2.0 message (an object whose "jsonrpc" is the string "2.0"; any
// other type there is a bad message, not an exception).
bool is_jsonrpc(const json& j) {
    if (!j.is_object()) return false;
    const auto v = j.find("jsonrpc");
    return v != j.end() && v->is_string() && v->get_ref<const std::string&>() == "2.0";
}

// The protocol version initialize negotiated (the result's protocolVersion), else the one asked for.
std::string negotiated_version(const rpc_answer& a) {
    if (!a.response) return wanted_version;
    const auto r = a.response->find("result");
    if (r == a.response->end() || !r->is_object()) return wanted_version;
    const auto v = r->find("protocolVersion");
    return v != r->end() && v->is_string() ? v->get<std::string>() : wanted_version;
}

// Looks at what arrived: the response with `id`, and messages that are not JSON-RPC. On an SSE
// answer only the events since the last call (a.classified) are parsed, so classifying after
// every chunk stays linear in the answer; a JSON body is looked at whole.
void classify(rpc_answer& a, const capture& c, const json& id) {
    if (!a.sse) {
        a.problems.clear();
        a.response.reset();
        auto j = parse_json(c.body);
        if (!j) a.problems.push_back("the application/json body is not JSON: " + c.body.substr(0, 200));
        else if (is_response(*j) && (*j)["id"] == id) a.response = *j;
        else if (is_response(*j)) a.problems.push_back("a response with id " + (*j)["id"].dump() + ", not " + id.dump());
        else a.problems.push_back("the body is not a JSON-RPC response: " + j->dump().substr(0, 200));
        return;
    }
    for (; a.classified < c.events.size(); ++a.classified) {
        const auto& e = c.events[a.classified];
        if (e.data.empty()) continue;  // a priming event (an id and empty data)
        auto j = parse_json(e.data);
        if (!j || !is_jsonrpc(*j)) {
            a.problems.push_back("an event whose data is not a JSON-RPC message: " + describe(e).substr(0, 200));
        } else if (is_response(*j)) {
            if ((*j)["id"] == id && !a.response) a.response = *j;
            else if ((*j)["id"] != id) a.problems.push_back("a response with id " + (*j)["id"].dump() + ", not " + id.dump());
        }
    }
}

// POSTs `msg` (a JSON-RPC request) with `accept`, reads the answer until the stream ends, the
// case's timeout or the cap, and classifies it.
rpc_answer post_rpc(server_session& s, const json& msg, net::header_list extra, const char* accept = accept_both) {
    extra.emplace_back("Content-Type", "application/json");
    extra.emplace_back("Accept", accept);
    stream_reader r(endpoint_request(s, "POST", msg.dump(), std::move(extra)));
    rpc_answer a;
    if (!r.open(a.error)) return a;
    const auto& head = r.data().head;
    a.status = head.status;
    a.content_type = std::string(head.header("content-type"));
    a.sse = sse::is_event_stream(a.content_type);
    if (head.has_header("mcp-session-id")) a.session = std::string(head.header("mcp-session-id"));
    note_session(a.session);
    r.read_until([&](const capture& c) {
        if (at_cap(c)) return true;
        if (a.sse) classify(a, c, msg["id"]);  // a JSON body: looked at once it is whole
        return false;
    }, s.timeout);
    a.ended = r.data().ended;
    a.capped = !a.ended && at_cap(r.data());
    classify(a, r.data(), msg["id"]);
    if (a.capped && !a.sse) a.problems = {"an application/json body larger than the " + cap_text() + " cap (not read further)"};
    a.events = r.data().events;
    a.raw = bounded_raw(r.raw());
    return a;
}

json request(const std::string& id, const std::string& method, json params = json::object()) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

json initialize_request(const std::string& id) {
    return request(id, "initialize",
                   {{"protocolVersion", wanted_version},
                    {"capabilities", json::object()},
                    {"clientInfo", {{"name", "sse-conformance"}, {"version", "1"}}}});
}

// The request the stream cases read: -d (its id replaced) or a ping.
json stream_request_of(const server_session& s, const std::string& id) {
    if (!s.request.body.empty()) {
        if (auto j = parse_json(s.request.body); j && j->is_object() && j->contains("method")) {
            (*j)["id"] = id;
            return *j;
        }
    }
    return request(id, "ping");
}

std::string next_id(context& ctx, int n) { return "sse-conformance-" + make_nonce(ctx.seed) + "-" + std::to_string(n); }

// Initializes a session (initialize, then notifications/initialized). A failure outcome when
// initialize did not give a response: the cases after it cannot run.
std::optional<outcome> open_session(context& ctx, mcp_session& m) {
    auto& s = server_of(ctx);
    m.init = post_rpc(s, initialize_request(next_id(ctx, 0)), {});
    ctx.raw = m.init.raw;
    if (!m.init.response || !m.init.response->contains("result")) {
        std::string why = !m.init.error.empty() ? m.init.error
                          : "status " + std::to_string(m.init.status) + ", " +
                                (m.init.response ? "error " + (*m.init.response)["error"].dump().substr(0, 200)
                                                 : "no JSON-RPC response with the request's id");
        return outcome::skipped_because("initialize did not succeed (mcp/initialize/1 says why): " + why);
    }
    m.id = m.init.session;
    m.server = &s;
    m.version = negotiated_version(m.init);
    json note{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}};
    auto extra = m.headers();
    extra.emplace_back("Content-Type", "application/json");
    extra.emplace_back("Accept", accept_both);
    stream_reader r(endpoint_request(s, "POST", note.dump(), std::move(extra)));
    std::string error;
    read_response(r, s.timeout, error);
    return std::nullopt;
}

// mcp/initialize/1
outcome initialize(context& ctx) {
    auto& s = server_of(ctx);
    const auto id = next_id(ctx, 0);
    auto a = post_rpc(s, initialize_request(id), {});
    end_session(s, a.session, negotiated_version(a));
    ctx.raw = a.raw;
    const std::string expected = "200 with application/json or text/event-stream carrying the JSON-RPC response with id \"" + id + "\"";
    if (!a.error.empty()) return outcome::failed("initialize POST: no response: " + a.error, expected, a.error, a.raw);
    const std::string got = std::to_string(a.status) + "; " + (a.content_type.empty() ? "no Content-Type" : a.content_type);
    if (a.status != 200)
        return outcome::failed("initialize answered " + got + " (with -H, give the credentials the server needs)",
                               expected, got, a.raw);
    if (!a.sse && !is_json_type(a.content_type))
        return outcome::failed("initialize answered Content-Type " + a.content_type + ", neither JSON nor an SSE stream",
                               expected, got, a.raw);
    if (!a.response)
        return outcome::failed("no JSON-RPC response with the request's id" +
                                   (a.problems.empty() ? std::string(a.sse ? " on the SSE stream" : "") : ": " + join_lines(a.problems)),
                               expected, a.problems.empty() ? got + ", " + std::to_string(a.events.size()) + " events" : join_lines(a.problems),
                               a.raw);
    if (!a.response->contains("result"))
        return outcome::failed("initialize answered a JSON-RPC error: " + (*a.response)["error"].dump().substr(0, 300),
                               "an InitializeResult", (*a.response)["error"].dump().substr(0, 300), a.raw);
    const auto& result = (*a.response)["result"];
    std::string version = result.is_object() && result.contains("protocolVersion") ? result["protocolVersion"].dump() : "none";
    return outcome::passed(std::string("initialize answered ") + (a.sse ? "an SSE stream" : "application/json") +
                           " with the response; protocolVersion " + version +
                           (a.session ? "; a session id" : "; no session id (stateless)"));
}

// mcp/session/1
outcome session_id_ascii(context& ctx) {
    auto& s = server_of(ctx);
    auto a = post_rpc(s, initialize_request(next_id(ctx, 0)), {});
    end_session(s, a.session, negotiated_version(a));
    ctx.raw = a.raw;
    if (!a.error.empty()) return outcome::skipped_because("initialize: no response: " + a.error);
    if (!a.session) return outcome::informational("no Mcp-Session-Id on the initialize answer: a stateless server");
    const auto& v = *a.session;
    auto bad = std::find_if(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e; });
    if (v.empty() || bad != v.end()) {
        const std::string where = v.empty() ? "it is empty" : "byte 0x" + [&] {
            static const char* hex = "0123456789abcdef";
            const auto b = static_cast<unsigned char>(*bad);
            return std::string{hex[b >> 4], hex[b & 15]};
        }() + " at offset " + std::to_string(bad - v.begin());
        // The id itself is a credential: the report names the offending byte, not the value.
        return outcome::failed("the Mcp-Session-Id is not visible ASCII: " + where, "only bytes 0x21 to 0x7E",
                               "an Mcp-Session-Id of " + std::to_string(v.size()) + " bytes, " + where, a.raw);
    }
    return outcome::passed("Mcp-Session-Id of " + std::to_string(v.size()) + " visible ASCII characters");
}

// mcp/session/2
outcome session_required(context& ctx) {
    mcp_session m;
    if (auto skip = open_session(ctx, m)) return *skip;
    if (!m.id) return outcome::informational("no Mcp-Session-Id issued: a stateless server, nothing to require");
    auto& s = server_of(ctx);
    auto a = post_rpc(s, request(next_id(ctx, 1), "ping"), {{"MCP-Protocol-Version", m.version}});
    ctx.raw = a.raw;
    if (!a.error.empty()) return outcome::failed("a ping without Mcp-Session-Id: no response: " + a.error, "400", a.error, a.raw);
    if (a.status != 400)
        return outcome::failed("a ping without the Mcp-Session-Id the server issued answered " + std::to_string(a.status) +
                                   (a.response ? " with a response (the session header is not checked)" : ""),
                               "400 Bad Request", std::to_string(a.status) + " " + a.content_type, a.raw);
    return outcome::passed("a request without Mcp-Session-Id got 400");
}

// mcp/accept/1
outcome accept_required(context& ctx) {
    auto& s = server_of(ctx);
    auto a = post_rpc(s, initialize_request(next_id(ctx, 0)), {}, "application/json");
    end_session(s, a.session, negotiated_version(a));
    ctx.raw = a.raw;
    const std::string expected = "406 Not Acceptable (or another 4xx), or 200 application/json";
    if (!a.error.empty()) return outcome::failed("a POST with Accept: application/json only: no response: " + a.error, expected, a.error, a.raw);
    const std::string got = std::to_string(a.status) + (a.content_type.empty() ? "" : " " + a.content_type);
    if (a.status >= 400 && a.status < 500) return outcome::passed("a POST without text/event-stream in Accept was refused: " + got);
    if (a.status == 200 && !a.sse && a.response) return outcome::passed("a POST with Accept: application/json got a JSON answer");
    return outcome::failed("a POST whose Accept lists only application/json answered " + got +
                               (a.sse ? " (an event stream the client said it cannot read)" : ""),
                           expected, got, a.raw);
}

// mcp/get/1
outcome get_stream(context& ctx) {
    mcp_session m;
    if (auto skip = open_session(ctx, m)) return *skip;
    auto& s = server_of(ctx);
    auto extra = m.headers();
    extra.emplace_back("Accept", "text/event-stream");
    stream_reader r(endpoint_request(s, "GET", {}, std::move(extra)));
    std::string error;
    const std::string expected = "200 text/event-stream, or 405 Method Not Allowed";
    if (!r.open(error)) return outcome::failed("GET on the MCP endpoint: no response: " + error, expected, error, r.raw());
    const auto& head = r.data().head;
    ctx.raw = head.raw;
    const std::string got = status_line(head);
    if (head.status == 405) return outcome::passed("GET answered 405: no server-initiated stream");
    if (head.status == 200 && sse::is_event_stream(head.header("content-type")))
        return outcome::passed("GET opened an event stream");
    r.read_until([](const capture&) { return false; }, std::min(s.timeout, std::chrono::milliseconds(500)));
    return outcome::failed("GET with Accept: text/event-stream answered " + got, expected, got, bounded_raw(r.raw()));
}

// mcp/response/1 and mcp/priming/1 read the same answer, on session `m` (kept open for polling).
std::optional<outcome> stream_answer(context& ctx, mcp_session& m, rpc_answer& a, std::string& id) {
    if (auto skip = open_session(ctx, m)) return skip;
    auto& s = server_of(ctx);
    id = next_id(ctx, 1);
    a = post_rpc(s, stream_request_of(s, id), m.headers());
    ctx.raw = a.raw;
    if (!a.error.empty()) return outcome::failed("the request: no response: " + a.error, "an answer", a.error, a.raw);
    if (a.status != 200)
        return outcome::failed("the request answered " + std::to_string(a.status) + " " + a.content_type,
                               "200", std::to_string(a.status), a.raw);
    if (!a.sse) return outcome::informational("the request was answered with " + a.content_type + ", not an SSE stream");
    return std::nullopt;
}

// A GET with Last-Event-ID `last` on session `m`, open (head read). A 409 Conflict (the server
// has not yet seen the first connection close; the TypeScript SDK answers so while the stream is
// still mapped) is asked again, up to 10 times 100 ms apart. Null with `error` set when there was
// no response head.
std::unique_ptr<stream_reader> resume_get(server_session& s, const mcp_session& m, const std::string& last,
                                          std::string& error) {
    auto get = m.headers();
    get.emplace_back("Accept", "text/event-stream");
    get.emplace_back("Last-Event-ID", last);
    std::unique_ptr<stream_reader> r;
    for (int attempt = 0; attempt < 10; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        r = std::make_unique<stream_reader>(endpoint_request(s, "GET", {}, get));
        if (!r->open(error)) return nullptr;
        if (r->data().head.status != 409) break;
    }
    return r;
}

// The id of the last event of `events` that has one ("" when none does).
std::string last_event_id(const std::vector<seen_event>& events) {
    for (auto e = events.rbegin(); e != events.rend(); ++e)
        if (!e->id.empty()) return e->id;
    return {};
}

// mcp/response/1 when the SSE answer ended without the response after an event with an id: "the
// server MAY close the connection (without terminating the SSE stream)" and the client polls, a
// GET with Last-Event-ID. The response arriving there passes; a GET answered with anything but
// an event stream (no resumption offered) is informational; no answer to the GET, or a resumed
// stream without the response, fails (the response never arrives).
outcome polled_response(context& ctx, const mcp_session& m, const rpc_answer& a, const std::string& id,
                        const std::string& last) {
    auto& s = server_of(ctx);
    std::string error;
    auto again = resume_get(s, m, last, error);
    const std::string expected = "the response with id \"" + id + "\" on the SSE answer or on the GET with Last-Event-ID";
    if (!again)
        return outcome::failed("the SSE answer ended after event " + last + " without the response, and the GET with "
                               "Last-Event-ID to poll for it had no response: " + error,
                               expected, error, ctx.raw);
    const auto& head = again->data().head;
    if (head.status != 200 || !sse::is_event_stream(head.header("content-type"))) {
        ctx.raw += "\n--- polled with Last-Event-ID: " + last + " ---\n" + head.raw;
        return outcome::informational("the SSE answer ended after event " + last + " without the response; the GET with "
                                      "Last-Event-ID to poll for it answered " + status_line(head));
    }
    rpc_answer polled;
    polled.sse = true;
    const json want(id);
    again->read_until([&](const capture& c) { classify(polled, c, want); return polled.response.has_value() || at_cap(c); },
                      s.timeout);
    again->close();
    ctx.raw += "\n--- polled with Last-Event-ID: " + last + " ---\n" + bounded_raw(again->raw());
    if (!polled.response)
        return outcome::failed("the SSE answer ended after event " + last + " without the response, and the GET with "
                               "Last-Event-ID did not bring it (" + std::to_string(again->data().events.size()) + " events, " +
                                   (again->data().ended ? "then the end" : at_cap(again->data()) ? "the " + cap_text() + " cap"
                                                                         : "nothing more within " + std::to_string(s.timeout.count()) + " ms") + ")",
                               expected, std::to_string(a.events.size() + again->data().events.size()) + " events, no response", ctx.raw);
    return outcome::passed("the SSE answer closed after event " + last + " (" + std::to_string(a.events.size()) +
                           " events); the response arrived on the GET with Last-Event-ID, as a polling client reads it");
}

outcome stream_response(context& ctx) {
    mcp_session m;
    rpc_answer a;
    std::string id;
    if (auto o = stream_answer(ctx, m, a, id)) return *o;
    const std::string expected = "JSON-RPC messages, the response with id \"" + id + "\", then the end of the stream";
    if (!a.problems.empty())
        return outcome::failed("the SSE answer carries " + join_lines(a.problems), expected, join_lines(a.problems), a.raw);
    if (const auto last = last_event_id(a.events); !a.response && a.ended && !last.empty())
        return polled_response(ctx, m, a, id, last);
    const std::string open = a.capped ? "reading stopped at the " + cap_text() + " cap with the stream still open"
                                      : "no end within " + std::to_string(server_of(ctx).timeout.count()) + " ms";
    if (!a.response)
        return outcome::failed("the SSE answer " + std::string(a.ended ? "ended" : a.capped ? "reached the " + cap_text() + " cap" : "stayed open") +
                                   " without the JSON-RPC response (" + std::to_string(a.events.size()) + " events)",
                               expected, std::to_string(a.events.size()) + " events, no response", a.raw);
    if (!a.ended)
        return outcome::failed("the SSE stream stayed open after the response", expected, open, a.raw);
    return outcome::passed("an SSE answer of " + std::to_string(a.events.size()) + " events, the response last, then the end");
}

outcome priming(context& ctx) {
    mcp_session m;
    rpc_answer a;
    std::string id;
    if (auto o = stream_answer(ctx, m, a, id)) return *o;
    if (a.events.empty()) return outcome::failed("the SSE answer has no event", "a first event with an id and empty data", "none", a.raw);
    const auto& first = a.events.front();
    if (!first.id.empty() && first.data.empty()) return outcome::passed("the SSE answer starts with a priming event (id " + first.id + ")");
    return outcome::failed("the SSE answer does not start with an event that has an id and empty data",
                           "a first event with an id and empty data", describe(first), a.raw);
}

// What identifies a message for mcp/resume/1's repeat check: "request ID" or "response ID" for
// a JSON-RPC message with an id, "" for a notification or anything else (identified by its event
// id alone: two notifications with the same data are two messages).
std::string rpc_key(const seen_event& e) {
    auto j = parse_json(e.data);
    if (!j || !is_jsonrpc(*j)) return {};
    const auto id = j->find("id");
    if (id == j->end() || id->is_null()) return {};
    return (is_response(*j) ? "response " : "request ") + id->dump();
}

// mcp/resume/1: disconnect after the first event with an id, GET with Last-Event-ID, and check
// nothing seen comes again (by event id, or by JSON-RPC id).
outcome resume(context& ctx) {
    mcp_session m;
    if (auto skip = open_session(ctx, m)) return *skip;
    auto& s = server_of(ctx);
    const auto id = next_id(ctx, 1);
    auto extra = m.headers();
    extra.emplace_back("Content-Type", "application/json");
    extra.emplace_back("Accept", accept_both);
    stream_reader first(endpoint_request(s, "POST", stream_request_of(s, id).dump(), std::move(extra)));
    std::string error;
    if (!first.open(error)) return outcome::failed("the request: no response: " + error, "an answer", error, first.raw());
    if (!sse::is_event_stream(first.data().head.header("content-type")))
        return outcome::informational("the request was answered with " + std::string(first.data().head.header("content-type")) +
                                      ", not an SSE stream: nothing to resume");
    auto with_id = [](const capture& c) {
        return at_cap(c) || std::any_of(c.events.begin(), c.events.end(), [](const seen_event& e) { return !e.id.empty(); });
    };
    first.read_until(with_id, s.timeout);
    first.close();
    ctx.raw = bounded_raw(first.raw());
    std::vector<seen_event> before;
    for (const auto& e : first.data().events) {
        before.push_back(e);
        if (!e.id.empty()) break;
    }
    if (before.empty() || before.back().id.empty())
        return outcome::informational("the SSE answer carries no event id: the server does not offer resumption");
    const auto last = before.back().id;
    auto resumed = resume_get(s, m, last, error);
    if (!resumed) return outcome::failed("the GET with Last-Event-ID: no response: " + error, "an answer", error, ctx.raw);
    auto& again = *resumed;
    const auto& head = again.data().head;
    if (head.status != 200 || !sse::is_event_stream(head.header("content-type")))
        return outcome::informational("GET with Last-Event-ID " + last + " answered " + status_line(head) + ": no resumption");
    // The response came before the disconnect: nothing is owed, so a short read shows any repeat.
    rpc_answer had;
    had.sse = true;
    capture upto = first.data();
    upto.events = before;
    classify(had, upto, json(id));
    const bool owed = !had.response;
    rpc_answer a;
    a.sse = true;
    again.read_until([&](const capture& c) { classify(a, c, json(id)); return at_cap(c) || (owed && a.response.has_value()); },
                     owed ? s.timeout : std::min(s.timeout, std::chrono::milliseconds(1000)));
    again.close();
    ctx.raw += "\n--- resumed with Last-Event-ID: " + last + " ---\n" + bounded_raw(again.raw());
    std::set<std::string> seen_ids;
    std::set<std::string> seen_rpc;
    for (const auto& e : before) {
        if (!e.id.empty()) seen_ids.insert(e.id);
        if (auto k = rpc_key(e); !k.empty()) seen_rpc.insert(k);
    }
    std::vector<std::string> repeats;
    for (const auto& e : again.data().events) {
        if (!e.id.empty() && seen_ids.count(e.id)) repeats.push_back("event id " + e.id + " again: " + describe(e).substr(0, 200));
        else if (auto k = rpc_key(e); !k.empty() && seen_rpc.count(k))
            repeats.push_back("JSON-RPC " + k + " again: " + describe(e).substr(0, 200));
    }
    if (!repeats.empty())
        return outcome::failed("the resumed stream repeats what came before Last-Event-ID " + last,
                               "only messages after event " + last, join_lines(repeats), ctx.raw);
    if (!owed) return outcome::passed("resumed after event " + last + " (the response had already arrived): nothing repeated");
    if (!a.response)
        return outcome::informational("resumed after " + last + ": no repeat, but the response did not arrive within " +
                                      std::to_string(s.timeout.count()) + " ms (" + std::to_string(again.data().events.size()) + " events)");
    return outcome::passed("resumed after event " + last + ": " + std::to_string(again.data().events.size()) +
                           " events, none repeated, the response among them");
}

// mcp/origin/1
outcome origin(context& ctx) {
    auto& s = server_of(ctx);
    const std::string foreign = "http://sse-conformance.invalid";
    auto a = post_rpc(s, initialize_request(next_id(ctx, 0)), {{"Origin", foreign}});
    end_session(s, a.session, negotiated_version(a));
    ctx.raw = a.raw;
    if (!a.error.empty()) return outcome::failed("initialize with Origin " + foreign + ": no response: " + a.error, "403", a.error, a.raw);
    if (a.status == 403) return outcome::passed("Origin " + foreign + " was refused with 403");
    return outcome::failed("initialize with Origin: " + foreign + " answered " + std::to_string(a.status) +
                               (a.status == 200 ? " (a web page of any site can reach this server through the browser)" : ""),
                           "403 Forbidden", std::to_string(a.status) + " " + a.content_type, a.raw);
}

// mcp/delete/1
outcome delete_session(context& ctx) {
    mcp_session m;
    if (auto skip = open_session(ctx, m)) return *skip;
    if (!m.id) return outcome::informational("no Mcp-Session-Id issued: no session to end");
    auto& s = server_of(ctx);
    stream_reader del(endpoint_request(s, "DELETE", {}, m.headers()));
    std::string error;
    if (!read_response(del, s.timeout, error))
        return outcome::failed("DELETE with the session id: no response: " + error, "2xx or 405", error, del.raw());
    ctx.raw = bounded_raw(del.raw());
    m.ended = true;
    const int status = del.data().head.status;
    if (status == 405) return outcome::passed("DELETE answered 405: the server does not let clients end sessions");
    if (status < 200 || status > 299)
        return outcome::failed("DELETE with the session id answered " + status_line(del.data().head), "2xx (ended) or 405",
                               status_line(del.data().head), ctx.raw);
    auto a = post_rpc(s, request(next_id(ctx, 2), "ping"), m.headers());
    ctx.raw += "\n--- ping after DELETE ---\n" + a.raw;
    if (a.status == 404) return outcome::passed("DELETE answered " + std::to_string(status) + "; the session then answered 404");
    return outcome::failed("after DELETE answered " + std::to_string(status) + ", a request with the session id answered " +
                               std::to_string(a.status) + (a.response ? " with a response: the session was not ended" : ""),
                           "404 Not Found", std::to_string(a.status), ctx.raw);
}

// Runs `run` collecting the session ids the server issues, then masks them (and every
// Mcp-Session-Id header line) in the outcome and in ctx.raw, which the runner falls back to when
// the case throws.
std::function<outcome(context&)> with_sessions_hidden(std::function<outcome(context&)> run) {
    return [run = std::move(run)](context& ctx) {
        std::vector<std::string> ids;
        struct scope {
            context& ctx;
            std::vector<std::string>& ids;
            ~scope() {
                issued_sessions = nullptr;
                ctx.raw = hide_sessions(std::move(ctx.raw), ids);
            }
        } hiding{ctx, ids};
        issued_sessions = &ids;
        outcome o = run(ctx);
        for (std::string* text : {&o.message, &o.expected, &o.actual, &o.raw, &o.counterexample, &o.repro})
            *text = hide_sessions(std::move(*text), ids);
        return o;
    };
}

test_case mcp_case(std::string id, std::string description, std::string requirement, level l,
                   std::function<outcome(context&)> run) {
    return {.id = std::move(id), .description = std::move(description),
            .requirement = std::string(spec) + ": " + std::move(requirement), .level = l,
            .target = target::server, .run = with_sessions_hidden(std::move(run)), .profile = "mcp"};
}

}  // namespace

void register_profile_mcp_cases(registry& r) {
    r.add(mcp_case("mcp/initialize/1", "an initialize POST answers JSON or an SSE stream carrying the response with its id",
                   "\"If the input is a JSON-RPC request, the server MUST either return Content-Type: text/event-stream, "
                   "to initiate an SSE stream, or Content-Type: application/json, to return one JSON object.\"; JSON-RPC "
                   "2.0: the response id \"MUST be the same as the value of the id member in the Request Object\"",
                   level::must, initialize));
    r.add(mcp_case("mcp/session/1", "the Mcp-Session-Id the server issues is visible ASCII",
                   "\"The session ID MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E).\"",
                   level::must, session_id_ascii));
    r.add(mcp_case("mcp/session/2", "a request without the issued Mcp-Session-Id gets 400",
                   "\"Servers that require a session ID SHOULD respond to requests without an MCP-Session-Id header "
                   "(other than initialization) with HTTP 400 Bad Request.\"",
                   level::should, session_required));
    r.add(mcp_case("mcp/accept/1", "a POST whose Accept lacks text/event-stream is refused or answered with JSON",
                   "\"The client MUST include an Accept header, listing both application/json and text/event-stream as "
                   "supported content types.\"; RFC 9110 12.5.1: a server either honours Accept (406) or disregards it; "
                   "an event stream to a client that accepts only JSON is unreadable to it",
                   level::should, accept_required));
    r.add(mcp_case("mcp/get/1", "GET with Accept: text/event-stream opens a stream or answers 405",
                   "\"The server MUST either return Content-Type: text/event-stream in response to this HTTP GET, or "
                   "else return HTTP 405 Method Not Allowed\"",
                   level::must, get_stream));
    r.add(mcp_case("mcp/response/1", "an SSE answer carries JSON-RPC messages, the response, then ends",
                   "\"The SSE stream SHOULD eventually include a JSON-RPC response for the JSON-RPC request sent in the "
                   "POST body.\" and \"After the JSON-RPC response has been sent, the server SHOULD terminate the SSE stream.\" "
                   "A server that closes the connection after an event with an id (\"without terminating the SSE stream\") "
                   "is polled with GET and Last-Event-ID for the response",
                   level::should, stream_response));
    r.add(mcp_case("mcp/priming/1", "an SSE answer starts with a priming event (an id, empty data)",
                   "\"The server SHOULD immediately send an SSE event consisting of an event ID and an empty data field "
                   "in order to prime the client to reconnect\"",
                   level::should, priming));
    r.add(mcp_case("mcp/resume/1", "a GET with Last-Event-ID replays only what came after that event",
                   "\"If the client wishes to resume after a disconnection [...], it SHOULD issue an HTTP GET to the "
                   "MCP endpoint, and include the Last-Event-ID header\"; \"The server MAY use this header to replay "
                   "messages that would have been sent after the last event ID, on the stream that was disconnected\" "
                   "(replaying is the server's choice, so not repeating what came before is SHOULD here; a repeat is "
                   "an event id or a JSON-RPC id seen again)",
                   level::should, resume));
    r.add(mcp_case("mcp/origin/1", "an Origin of another site is refused with 403",
                   "\"Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding "
                   "attacks\" and \"If the Origin header is present and invalid, servers MUST respond with HTTP 403 "
                   "Forbidden.\" (which origins are valid is the server's choice, hence SHOULD here)",
                   level::should, origin));
    r.add(mcp_case("mcp/delete/1", "DELETE with the session id ends the session (later requests get 404) or answers 405",
                   "\"Clients that no longer need a particular session [...] SHOULD send an HTTP DELETE to the MCP "
                   "endpoint\"; \"The server MAY respond to this request with HTTP 405 Method Not Allowed\"; after "
                   "terminating a session it \"MUST respond to requests containing that session ID with HTTP 404 Not Found.\"",
                   level::must, delete_session));
}

}  // namespace sse::conformance
