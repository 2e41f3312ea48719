// Profile cases (mercure: the Mercure protocol, IETF draft-dunglas-mercure-08, for hubs):
// registered under --profile mercure. The stream URL is a subscription
// (`https://hub/.well-known/mercure?topic=conformance`, or `match=` for draft-08 hubs) and the
// publish hook posts to the hub (`--publish 'https://hub/.well-known/mercure?topic={topic}&
// data={data}&type={type}'` with `--publish-header 'Authorization: Bearer JWT'`): the hook's
// topic is always `conformance`.
#include <sse/content_type.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server_cases.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

using std::chrono::milliseconds;

constexpr const char* draft = "draft-dunglas-mercure-08";

outcome needs_hook() {
    return outcome::skipped_because("needs the hub's publish endpoint: pass --publish "
                                    "'https://HUB/.well-known/mercure?topic={topic}&data={data}&type={type}' and "
                                    "--publish-header 'Authorization: Bearer PUBLISHER_JWT'");
}

std::string ms(milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Percent-encodes everything but RFC 3986 unreserved characters (a query parameter's value).
std::string query_value(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += {'%', hex[c >> 4], hex[c & 15]};
        }
    }
    return out;
}

// Opens `r` and checks it is a subscription: 200 and text/event-stream. The failure, if not.
std::optional<outcome> not_a_subscription(context& ctx, stream_reader& r, const std::string& what) {
    std::string error;
    if (!r.open(error)) return outcome::failed(what + ": no response: " + error, "200 text/event-stream", error, r.raw());
    const auto& head = r.data().head;
    ctx.raw = head.raw;
    const std::string ct(head.header("content-type"));
    if (head.status != 200 || !sse::is_event_stream(ct))
        return outcome::failed(what + ": the hub answered " + std::to_string(head.status) + " " + head.reason +
                                   (ct.empty() ? "" : "; " + ct),
                               "200 text/event-stream", std::to_string(head.status) + " " + ct, head.raw);
    return std::nullopt;
}

// Whether `e` is one of this case's events (a sync marker or a tagged event of `nonce`).
bool of_case(const seen_event& e, const std::string& nonce) { return e.data.find(nonce) != std::string::npos; }

outcome every_event_has_id(context& ctx) {
    auto& s = server_of(ctx);
    std::vector<seen_event> events;
    std::string how;
    if (s.publisher) {
        stream_reader r(s.subscribe());
        if (auto failed = not_a_subscription(ctx, r, "the subscription")) return *failed;
        const std::string nonce = make_nonce(ctx.seed);
        std::string error;
        if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
            return outcome::failed("sync failed: a published update did not reach the subscriber", "sync", error, r.raw());
        std::vector<publish_request> sent;
        if (!publish_tagged(*s.publisher, nonce, 1, 3, 0, sent, error))
            return outcome::failed("publishing failed", "the hub takes the update", error);
        r.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
        events = r.data().events;
        ctx.raw = r.raw().substr(0, 4096);
        how = "updates published through the hook";
    } else {
        auto& b = s.baseline();
        ctx.raw = b.raw;
        if (!b.ok) return outcome::skipped_because("no response: " + b.error);
        if (b.cap.events.empty())
            return outcome::skipped_because("no event arrived on an idle subscription; " + needs_hook().message);
        events = b.cap.events;
        how = "the events of an idle subscription";
    }
    if (events.empty()) return outcome::failed("no event arrived", "the published updates", "nothing", ctx.raw);
    // An event without an id field keeps the previous event's last event ID (HTML 9.2.6): an
    // empty id, or the same id twice, is an event the hub sent without one of its own.
    std::set<std::string> seen;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (e.id.empty() || !seen.insert(e.id).second)
            return outcome::failed("event " + std::to_string(i + 1) + " of " + std::to_string(events.size()) + " (" + how +
                                       ") has no id of its own" +
                                       (e.id.empty() ? "" : ": its last event ID is still an earlier event's"),
                                   "an id: field on every event (the update's id, e.g. urn:uuid:...)",
                                   describe(e).substr(0, 200), ctx.raw);
    }
    return outcome::passed(std::to_string(events.size()) + " events (" + how + "), each with its own id, e.g. " +
                           events.front().id.substr(0, 80));
}

// Receives three updates, leaves, misses a fourth, and comes back naming the first one's id
// in the Last-Event-ID header (or the lastEventID query parameter): the other three must come.
outcome resume(context& ctx, bool via_query) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_hook();
    const std::string nonce = make_nonce(ctx.seed);
    std::string error;
    std::vector<publish_request> sent;
    seen_event anchor;
    {
        stream_reader r(s.subscribe());
        if (auto failed = not_a_subscription(ctx, r, "the first subscription")) return *failed;
        if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
            return outcome::failed("sync failed: a published update did not reach the subscriber", "sync", error, r.raw());
        if (!publish_tagged(*s.publisher, nonce, 1, 3, 0, sent, error))
            return outcome::failed("publishing failed", "the hub takes the update", error);
        r.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
        const auto got = after_sync(r.data(), nonce);
        ctx.raw = r.raw().substr(0, 4096);
        if (got.size() < 3 || got.front().data != sent.front().data)
            return outcome::failed("the first subscription did not receive the 3 updates published", "3 updates",
                                   std::to_string(got.size()) + " after the sync", ctx.raw);
        anchor = got.front();
        if (anchor.id.empty())
            return outcome::failed("the first update came without an id: nothing to resume from (see mercure/id/1)",
                                   "an id: field", describe(anchor), ctx.raw);
        r.close();
    }
    if (!publish_tagged(*s.publisher, nonce, 4, 1, 0, sent, error))
        return outcome::failed("publishing failed", "the hub takes the update", error);
    auto req = via_query ? s.subscribe() : s.subscribe({{"Last-Event-ID", anchor.id}});
    if (via_query)
        req.url.target += (req.url.target.find('?') == std::string::npos ? "?" : "&") + std::string("lastEventID=") +
                          query_value(anchor.id);
    const std::string how = via_query ? "?lastEventID=" + anchor.id : "Last-Event-ID: " + anchor.id;
    stream_reader r(std::move(req));
    if (auto failed = not_a_subscription(ctx, r, "the subscription with " + how)) return *failed;
    r.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
    ctx.raw = r.raw().substr(0, 4096);
    std::vector<std::string> want, got;
    for (std::size_t i = 1; i < sent.size(); ++i) want.push_back(data_as_received(sent[i].data));
    for (const auto& e : r.data().events)
        if (of_case(e, nonce)) got.push_back(e.data);
    if (got != want)
        return outcome::failed("reconnecting with " + how + " (the first of 3 updates received, then one missed) did "
                               "not bring exactly the updates published after it",
                               join_lines(want), got.empty() ? "no update of this case" : join_lines(got), ctx.raw);
    return outcome::passed("with " + how.substr(0, 100) + ": the 2 updates after it and the one missed, in order, "
                           "nothing repeated");
}

outcome resume_header(context& ctx) { return resume(ctx, false); }
outcome resume_query(context& ctx) { return resume(ctx, true); }

outcome last_event_id_header(context& ctx) {
    auto& s = server_of(ctx);
    const std::string asked = "urn:uuid:sse-conformance-never-issued-" + make_nonce(ctx.seed);
    stream_reader r(s.subscribe({{"Last-Event-ID", asked}}));
    if (auto failed = not_a_subscription(ctx, r, "a subscription with Last-Event-ID")) return *failed;
    const auto& head = r.data().head;
    if (!head.has_header("last-event-id"))
        return outcome::failed("the hub answered a subscription carrying Last-Event-ID without a Last-Event-ID "
                               "response header (a subscriber cannot tell whether updates were lost)",
                               "Last-Event-ID: earliest (the id asked for was never issued)", "no Last-Event-ID header",
                               head.raw);
    const std::string value(head.header("last-event-id"));
    if (value.empty())
        return outcome::failed("the Last-Event-ID response header is empty", "Last-Event-ID: earliest", "Last-Event-ID: ",
                               head.raw);
    if (value == "earliest")
        return outcome::passed("Last-Event-ID: earliest for an id never issued");
    return outcome::passed("Last-Event-ID: " + value.substr(0, 100) + " for an id never issued (" + draft +
                           " asks for `earliest` when the requested event does not exist; an earlier draft's hub "
                           "sends its latest id)");
}

outcome heartbeat(context& ctx) {
    auto& s = server_of(ctx);
    const auto& o = ctx.options;
    if (o.soak.count() == 0)
        return outcome::skipped_because("pass --soak DURATION (e.g. 130s) to hold an idle subscription open and grade "
                                        "the hub's heartbeat");
    // The Mercure.rocks hub's default heartbeat is 40 s; --heartbeat-max, when changed from its
    // default, decides instead (a short soak against a hub with a short heartbeat, in tests).
    const milliseconds limit = o.heartbeat_max != run_options{}.heartbeat_max ? o.heartbeat_max : milliseconds(40000);
    auto req = s.subscribe();
    req.idle_timeout = milliseconds(0);  // the silence is what is measured
    stream_reader r(std::move(req));
    if (auto failed = not_a_subscription(ctx, r, "the subscription")) return *failed;
    r.read_until([](const capture&) { return false; }, o.soak);
    const auto& c = r.data();
    ctx.raw = r.raw().substr(0, 4096);
    const auto head = r.probe().head_at().value_or(milliseconds(0));
    const auto end = r.probe().elapsed();
    const auto longest = std::max(c.longest_silence, end - c.last_bytes_at.value_or(head));
    outcome out = outcome::passed("an idle subscription got something at least every " + ms(limit) + " over " +
                                  ms(end - head) + ": longest silence " + ms(longest) + ", " +
                                  std::to_string(c.comments.size()) + " comment(s)");
    if (c.ended && end - head < o.soak)
        out = outcome::failed("the hub ended the idle subscription after " + ms(end - head),
                              "the subscription open for the whole soak (" + ms(o.soak) + ")", "closed", ctx.raw);
    else if (longest > limit)
        out = outcome::failed("an idle subscription was silent for " + ms(longest) + ": proxies that cut idle "
                              "connections will drop it",
                              "a heartbeat (comment) at least every " + ms(limit), "longest silence " + ms(longest) +
                              "; " + std::to_string(c.comments.size()) + " comment(s)", ctx.raw);
    out.metrics = {{"soak_ms", (end - head).count()}, {"longest_silence_ms", longest.count()}};
    return out;
}

}  // namespace

void register_profile_mercure_cases(registry& r) {
    r.add({.id = "mercure/id/1",
           .description = "every event the hub sends carries its own id (the update's id)",
           .requirement = "draft-dunglas-mercure-08, Reconnection: \"To allow re-establishment in case of "
                          "connection loss, events dispatched by the hub MUST include an `id` property.\"",
           .level = level::must, .target = target::server, .run = every_event_has_id, .profile = "mercure"});
    r.add({.id = "mercure/last-event-id/1",
           .description = "a subscriber reconnecting with Last-Event-ID gets the updates published after it",
           .requirement = "draft-dunglas-mercure-08, Reconnection: \"If the `Last-Event-ID` HTTP header or the "
                          "`lastEventID` query parameter is present, the hub SHOULD send all events published after "
                          "the one bearing this identifier to the subscriber, subject to authorization.\"",
           .level = level::should, .target = target::server, .active = true, .run = resume_header,
           .profile = "mercure"});
    r.add({.id = "mercure/last-event-id/2",
           .description = "a subscription carrying Last-Event-ID is answered with a Last-Event-ID response header",
           .requirement = "draft-dunglas-mercure-08, Reconnection: \"When the request contains a `Last-Event-ID` "
                          "HTTP header or a `lastEventID` query parameter, the hub MUST set a `Last-Event-ID` header "
                          "on the HTTP response.\"",
           .level = level::must, .target = target::server, .run = last_event_id_header, .profile = "mercure"});
    r.add({.id = "mercure/last-event-id/3",
           .description = "the lastEventID query parameter resumes like the Last-Event-ID header",
           .requirement = "draft-dunglas-mercure-08, Reconnection: \"the hub MUST also accept the last event ID in "
                          "a query parameter named `lastEventID`.\" (browsers' EventSource cannot set the header on "
                          "a first connection)",
           .level = level::must, .target = target::server, .active = true, .run = resume_query, .profile = "mercure"});
    r.add({.id = "mercure/heartbeat/1",
           .description = "an idle subscription held open for --soak gets a heartbeat at least every 40 s",
           .requirement = "Mercure.rocks hub configuration: `heartbeat`, \"interval between heartbeats (useful with "
                          "some proxies, and old browsers)\", default 40s; HTML 9.2.7: \"authors can include a "
                          "comment line (one starting with a ':' character) every 15 seconds or so\" (graded only "
                          "with --soak)",
           .level = level::should, .target = target::server, .run = heartbeat, .profile = "mercure"});
}

}  // namespace sse::conformance
