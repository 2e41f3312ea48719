// Server cases on the HTTP request around the stream: requests that real clients send and
// EventSource does not (no Accept, HTTP/1.0, Accept-Encoding), Last-Event-ID values the server
// never issued, and what the head says to proxies (X-Accel-Buffering).
#include <sse/content_type.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "gunzip.hpp"
#include "server_cases.hpp"
#include "sse/net/header.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

// Opens `r` and checks that it is a stream: 200 and text/event-stream. The failure (with `what`
// in its message), or nothing with `got` describing the head.
std::optional<outcome> not_a_stream(context& ctx, stream_reader& r, const std::string& what, std::string& got) {
    std::string error;
    if (!r.open(error)) return outcome::failed(what + ": no response: " + error, "200 text/event-stream", error, r.raw());
    const auto& head = r.data().head;
    ctx.raw = head.raw;
    const std::string ct(head.header("content-type"));
    got = std::to_string(head.status) + " " + head.reason + (ct.empty() ? "" : "; " + ct);
    if (head.status != 200 || !sse::is_event_stream(ct))
        return outcome::failed(what + ": the stream answered " + got + " (an EventSource fails the connection "
                               "and does not reconnect)", "200 text/event-stream", got, head.raw);
    return std::nullopt;
}

outcome no_accept(context& ctx) {
    auto& s = server_of(ctx);
    auto req = s.subscribe();
    net::remove_header(req.request.headers, "accept");
    req.request.default_accept = false;
    stream_reader r(std::move(req));
    std::string ok;
    if (auto failed = not_a_stream(ctx, r, "a request without Accept", ok)) return *failed;
    return outcome::passed("no Accept header: " + ok);
}

outcome unknown_id(context& ctx, const std::string& id, const std::string& what) {
    auto& s = server_of(ctx);
    stream_reader r(s.subscribe({{"Last-Event-ID", id}}));
    std::string ok;
    if (auto failed = not_a_stream(ctx, r, what, ok)) return *failed;
    // What it did with the id, for the message: a truncation signal, a replay, or live events.
    r.read_until([](const capture& c) { return !c.events.empty(); }, std::min(s.timeout, std::chrono::milliseconds(1000)));
    const auto& ev = r.data().events;
    std::string then = ev.empty() ? "no event within 1 s"
                       : is_truncation_signal(ev.front(), ctx.options)
                           ? "a truncation signal first (" + ev.front().type + ")"
                           : "first event " + describe(ev.front()).substr(0, 120);
    return outcome::passed(what + ": " + ok + "; " + then);
}

outcome never_issued_id(context& ctx) {
    return unknown_id(ctx, "sse-conformance-never-issued-" + make_nonce(ctx.seed), "a Last-Event-ID never issued");
}

outcome long_id(context& ctx) {
    std::string id(1024, '7');
    return unknown_id(ctx, id, "a 1 KiB Last-Event-ID");
}

outcome http10(context& ctx) {
    auto& s = server_of(ctx);
    if (s.h2)
        return outcome::skipped_because("HTTP/1.x only: the run is over HTTP/2, which has no HTTP/1.0 request "
                                        "and no Transfer-Encoding (run with --http1.1 or --both)");
    auto req = s.subscribe();
    req.request.http10 = true;
    stream_reader r(std::move(req));
    std::string ok;
    if (auto failed = not_a_stream(ctx, r, "an HTTP/1.0 request", ok)) return *failed;
    const auto& head = r.data().head;
    if (head.has_header("transfer-encoding"))
        return outcome::failed("an HTTP/1.0 request got a response with Transfer-Encoding: " +
                                   std::string(head.header("transfer-encoding")) + " (an HTTP/1.0 client cannot decode it)",
                               "no Transfer-Encoding: the body delimited by closing the connection",
                               "Transfer-Encoding: " + std::string(head.header("transfer-encoding")), head.raw);
    return outcome::passed("HTTP/1.0: " + ok + ", HTTP/1." + std::to_string(head.version % 10) + " answer, no " +
                           "Transfer-Encoding (close-delimited)");
}

outcome accel_buffering(context& ctx) {
    auto& b = server_of(ctx).baseline();
    ctx.raw = b.raw;
    if (!b.ok) return outcome::skipped_because("no response: " + b.error);
    const auto& head = b.cap.head;
    if (!head.has_header("x-accel-buffering"))
        return outcome::informational("no X-Accel-Buffering header: behind nginx, `proxy_buffering off` (or "
                                      "`X-Accel-Buffering: no` from the server) is needed for events to flow");
    return outcome::informational("X-Accel-Buffering: " + std::string(head.header("x-accel-buffering")));
}

// A stream asked for with `Accept-Encoding: gzip, br`: markers are published one at a time
// (as sync_readers does: the server may register the subscriber after its head) until one
// arrives, decoded when the server chose gzip. A coding the suite does not decode (br,
// deflate) is graded on bytes: something must arrive after a publish.
outcome compressed(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher)
        return outcome::skipped_because("needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD");
    stream_reader r(s.subscribe({{"Accept-Encoding", "gzip, br"}}));
    std::string ok;
    if (auto failed = not_a_stream(ctx, r, "a request with Accept-Encoding: gzip, br", ok)) return *failed;
    std::string coding(r.data().head.header("content-encoding"));
    std::transform(coding.begin(), coding.end(), coding.begin(), [](unsigned char c) { return std::tolower(c); });
    const bool identity = coding.empty() || coding == "identity", gzip = coding == "gzip" || coding == "x-gzip";
    const std::string prefix = "sse-conformance compressed " + make_nonce(ctx.seed) + "/";
    std::string decode_error;
    // Whether a marker has arrived (decoded), or for an unknown coding, any body byte after `mark`.
    std::size_t mark = 0;
    const auto arrived = [&](const capture& c) {
        if (identity)
            return std::any_of(c.events.begin(), c.events.end(),
                               [&](const seen_event& e) { return e.data.rfind(prefix, 0) == 0; });
        if (!gzip) return c.body.size() > mark;
        auto d = gunzip_prefix(c.body);
        if (!d.ok && c.body.size() >= 10) decode_error = d.error;
        return d.text.find("data: " + prefix) != std::string::npos || d.text.find("data:" + prefix) != std::string::npos;
    };
    const auto deadline = http_probe::clock::now() + s.timeout;
    int k = 0;
    std::string error;
    r.read_until([](const capture&) { return false; }, std::chrono::milliseconds(100));  // what comes unasked
    mark = r.data().body.size();
    while (!arrived(r.data()) && !r.data().ended && http_probe::clock::now() < deadline && decode_error.empty()) {
        if (!s.publisher->publish({"", prefix + std::to_string(++k)}, error))
            return outcome::failed("publishing failed", "publish works", error);
        r.read_until(arrived, std::chrono::milliseconds(200));
    }
    ctx.raw = r.raw().substr(0, 4096);
    const std::string how = identity ? "not compressed" : "Content-Encoding: " + coding;
    const std::string sent = std::to_string(k) + " small event(s) published over " + std::to_string(s.timeout.count()) +
                             " ms";
    if (!decode_error.empty())
        return outcome::failed("the gzip stream does not decode: " + decode_error, "a gzip body (RFC 1952)",
                               std::to_string(r.data().body.size()) + " body bytes", ctx.raw);
    if (!arrived(r.data()))
        return outcome::failed("with Accept-Encoding: gzip, br (" + how + "), no published event arrived: " + sent +
                                   (identity ? "" : "; " + std::to_string(r.data().body.size()) +
                                                        " compressed body bytes in all (a compressor that buffers "
                                                        "until its block fills, never flushed per event)"),
                               "each event delivered promptly, flushed through the compressor", how + ", nothing after " + sent,
                               ctx.raw);
    if (!identity && !gzip)
        return outcome::informational(how + ": bytes arrived after a publish (the suite does not decode " + coding +
                                      ", so their content is not checked)");
    return outcome::passed("with Accept-Encoding: gzip, br (" + how + "): event " + std::to_string(k) +
                           " of the markers arrived" + (gzip ? ", decoded" : ""));
}

}  // namespace

void register_server_http_cases(registry& r) {
    r.add({.id = "server/accept/1",
           .description = "a stream request without an Accept header still gets the stream",
           .requirement = "RFC 9110 12.5.1: \"A request without any Accept header field implies that the user "
                          "agent will accept any media type in response\"; curl, proxies' health checks and many "
                          "SDKs send none",
           .level = level::should, .target = target::server, .run = no_accept});
    r.add({.id = "server/last-event-id/1",
           .description = "a Last-Event-ID the server never issued still gets the stream",
           .requirement = "HTML 9.2.4: the client sends whatever last event ID it has (an old server's, another "
                          "deployment's); a server that fails the request leaves an EventSource closed for good "
                          "(\"if res's status is not 200 [...] fail the connection\")",
           .level = level::should, .target = target::server, .run = never_issued_id});
    r.add({.id = "server/last-event-id/2",
           .description = "a 1 KiB Last-Event-ID still gets the stream",
           .requirement = "HTML 9.2.6: the id field has no length limit, and the client sends it back as "
                          "Last-Event-ID; a server (or its HTTP layer) refusing a 1 KiB header value fails the "
                          "connection for good",
           .level = level::should, .target = target::server, .run = long_id});
    r.add({.id = "server/http10/1",
           .description = "an HTTP/1.0 request gets the stream without Transfer-Encoding",
           .requirement = "RFC 9112 6.1: \"A server MUST NOT send a response containing Transfer-Encoding unless "
                          "the corresponding request indicates HTTP/1.1 (or later minor revisions).\"",
           .level = level::must, .target = target::server, .run = http10});
    r.add({.id = "server/compression/1",
           .description = "a stream asked for with Accept-Encoding: gzip, br still delivers each event promptly",
           .requirement = "HTML 9.2.7 (Authoring notes): \"Authors are also cautioned that HTTP chunking can have "
                          "unexpected negative effects on the reliability of this protocol, in particular if the "
                          "chunking is done by a different layer unaware of the timing requirements.\" A compressor "
                          "is such a layer: RFC 9110 8.4.1 content codings may be applied, but each event must "
                          "still be flushed through it",
           .level = level::must, .target = target::server, .active = true, .run = compressed});
    r.add({.id = "server/x-accel-buffering/1",
           .description = "whether the stream tells nginx not to buffer it (X-Accel-Buffering: no)",
           .requirement = "nginx: \"Buffering can also be enabled or disabled by passing 'yes' or 'no' in the "
                          "X-Accel-Buffering response header field\" (informational)",
           .level = level::info, .target = target::server, .run = accel_buffering});
}

}  // namespace sse::conformance
