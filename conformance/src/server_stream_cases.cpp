// Server cases on live streams: flushing, heartbeats, other methods, fan-out, slow readers and
// Last-Event-ID resume through the publish hook.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server_cases.hpp"
#include "sse/net/header.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

using std::chrono::milliseconds;

outcome needs_publisher(const server_session& s) {
    return outcome::skipped_because(s.contract
        ? "needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD"
        : "needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD (see README)");
}

// The start of a case that publishes to one subscriber: `r` opened and known to be registered
// (sync markers of `nonce`). The failure to report, or nothing when `r` is ready.
std::optional<outcome> open_synced(const server_session& s, stream_reader& r, const std::string& nonce) {
    std::string error;
    if (!r.open(error)) return outcome::failed("no stream", "a stream", error, r.raw());
    if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
        return outcome::failed("sync failed", "sync", error, r.raw());
    return std::nullopt;
}

outcome head_flushed(context& ctx) {
    auto& s = server_of(ctx);
    stream_reader r(s.subscribe());
    std::string error;
    const bool ok = r.open(error);
    ctx.raw = r.raw();
    if (!ok)
        return outcome::failed("the response head did not arrive before any event was published",
                               "the head sent at once", error, ctx.raw);
    const auto head = *r.probe().head_at();
    // The first body byte (a comment, a retry, an event), waited for no longer than the threshold.
    r.read_until([](const capture& c) { return c.first_body_at.has_value(); }, ctx.options.head_warn);
    const auto& first = r.data().first_body_at;
    auto o = outcome::passed("head after " + std::to_string(head.count()) + " ms, no event published" +
                             (first ? "; first body byte after " + std::to_string(first->count()) + " ms"
                                    : "; no body byte within " + std::to_string(ctx.options.head_warn.count()) + " ms"));
    if (head > ctx.options.head_warn)
        o = outcome::failed("head held back: a buffering proxy or an unflushed response (the head came after " +
                                std::to_string(head.count()) + " ms with nothing published)",
                            "the head within " + std::to_string(ctx.options.head_warn.count()) +
                                " ms (--head-timeout-warn)", std::to_string(head.count()) + " ms", ctx.raw);
    o.metrics.emplace_back("head_ms", head.count());
    if (first) o.metrics.emplace_back("first_body_byte_ms", first->count());
    return o;
}

outcome event_flushed(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_publisher(s);
    stream_reader r(s.subscribe());
    std::string error;
    if (!r.open(error)) return outcome::failed("no stream", "a stream", error, r.raw());
    const std::string nonce = make_nonce(ctx.seed);
    // The sync makes sure we are subscribed (it may take several events); then exactly one
    // event is published and nothing else, so a server that batches writes holds it back.
    if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
        return outcome::failed("no published event arrived", "published events delivered", error, r.raw());
    const std::string data = "conformance " + nonce + " single";
    if (!s.publisher->publish({"", data}, error)) return outcome::failed("publishing failed", "publish works", error);
    const bool seen = r.read_until([&](const capture& c) { return !c.events.empty() && c.events.back().data == data; },
                                   s.timeout);
    ctx.raw = r.raw();
    if (!seen)
        return outcome::failed("a single published event did not arrive within " + std::to_string(s.timeout.count()) +
                               " ms (held in a buffer until more arrive?)", "each event written and flushed when published",
                               "nothing", ctx.raw);
    return outcome::passed("a single published event arrived without further traffic");
}

outcome heartbeat(context& ctx) {
    auto& s = server_of(ctx);
    stream_reader r(s.subscribe());
    std::string error;
    if (!r.open(error)) return outcome::skipped_because("no stream: " + error);
    r.read_until([](const capture& c) { return c.comments.size() >= 3; }, s.timeout);
    ctx.raw = r.raw();
    const auto& c = r.data().comments;
    if (c.empty())
        return outcome::informational("no comment line within " + std::to_string(s.timeout.count()) +
                                      " ms of idle stream (proxies may cut idle streams; a comment every "
                                      "15-30 s keeps them open)");
    std::string gaps;
    for (std::size_t i = 1; i < c.size(); ++i)
        gaps += (gaps.empty() ? "" : ", ") + std::to_string((c[i].first - c[i - 1].first).count()) + " ms";
    return outcome::informational(std::to_string(c.size()) + " comment(s) in " +
                                  std::to_string(r.probe().elapsed().count()) + " ms of idle stream" +
                                  (gaps.empty() ? "" : "; intervals " + gaps));
}

// The stream URL asked with another method (or with an Origin): what the server answers, for
// information. A GET (CORS) sends the stream request's body too.
outcome other_method(context& ctx, const std::string& method, net::header_list extra) {
    auto& s = server_of(ctx);
    auto req = s.subscribe(std::move(extra));
    req.request.method = method;
    if (method != s.request.method) {
        req.request.body.clear();
        req.request.headers = s.plain_headers(req.request.headers);
        net::remove_header(req.request.headers, "content-type");
    }
    req.follow_redirects = false;
    stream_reader probe(std::move(req));
    std::string error;
    if (!probe.open(error)) {
        if (error.rfind("no complete response head", 0) == 0) return outcome::informational(method + ": " + error);
        return outcome::skipped_because(error);
    }
    const auto& head = probe.data().head;
    ctx.raw = head.raw;
    std::string fields;
    for (const char* name : {"content-type", "allow", "access-control-allow-origin", "access-control-allow-methods",
                             "access-control-allow-headers", "vary"}) {
        if (head.has_header(name)) fields += std::string("; ") + name + ": " + std::string(head.header(name));
    }
    return outcome::informational(method + " -> " + std::to_string(head.status) + " " + head.reason + fields);
}

outcome head_request(context& ctx) { return other_method(ctx, "HEAD", {}); }
outcome options_request(context& ctx) { return other_method(ctx, "OPTIONS", {}); }
outcome cors_request(context& ctx) {
    return other_method(ctx, server_of(ctx).request.method, {{"Origin", "http://conformance.invalid"}});
}
outcome cors_preflight(context& ctx) {
    return other_method(ctx, "OPTIONS", {{"Origin", "http://conformance.invalid"},
                                         {"Access-Control-Request-Method", server_of(ctx).request.method},
                                         {"Access-Control-Request-Headers", "last-event-id"}});
}

}  // namespace

// Publishes `count` events tagged with `nonce`; returns the requests (or an error).
bool publish_tagged(const publisher& pub, const std::string& nonce, int from, int count, std::size_t pad,
                    std::vector<publish_request>& sent, std::string& error) {
    for (int i = from; i < from + count; ++i) {
        publish_request e{"", "conformance " + nonce + " #" + std::to_string(i) + " " + std::string(pad, 'x')};
        if (!pub.publish(e, error)) return false;
        sent.push_back(std::move(e));
    }
    return true;
}

bool has_all(const capture& c, const std::vector<publish_request>& sent) {
    if (sent.empty()) return true;
    return std::any_of(c.events.begin(), c.events.end(),
                       [&](const seen_event& e) { return e.data == sent.back().data; });
}

namespace {

std::vector<std::string> data_of(const std::vector<seen_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.data);
    return out;
}

std::vector<std::string> data_of(const std::vector<publish_request>& sent) {
    std::vector<std::string> out;
    for (const auto& e : sent) out.push_back(data_as_received(e.data));
    return out;
}

outcome concurrent(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_publisher(s);
    constexpr int subscribers = 4;
    std::vector<std::unique_ptr<stream_reader>> readers;
    std::vector<stream_reader*> raw;
    std::string error;
    for (int i = 0; i < subscribers; ++i) {
        readers.push_back(std::make_unique<stream_reader>(s.subscribe()));
        if (!readers.back()->open(error)) return outcome::failed("subscriber " + std::to_string(i + 1) + " got no stream",
                                                                 "every subscriber gets the stream", error);
        raw.push_back(readers.back().get());
    }
    const std::string nonce = make_nonce(ctx.seed);
    if (!sync_readers(*s.publisher, raw, nonce, s.timeout, error))
        return outcome::failed("not every subscriber received the sync event", "all subscribers see every event", error);
    std::vector<publish_request> sent;
    if (!publish_tagged(*s.publisher, nonce, 1, 8, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    std::vector<seen_event> first;
    for (int i = 0; i < subscribers; ++i) {
        auto& r = *readers[static_cast<std::size_t>(i)];
        r.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
        auto got = after_sync(r.data(), nonce);
        ctx.raw = r.raw();
        if (data_of(got) != data_of(sent))
            return outcome::failed("subscriber " + std::to_string(i + 1) + " saw other events",
                                   join_lines(data_of(sent)), join_lines(data_of(got)), ctx.raw);
        if (i == 0) {
            first = got;
        } else if (got != first) {
            std::vector<std::string> a, b;
            for (const auto& e : first) a.push_back(describe(e));
            for (const auto& e : got) b.push_back(describe(e));
            return outcome::failed("subscribers 1 and " + std::to_string(i + 1) + " saw different ids or types",
                                   join_lines(a), join_lines(b), ctx.raw);
        }
    }
    ctx.raw.clear();
    return outcome::passed(std::to_string(subscribers) + " subscribers saw the same " +
                           std::to_string(sent.size()) + " events in order");
}

outcome slow_reader(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_publisher(s);
    stream_reader r(s.subscribe());
    const std::string nonce = make_nonce(ctx.seed);
    if (auto failed = open_synced(s, r, nonce)) return *failed;
    std::string error;
    std::vector<publish_request> sent;
    if (!publish_tagged(*s.publisher, nonce, 1, 64, 2048, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    // Read in small steps with pauses: the server's writes back up behind us.
    r.read_slowly([&](const capture& c) { return has_all(c, sent); }, s.timeout * 2, milliseconds(5));
    const auto got = data_of(after_sync(r.data(), nonce));
    const auto want = data_of(sent);
    ctx.raw = r.raw().substr(0, 4096);
    const bool prefix = got.size() <= want.size() && std::equal(got.begin(), got.end(), want.begin());
    // In order but with holes: events were dropped silently while the stream stayed open.
    bool in_order_with_holes = !prefix;
    std::ptrdiff_t last = -1;
    for (const auto& g : got) {
        const auto at = std::find(want.begin(), want.end(), g) - want.begin();
        if (at == static_cast<std::ptrdiff_t>(want.size()) || at <= last) in_order_with_holes = false;
        last = at;
    }
    if (in_order_with_holes)
        return outcome::failed("a slow subscriber silently lost " + std::to_string(want.size() - got.size()) +
                               " events in the middle of an open stream", "every event, or a disconnect the client can "
                               "resume from", join_lines(got, 6), ctx.raw);
    if (!prefix)
        return outcome::failed("a slow subscriber received events out of order, altered or duplicated",
                               "the published events in order (a prefix of them if the server disconnects a "
                               "slow subscriber)", join_lines(got, 4), ctx.raw);
    if (got.size() < want.size())
        return outcome::failed("a slow subscriber lost events (" + std::to_string(want.size() - got.size()) +
                               " of " + std::to_string(want.size()) + ")" +
                               (r.data().ended ? " and was disconnected" : ""),
                               "every event, or a disconnect the client can resume from",
                               std::to_string(got.size()) + " events", ctx.raw);
    return outcome::passed("a slow subscriber received all " + std::to_string(want.size()) + " events intact");
}

}  // namespace

// --truncation-event names the server's signal exactly; without it, any type containing "truncat".
bool is_truncation_signal(const seen_event& e, const run_options& options) {
    if (!options.truncation_event.empty()) return e.type == options.truncation_event;
    return e.type.find("truncat") != std::string::npos;
}

namespace {

outcome resume(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_publisher(s);
    stream_reader a(s.subscribe());
    const std::string nonce = make_nonce(ctx.seed);
    if (auto failed = open_synced(s, a, nonce)) return *failed;
    std::string error;
    std::vector<publish_request> sent;
    if (!publish_tagged(*s.publisher, nonce, 1, 6, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    a.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
    a.close();
    const auto first = after_sync(a.data(), nonce);
    if (first.size() != sent.size())
        return outcome::failed("the first subscription did not see the 6 published events", join_lines(data_of(sent)),
                               join_lines(data_of(first)), a.raw());
    if (first[2].id.empty()) return outcome::skipped_because("events carry no id: nothing to resume from");
    // Disconnected after the 3rd event; 2 more are published while away.
    if (!publish_tagged(*s.publisher, nonce, 7, 2, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    stream_reader b(s.subscribe({{"Last-Event-ID", first[2].id}}));
    if (!b.open(error)) return outcome::failed("no stream on reconnection", "a stream", error, b.raw());
    b.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
    ctx.raw = b.raw();
    const std::string tag = "conformance " + nonce + " #";
    std::vector<std::string> got;
    bool truncated = false;
    for (const auto& e : b.data().events) {
        if (is_truncation_signal(e, ctx.options) && got.empty()) truncated = true;
        if (e.data.rfind(tag, 0) == 0) got.push_back(e.data);
    }
    const auto all = data_of(sent);
    const std::vector<std::string> want(all.begin() + 3, all.end());
    if (got == want) return outcome::passed("resumed after id " + first[2].id + ": events 4-8, no repeat, no gap");
    if (truncated) return outcome::passed("resume answered with an explicit truncation signal");
    return outcome::failed("resuming with Last-Event-ID: " + first[2].id + " gave a repeat or a gap",
                           join_lines(want), join_lines(got), ctx.raw);
}

}  // namespace

void register_server_stream_cases(registry& r) {
    r.add({.id = "server/flush/1",
           .description = "the response head is sent at once, before any event exists",
           .requirement = "Best practice: an EventSource fires `open` only when the head arrives; a server "
                          "that buffers it until the first event leaves clients (and proxies) waiting; a head "
                          "later than --head-timeout-warn (default 1 s) is held back",
           .level = level::should, .target = target::server, .run = head_flushed});
    r.add({.id = "server/flush/2",
           .description = "a published event is delivered on its own, not held until more arrive",
           .requirement = "HTML 9.2.5 note: authors should flush so that events are delivered promptly; a "
                          "buffered stream delays every event",
           .level = level::should, .target = target::server, .active = true, .run = event_flushed});
    r.add({.id = "server/heartbeat/1",
           .description = "comment lines on an idle stream (keep-alive cadence)",
           .requirement = "HTML 9.2.7: \"authors can include a comment line [...] every 15 seconds or so\" to "
                          "keep proxies from dropping idle connections",
           .level = level::info, .target = target::server, .run = heartbeat});
    r.add({.id = "server/head/1",
           .description = "how the stream URL answers HEAD",
           .requirement = "RFC 9110 9.3.2: HEAD answers like GET without content (informational)",
           .level = level::info, .target = target::server, .run = head_request});
    r.add({.id = "server/options/1",
           .description = "how the stream URL answers OPTIONS",
           .requirement = "RFC 9110 9.3.7 (informational)",
           .level = level::info, .target = target::server, .run = options_request});
    r.add({.id = "server/cors/1",
           .description = "CORS headers for a cross-origin EventSource",
           .requirement = "Fetch: a cross-origin EventSource needs Access-Control-Allow-Origin (informational)",
           .level = level::info, .target = target::server, .run = cors_request});
    r.add({.id = "server/cors/2",
           .description = "CORS preflight for a Last-Event-ID request header",
           .requirement = "Fetch: a preflight must allow last-event-id for polyfills that set it (informational)",
           .level = level::info, .target = target::server, .run = cors_preflight});
    r.add({.id = "server/fanout/1",
           .description = "concurrent subscribers see the same events, ids and order",
           .requirement = "Best practice (pub/sub): every subscriber of a stream receives every event once, "
                          "in publication order, with the same id",
           .level = level::must, .target = target::server, .active = true, .run = concurrent});
    r.add({.id = "server/slow-reader/1",
           .description = "a slow subscriber gets every event intact, or a disconnect it can resume from",
           .requirement = "Best practice: back-pressure must never corrupt, reorder or silently drop events "
                          "on an open stream",
           .level = level::must, .target = target::server, .active = true, .run = slow_reader});
    r.add({.id = "server/resume/1",
           .description = "Last-Event-ID resumes after the given event: no repeat, no gap (or an explicit "
                          "truncation signal)",
           .requirement = "HTML 9.2.4: on reconnection the client sends `Last-Event-ID`; ssekit's contract: "
                          "resume exactly, or signal the loss first (an event of type --truncation-event, by "
                          "default any type containing \"truncat\")",
           .level = level::must, .target = target::server, .active = true, .run = resume});
}

}  // namespace sse::conformance
