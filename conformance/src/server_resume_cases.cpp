// Server cases on Last-Event-ID resume that need no hook: a stream that publishes on its own (a
// ticker, a clock, a log tail) is read, left (by the client, or by the server closing it) and
// resumed with the last id received; what comes next is graded by the order of its ids. With a
// publish hook, the hook only makes traffic on a quiet stream; the grading is the same.
#include <memory>
#include <string>
#include <vector>

#include "resume_check.hpp"
#include "server_cases.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

id_order order_of(const run_options& o) {
    return o.id_order.empty() ? id_order::automatic : parse_id_order(o.id_order).value_or(id_order::automatic);
}

std::size_t non_signal_events(const capture& c, const run_options& o) {
    std::size_t n = 0;
    for (const auto& e : c.events) n += is_truncation_signal(e, o) ? 0 : 1;
    return n;
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

outcome resume_after_client_close(context& ctx) {
    auto& s = server_of(ctx);
    stream_reader a(s.subscribe());
    std::string error;
    if (!a.open(error)) return outcome::failed("no stream", "a stream", error, a.raw());
    const std::string nonce = make_nonce(ctx.seed);
    std::vector<publish_request> sent;
    const bool fed = s.publisher.has_value();
    if (fed) {
        // A quiet stream: the hook makes the traffic (2 events received, 2 more while away).
        if (!sync_readers(*s.publisher, {&a}, nonce, s.timeout, error))
            return outcome::failed("sync failed", "sync", error, a.raw());
        if (!publish_tagged(*s.publisher, nonce, 1, 2, 0, sent, error))
            return outcome::failed("publishing failed", "publish works", error);
        a.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
    } else {
        a.read_until([](const capture& c) { return c.events.size() >= 3; }, s.timeout);
    }
    a.close();
    const auto before = a.data().events;
    if (before.empty())
        return outcome::skipped_because("no event within " + ms(s.timeout) +
                                        ": the stream does not publish on its own (a publish hook makes traffic)");
    const std::string last = before.back().id;
    if (last.empty()) return outcome::skipped_because("events carry no id: nothing to resume from");
    if (fed && !publish_tagged(*s.publisher, nonce, 3, 2, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    stream_reader b(s.subscribe({{"Last-Event-ID", last}}));
    if (!b.open(error)) return outcome::failed("no stream on reconnection", "a stream", error, b.raw());
    b.read_until([&](const capture& c) { return fed ? has_all(c, sent) : non_signal_events(c, ctx.options) >= 3; },
                 s.timeout);
    ctx.raw = b.raw();
    auto graded = check_resume(before, b.data().events, order_of(ctx.options),
                               [&](const seen_event& e) { return is_truncation_signal(e, ctx.options); });
    if (!graded) {
        if (fed)
            return outcome::failed("resuming with Last-Event-ID: " + last + ": the 2 events published while away "
                                   "never came", "the events after id " + last + ", or a truncation signal",
                                   "nothing within " + ms(s.timeout), ctx.raw);
        return outcome::skipped_because("no event within " + ms(s.timeout) + " of resuming after id " + last);
    }
    return *graded;
}

// The stream to leave by a server-side close: the stream itself when the server ends it within
// the timeout, else the conformance route /conformance/count (which closes after 3 of 6 events).
outcome resume_after_server_close(context& ctx) {
    auto& s = server_of(ctx);
    bool on_route = false;
    auto open = [&](net::header_list extra) {
        return on_route ? s.route("/conformance/count?n=6&close_after=3", "GET", {}, std::move(extra))
                        : s.subscribe(std::move(extra));
    };
    std::string error;
    auto a = std::make_unique<stream_reader>(open({}));
    if (!a->open(error)) return outcome::failed("no stream", "a stream", error, a->raw());
    a->read_until([](const capture& c) { return c.ended; }, s.timeout);
    a->close();
    if (!a->data().ended && s.contract) {
        on_route = true;
        a = std::make_unique<stream_reader>(open({}));
        if (!a->open(error)) return outcome::failed("no stream", "a stream", error, a->raw());
        a->read_until([](const capture& c) { return c.ended; }, s.timeout);
        a->close();
    }
    if (!a->data().ended)
        return outcome::skipped_because("the server kept the stream open for " + ms(s.timeout) +
                                        ": no server-side close to resume after");
    const auto before = a->data().events;
    if (before.empty()) return outcome::skipped_because("the server closed the stream before any event");
    const std::string last = before.back().id;
    if (last.empty()) return outcome::skipped_because("events carry no id: nothing to resume from");
    stream_reader b(open({{"Last-Event-ID", last}}));
    if (!b.open(error)) return outcome::failed("no stream on reconnection", "a stream", error, b.raw());
    ctx.raw = b.raw();
    if (b.data().head.status == 204)
        return outcome::passed("after id " + last + " the server answered 204: nothing more, the client stops");
    b.read_until([&](const capture& c) { return c.ended || non_signal_events(c, ctx.options) >= 3; }, s.timeout);
    ctx.raw = b.raw();
    auto graded = check_resume(before, b.data().events, order_of(ctx.options),
                               [&](const seen_event& e) { return is_truncation_signal(e, ctx.options); });
    if (!graded) {
        if (b.data().ended) return outcome::passed("after id " + last + " the resumed stream ended with no event");
        return outcome::informational("no event within " + ms(s.timeout) + " of resuming after id " + last);
    }
    return *graded;
}

}  // namespace

void register_server_resume_cases(registry& r) {
    r.add({.id = "server/resume/3",
           .description = "a client that leaves and resumes with Last-Event-ID gets no event again, and no gap "
                          "in ordered ids (no hook needed)",
           .requirement = "HTML 9.2.4: on reconnection the client sends its last event ID string as "
                          "`Last-Event-ID`; a server honouring it resumes after that event: nothing received "
                          "comes again, and with ordered ids (--id-order) no id is skipped unless a truncation "
                          "signal comes first; opaque ids are reported",
           .level = level::must, .target = target::server, .run = resume_after_client_close});
    r.add({.id = "server/resume/4",
           .description = "after the server closes the stream, a resume with Last-Event-ID gets no event "
                          "again, and no gap in ordered ids",
           .requirement = "HTML 9.2.1/9.2.3: when the connection closes, the client reconnects with the last "
                          "event ID; a 204 tells it to stop (\"Clients will reconnect if the connection is closed; "
                          "a client can be told to stop reconnecting using the HTTP 204 No Content response "
                          "code\")",
           .level = level::must, .target = target::server, .run = resume_after_server_close});
}

}  // namespace sse::conformance
