// Server cases on time: publish-to-arrival delay through the publish hook, and the keep-alive of
// an idle stream held open for --soak. Timings go to the outcome's metrics (the JSON report).
#include <algorithm>
#include <string>
#include <vector>

#include "server_cases.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

using std::chrono::milliseconds;

std::string ms(milliseconds d) { return std::to_string(d.count()) + " ms"; }

// The q-quantile (nearest rank) of sorted values.
milliseconds quantile(const std::vector<milliseconds>& sorted, double q) {
    const auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
    return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

outcome delivery_delay(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return outcome::skipped_because("needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD");
    stream_reader r(s.subscribe());
    std::string error;
    if (!r.open(error)) return outcome::failed("no stream", "a stream", error, r.raw());
    const std::string nonce = make_nonce(ctx.seed);
    if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
        return outcome::failed("sync failed", "sync", error, r.raw());
    constexpr int runs = 20;
    std::vector<milliseconds> delays;
    for (int i = 1; i <= runs; ++i) {
        // One at a time: published, then awaited, so each delay is that event's alone.
        std::vector<publish_request> one;
        const auto start = r.probe().elapsed();
        if (!publish_tagged(*s.publisher, nonce, i, 1, 0, one, error))
            return outcome::failed("publishing failed", "publish works", error);
        const std::string want = data_as_received(one.front().data);
        if (!r.read_until([&](const capture& c) { return !c.events.empty() && c.events.back().data == want; },
                          s.timeout)) {
            ctx.raw = r.raw();
            return outcome::failed("published event " + std::to_string(i) + " did not arrive within " + ms(s.timeout),
                                   "every published event delivered", "nothing", ctx.raw);
        }
        delays.push_back(std::max(milliseconds(0), r.data().events.back().at - start));
    }
    std::sort(delays.begin(), delays.end());
    const auto p50 = quantile(delays, 0.5), p99 = quantile(delays, 0.99);
    auto o = outcome::informational("publish-to-arrival over " + std::to_string(runs) + " events: p50 " + ms(p50) +
                                    ", p99 " + ms(p99) + ", max " + ms(delays.back()) +
                                    " (from the publish request to the event's blank line)");
    o.metrics = {{"latency_p50_ms", p50.count()}, {"latency_p99_ms", p99.count()}, {"latency_max_ms", delays.back().count()},
                 {"latency_samples", runs}};
    return o;
}

outcome soak(context& ctx) {
    auto& s = server_of(ctx);
    const auto& o = ctx.options;
    if (o.soak.count() == 0)
        return outcome::skipped_because("pass --soak DURATION (e.g. 130s) to hold an idle stream open and grade "
                                        "its keep-alive (server/heartbeat/1 reports a short one)");
    auto req = s.subscribe();
    req.idle_timeout = milliseconds(0);  // the silence is what is measured
    stream_reader r(std::move(req));
    std::string error;
    if (!r.open(error)) return outcome::failed("no stream", "a stream", error, r.raw());
    r.read_until([](const capture&) { return false; }, o.soak);
    const auto& c = r.data();
    ctx.raw = r.raw().substr(0, 4096);
    const auto head = r.probe().head_at().value_or(milliseconds(0));
    const auto end = r.probe().elapsed();
    // The silence still running when the soak ended counts too.
    const auto tail = end - c.last_bytes_at.value_or(head);
    const auto longest = std::max(c.longest_silence, tail);
    auto out = outcome::passed("something arrived at least every " + ms(o.heartbeat_max) + " over " + ms(end - head) +
                               " of idle stream: longest silence " + ms(longest) + ", " +
                               std::to_string(c.comments.size()) + " comment(s), " + std::to_string(c.events.size()) +
                               " event(s)");
    if (c.ended && end - head < o.soak)
        out = outcome::failed("the server ended the idle stream after " + ms(end - head),
                              "the stream open for the whole soak (" + ms(o.soak) + ")", "closed", ctx.raw);
    else if (longest > o.heartbeat_max)
        out = outcome::failed("an idle stream was silent for " + ms(longest) + ": proxies and load balancers that cut "
                              "idle connections (often at 60 s) will drop it",
                              "a comment or an event at least every " + ms(o.heartbeat_max) + " (--heartbeat-max)",
                              "longest silence " + ms(longest) + "; " + std::to_string(c.comments.size()) +
                                  " comment(s) in " + ms(end - head), ctx.raw);
    out.metrics = {{"soak_ms", (end - head).count()}, {"longest_silence_ms", longest.count()},
                   {"comments", static_cast<std::int64_t>(c.comments.size())}};
    return out;
}

}  // namespace

void register_server_timing_cases(registry& r) {
    r.add({.id = "server/latency/1",
           .description = "publish-to-arrival delay of single events (p50, p99)",
           .requirement = "HTML 9.2.5 note: authors should flush so that events are delivered promptly "
                          "(informational: the delays are reported, in the JSON as metrics)",
           .level = level::info, .target = target::server, .active = true, .run = delivery_delay});
    r.add({.id = "server/heartbeat/2",
           .description = "an idle stream held open for --soak gets something at least every --heartbeat-max",
           .requirement = "HTML 9.2.7: \"Legacy proxy servers are known to, in certain cases, drop HTTP "
                          "connections after a short timeout. To protect against such proxy servers, authors "
                          "can include a comment line (one starting with a ':' character) every 15 seconds or so.\"",
           .level = level::should, .target = target::server, .run = soak});
}

}  // namespace sse::conformance
