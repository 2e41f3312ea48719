// Active, property-based server cases: RapidCheck generates event sequences, the server sends
// them (conformance routes, or the publish hook), and a subscriber must read exactly them.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "property.hpp"
#include "server_cases.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

using std::chrono::milliseconds;

// One element of a /conformance/echo script (server/README.md, "Conformance routes").
struct echo_item {
    std::optional<std::string> id, event, data, comment;
    std::optional<std::uint64_t> retry;
};

void showValue(const echo_item& e, std::ostream& os);  // NOLINT: RapidCheck's customisation point

nlohmann::json to_json(const echo_item& e) {
    nlohmann::json j = nlohmann::json::object();
    if (e.id) j["id"] = *e.id;
    if (e.event) j["event"] = *e.event;
    if (e.data) j["data"] = *e.data;
    if (e.retry) j["retry"] = *e.retry;
    if (e.comment) j["comment"] = *e.comment;
    return j;
}

void showValue(const echo_item& e, std::ostream& os) { os << to_json(e).dump(); }

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) s += p;
    return s;
}

// Text from pieces that matter to the format: line breaks of every kind, colons, spaces,
// multi-byte UTF-8 (2, 3 and 4 bytes), and field-name look-alikes.
rc::Gen<std::string> gen_text(bool line_breaks) {
    static const std::vector<std::string> with = {
        "a", "b", "z", " ", ":", "data: ", "id", "\xc3\xa9", "\xe2\x9c\x93", "\xf0\x9f\x98\x80", "\n", "\r\n", "\r", "x"};
    static const std::vector<std::string> without = {"a", "1", " ", ":", "-", "\xc3\xa9", "\xf0\x9f\x98\x80", "x"};
    return rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(line_breaks ? with : without)),
                        join);
}

rc::Gen<std::uint64_t> gen_retry() {
    return rc::gen::oneOf(rc::gen::inRange<std::uint64_t>(0, 10000),
                          rc::gen::element<std::uint64_t>(0, 1, 2147483647, 4294967296ull));
}

template <class T>
std::optional<T> from_maybe(const rc::Maybe<T>& m) {
    return m ? std::optional<T>(*m) : std::nullopt;
}

rc::Gen<echo_item> gen_echo_item() {
    auto event_block = rc::gen::map(
        rc::gen::tuple(rc::gen::maybe(gen_text(false)), rc::gen::maybe(rc::gen::nonEmpty(gen_text(false))),
                       gen_text(true), rc::gen::maybe(gen_retry())),
        [](const std::tuple<rc::Maybe<std::string>, rc::Maybe<std::string>, std::string, rc::Maybe<std::uint64_t>>& t) {
            echo_item e;
            e.id = from_maybe(std::get<0>(t));
            e.event = from_maybe(std::get<1>(t));
            e.data = std::get<2>(t);
            e.retry = from_maybe(std::get<3>(t));
            return e;
        });
    auto id_only = rc::gen::map(gen_text(false), [](std::string id) {
        echo_item e;
        e.id = std::move(id);
        return e;
    });
    auto retry_only = rc::gen::map(gen_retry(), [](std::uint64_t r) {
        echo_item e;
        e.retry = r;
        return e;
    });
    auto comment = rc::gen::map(gen_text(true), [](std::string c) {
        echo_item e;
        e.comment = std::move(c);
        return e;
    });
    return rc::gen::weightedOneOf<echo_item>(
        {{6, event_block}, {1, id_only}, {1, retry_only}, {1, comment}, {1, rc::gen::just(echo_item{})}});
}

// What a conforming client dispatches for a script, written from the spec's prose (9.2.6) rather
// than with ssekit's parser, so the check does not lean on the code under test.
void model(const std::vector<echo_item>& items, std::vector<seen_event>& events, std::vector<std::uint64_t>& retries) {
    std::string last_id;
    for (const auto& e : items) {
        if (e.comment) continue;
        if (e.retry) retries.push_back(*e.retry);
        if (e.id) last_id = *e.id;
        if (e.data) events.push_back({e.event && !e.event->empty() ? *e.event : "message", data_as_received(*e.data), last_id, {}});
    }
}

std::vector<std::string> describe_all(const std::vector<seen_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(describe(e));
    return out;
}

std::string retries_text(const std::vector<std::uint64_t>& r) {
    std::string s;
    for (auto v : r) s += (s.empty() ? "" : ", ") + std::to_string(v);
    return "[" + s + "]";
}

outcome echo_property(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.contract) return outcome::skipped_because("the server does not offer the conformance routes (GET /conformance/)");

    return check_property(ctx, "server/echo/1", [&] {
        const auto items = *rc::gen::container<std::vector<echo_item>>(gen_echo_item());
        nlohmann::json body = nlohmann::json::array();
        for (const auto& e : items) body.push_back(to_json(e));
        stream_reader r(s.route("/conformance/echo?then=close", "POST", body.dump(),
                                {{"Content-Type", "application/json"}}));
        std::string error;
        RC_ASSERT(r.open(error));
        ctx.raw = r.raw();
        if (r.data().head.status != 200) {
            r.read_until([](const capture&) { return false; }, s.timeout);
            RC_FAIL("POST /conformance/echo answered " + std::to_string(r.data().head.status) + ": " + r.data().body);
        }
        RC_ASSERT(r.read_until([](const capture&) { return false; }, s.timeout) || r.data().ended);
        ctx.raw = r.raw();
        std::vector<seen_event> want;
        std::vector<std::uint64_t> want_retries;
        model(items, want, want_retries);
        if (r.data().events != want)
            RC_FAIL("events differ: expected " + join_lines(describe_all(want), 50) + "\nreceived " +
                    join_lines(describe_all(r.data().events), 50));
        if (r.data().retries != want_retries)
            RC_FAIL("retry values differ: expected " + retries_text(want_retries) + ", received " +
                    retries_text(r.data().retries));
    });
}

outcome count_resume_property(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.contract) return outcome::skipped_because("the server does not offer the conformance routes (GET /conformance/)");
    return check_property(ctx, "server/resume/2", [&] {
        const int n = *rc::gen::inRange(1, 40);
        // Per connection: > 0 the server closes after that many events (close_after); < 0 the
        // client hangs up after reading that many.
        const auto cuts = *rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(
            rc::gen::oneOf(rc::gen::inRange(1, 8), rc::gen::inRange(-8, 0))));
        std::vector<std::string> seen;
        std::string last_id;
        std::string transcript;
        for (int conn = 0; conn < n + 2; ++conn) {
            const int cut = cuts[static_cast<std::size_t>(conn) % cuts.size()];
            std::string t = "/conformance/count?n=" + std::to_string(n);
            if (cut > 0) t += "&close_after=" + std::to_string(cut);
            net::header_list extra;
            if (!last_id.empty()) extra.emplace_back("Last-Event-ID", last_id);
            stream_reader r(s.route(t, "GET", {}, extra));
            std::string error;
            RC_ASSERT(r.open(error));
            transcript += "GET " + t + (last_id.empty() ? "" : " (Last-Event-ID: " + last_id + ")") + " -> " +
                          std::to_string(r.data().head.status) + "\n";
            if (r.data().head.status == 204) break;
            RC_ASSERT(r.data().head.status == 200);
            const std::size_t want = cut < 0 ? static_cast<std::size_t>(-cut) : SIZE_MAX;
            r.read_until([&](const capture& c) { return c.events.size() >= want; }, s.timeout);
            std::size_t taken = 0;
            for (const auto& e : r.data().events) {
                if (taken++ == want) break;  // the client stopped reading here
                seen.push_back(e.data);
                RC_ASSERT(e.id == e.data);
                last_id = e.id;
            }
            r.close();
        }
        std::vector<std::string> expected;
        for (int i = 1; i <= n; ++i) expected.push_back(std::to_string(i));
        ctx.raw = transcript;
        if (seen != expected)
            RC_FAIL("across reconnections the events were " + join_lines(seen, 60) + "\nexpected 1.." + std::to_string(n) +
                    "\n" + transcript);
    });
}

outcome publish_property(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return outcome::skipped_because("needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD");
    const std::string nonce = make_nonce(ctx.seed);
    int round = 0;
    return check_property(ctx, "server/publish/1", [&] {
        const auto sent = *rc::gen::nonEmpty(rc::gen::container<std::vector<publish_request>>(rc::gen::map(
            rc::gen::pair(rc::gen::element<std::string>("", "update", "t\xc3\xa9st"), gen_text(true)),
            [](const std::pair<std::string, std::string>& p) { return publish_request{p.first, p.second}; })));
        stream_reader r(s.subscribe());
        std::string error;
        RC_ASSERT(r.open(error));
        const std::string sync_nonce = nonce + "-" + std::to_string(++round);
        if (!sync_readers(*s.publisher, {&r}, sync_nonce, s.timeout, error)) RC_FAIL(error);
        std::vector<seen_event> want;
        for (const auto& e : sent) {
            if (!s.publisher->publish(e, error)) RC_FAIL("publishing failed: " + error);
            want.push_back({e.type.empty() ? "message" : e.type, data_as_received(e.data), "", {}});
        }
        r.read_until([&](const capture& c) { return after_sync(c, sync_nonce).size() >= want.size(); }, s.timeout);
        ctx.raw = r.raw();
        auto got = after_sync(r.data(), sync_nonce);
        for (auto& e : got) e.id.clear();  // the server assigns ids; only type and data are compared
        if (got != want)
            RC_FAIL("published " + join_lines(describe_all(want), 50) + "\nreceived " + join_lines(describe_all(got), 50));
    });
}

}  // namespace

void showValue(const publish_request& e, std::ostream& os);
void showValue(const publish_request& e, std::ostream& os) {
    os << nlohmann::json{{"type", e.type}, {"data", e.data}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void register_server_active_cases(registry& r) {
    r.add({.id = "server/echo/1",
           .description = "generated event sequences arrive exactly: ids, types, multi-line and Unicode data, "
                          "empty data, retry values, comments",
           .requirement = "HTML 9.2.6: the interpretation of an event stream (fields, dispatch, last event ID); "
                          "sent through the conformance routes",
           .level = level::must, .target = target::server, .active = true, .run = echo_property});
    r.add({.id = "server/resume/2",
           .description = "random disconnects (either side) + Last-Event-ID resume give every event once, in order",
           .requirement = "HTML 9.2.4: \"the last event ID string of the event source [...] `Last-Event-ID`\" on "
                          "reconnection; via /conformance/count",
           .level = level::must, .target = target::server, .active = true, .run = count_resume_property});
    r.add({.id = "server/publish/1",
           .description = "generated events published through the hook reach a subscriber exactly, in order",
           .requirement = "HTML 9.2.5/9.2.6: multi-line data becomes several data lines and arrives joined with "
                          "LF; the type arrives as published",
           .level = level::must, .target = target::server, .active = true, .run = publish_property});
}

void register_server_cases(registry& r) {
    r.add(server_mode());
    register_server_passive_cases(r);
    register_server_stream_cases(r);
    register_server_active_cases(r);
    register_server_resume_cases(r);
    register_server_timing_cases(r);
    register_server_http_cases(r);
    register_server_load_cases(r);
    register_server_h2_cases(r);
    register_profile_openai_cases(r);
    register_profile_anthropic_cases(r);
    register_profile_mcp_cases(r);
    register_profile_graphql_sse_cases(r);
    register_profile_mercure_cases(r);
}

}  // namespace sse::conformance
