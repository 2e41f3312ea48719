// Server cases that only HTTP/2 has: connection-specific header fields on a response, many event
// streams multiplexed on one connection, and a stream the client resets beside the others. They
// run when the run agreed HTTP/2 (ALPN h2, or --h2c) and are skipped over HTTP/1.1.
//
// The multi-stream cases open their streams with http_probe::submit() on one probe's h2_session,
// each heard by an h2_subscriber (its own head, sse::parser and end), at the URL -L's redirects
// lead to, and publish through the --publish hook or the conformance routes like the other active
// cases. Every wait of one case shares one deadline (3 x --timeout).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <sse/parser.hpp>

#include <boost/asio/error.hpp>

#include "server_cases.hpp"
#include "sse/net/header.hpp"
#include "stream_capture.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

using clock = http_probe::clock;

// One HTTP/2 stream of a multi-stream case: the head, the events parsed, how it ended.
struct h2_subscriber final : net::h2_session::stream_handler, sse::handler {
    std::optional<response_head> head;
    std::vector<std::string> data;  // the events' data, in order
    std::optional<std::uint32_t> closed;
    sse::parser parser{*this};

    void on_head(response_head& h) override { head = std::move(h); }
    bool on_body(std::string_view bytes) override {
        (void)parser.feed(bytes);
        return true;
    }
    void on_close(std::uint32_t code, net::h2_session::closed_by) override { closed = code; }
    sse::action on_event(const sse::event& e) override {
        data.emplace_back(e.data);
        return sse::action::proceed;
    }
    bool saw(const std::string& d) const { return std::find(data.begin(), data.end(), d) != data.end(); }
};

std::string not_h2(const server_session& s) {
    return "HTTP/2 only: the run is over " + s.protocol_line + " (run with --http2, --h2c or --both)";
}

// Reads and feeds until `done()` or the deadline. False on a transport error (`error` set; end
// of file once the connection or the HTTP/2 session has ended, so a caller stops waiting), when no
// stream is open any more (nothing more can arrive), or when the deadline passed first.
template <class Done>
bool pump_until(http_probe& p, const Done& done, clock::time_point deadline, std::error_code& error) {
    while (!done()) {
        if (auto* h = p.h2()) {
            if (!h->is_open() && h->open_streams() == 0) {
                error = boost::system::error_code(boost::asio::error::eof);
                return false;
            }
            if (h->open_streams() == 0) return false;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return false;
        p.pump(left, error);
        if (error) return false;
    }
    return true;
}

// A transport error with the HTTP/2 session's own words, when it has some.
std::string error_text(http_probe& p, const std::error_code& ec) {
    std::string text = ec.message();
    if (p.h2() && !p.h2()->last_error().empty()) text.append(" (").append(p.h2()->last_error()).append(")");
    return text;
}

std::string close_text(std::uint32_t code) {
    static const char* names[] = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
                                  "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
                                  "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
                                  "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};
    if (code < std::size(names)) return names[code];
    return "error " + std::to_string(code);
}

// A probe connected over HTTP/2 with up to `n` subscriber streams open (heads 200 received): `n`,
// or fewer when the server's SETTINGS_MAX_CONCURRENT_STREAMS is lower (connect() waited for its
// SETTINGS). Or the outcome that says why not.
struct h2_streams {
    // Declared before the probe: the session (inside the probe) is destroyed first, so no handler
    // outlives its use.
    std::vector<std::unique_ptr<h2_subscriber>> subs;
    std::unique_ptr<http_probe> probe;
    std::vector<std::int32_t> ids;
    std::uint32_t limit = 0;  // the server's SETTINGS_MAX_CONCURRENT_STREAMS
};

// The stream request, at the URL the redirects lead to when -L follows them (read with the
// redirect-following reader on its own connection, closed again).
stream_request final_request(const server_session& s) {
    auto req = s.subscribe();
    if (!req.follow_redirects) return req;
    stream_reader reader(req);
    std::string ignored;
    if (reader.open(ignored)) req = reader.final_request();
    reader.close();
    req.follow_redirects = false;
    return req;
}

std::optional<outcome> open_streams(context& ctx, server_session& s, std::size_t n, clock::time_point deadline,
                                    h2_streams& out) {
    const auto req = final_request(s);
    out.probe = std::make_unique<http_probe>(req.settings);
    auto& p = *out.probe;
    if (auto ec = p.connect(req.url)) {
        const std::string why = p.protocol_error().empty() ? ec.message() : p.protocol_error();
        return outcome::failed("cannot connect: " + why, "a connection", why);
    }
    if (!p.is_h2()) return outcome::skipped_because("the connection did not agree HTTP/2 (" + p.negotiated() + ")");
    out.limit = p.h2()->max_concurrent_streams();
    n = std::max<std::size_t>(1, std::min<std::size_t>(n, out.limit));
    const std::string bytes = http_probe::serialize(req.url, req.request);
    std::error_code error;
    auto open_one = [&]() {
        out.subs.push_back(std::make_unique<h2_subscriber>());
        out.ids.push_back(p.submit(bytes, *out.subs.back()));
    };
    open_one();
    pump_until(p, [&] { return out.subs[0]->head || out.subs[0]->closed; }, deadline, error);
    if (!out.subs[0]->head || out.subs[0]->head->status != 200)
        return outcome::failed("the first stream got no 200 head", "200 text/event-stream",
                               out.subs[0]->head ? std::to_string(out.subs[0]->head->status)
                                                 : "nothing" + (error ? ": " + error_text(p, error) : std::string()));
    for (std::size_t i = 1; i < n; ++i) open_one();
    const auto all_heads = [&] {
        return std::all_of(out.subs.begin(), out.subs.end(), [](const auto& x) { return x->head || x->closed; });
    };
    pump_until(p, all_heads, deadline, error);
    std::size_t ok = 0, refused = 0, silent = 0;
    std::string why;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& x = *out.subs[i];
        if (out.ids[i] <= 0) {
            ++refused;
            if (why.empty()) why = "submitting stream " + std::to_string(i + 1) + " failed: " + std::string(p.h2()->last_error());
        }
        else if (x.head && x.head->status == 200 && !x.closed) ++ok;
        else if (x.closed) {
            ++refused;
            if (why.empty()) why = "stream " + std::to_string(out.ids[i]) + " closed with " + close_text(*x.closed);
        } else ++silent;
    }
    ctx.raw = out.subs[0]->head->raw;
    if (ok == n) return std::nullopt;
    return outcome::failed(std::to_string(ok) + " of " + std::to_string(n) + " streams on one connection opened (" +
                               std::to_string(refused) + " refused or reset, " + std::to_string(silent) +
                               " without an answer in time); the server's SETTINGS_MAX_CONCURRENT_STREAMS is " +
                               std::to_string(out.limit) +
                               (why.empty() ? "" : "; " + why),
                           std::to_string(n) + " concurrent streams, each a 200 event stream",
                           std::to_string(ok) + " streams", ctx.raw);
}

// Publishes markers until every subscriber in `subs` (those not reset) has seen the last one, or
// the deadline. Stops (false, `error` says why) as soon as one of them closed or the connection
// ended: a marker published then could never arrive.
bool sync_streams(const publisher& pub, http_probe& p, const std::vector<h2_subscriber*>& subs,
                  const std::string& nonce, clock::time_point deadline, std::string& error) {
    for (int k = 1; clock::now() < deadline; ++k) {
        for (const auto* x : subs) {
            if (x->closed) {
                error = "a stream closed with " + close_text(*x->closed);
                if (p.h2() && !p.h2()->last_error().empty()) error.append(" (").append(p.h2()->last_error()).append(")");
                return false;
            }
        }
        const std::string m = "sse-conformance h2 sync " + nonce + "/" + std::to_string(k);
        if (!pub.publish({"", m}, error)) return false;
        std::error_code ec;
        const auto all = [&] { return std::all_of(subs.begin(), subs.end(), [&](auto* x) { return x->saw(m); }); };
        if (pump_until(p, all, std::min(deadline, clock::now() + std::chrono::milliseconds(300)), ec)) return true;
        if (ec) {
            error = error_text(p, ec);
            return false;
        }
    }
    error = "not every stream received a published sync event in time";
    return false;
}

outcome connection_header(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.h2) return outcome::skipped_because(not_h2(s));
    auto& b = s.baseline();
    ctx.raw = b.raw;
    if (!b.ok) return outcome::failed("no response: " + b.error, "a response", b.error);
    // The fixed list, TE (allowed in a request only), and every field a Connection field names.
    std::vector<std::string> forbidden{"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"};
    for (const auto& [name, value] : b.cap.head.headers) {
        if (!net::iequals(name, "connection")) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string_view token = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
            while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
            if (!token.empty()) forbidden.emplace_back(token);
        }
    }
    std::vector<std::string> found;
    for (const auto& [name, value] : b.cap.head.headers) {
        const bool bad = std::any_of(forbidden.begin(), forbidden.end(), [&](const std::string& f) { return net::iequals(name, f); });
        if (bad) found.push_back(name + ": " + value);
    }
    if (!found.empty())
        return outcome::failed("the HTTP/2 response carries connection-specific header fields (Safari drops the "
                               "stream; Chrome reports ERR_HTTP2_PROTOCOL_ERROR): " + join_lines(found),
                               "no Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, TE or "
                               "field a Connection field names",
                               join_lines(found), b.cap.head.raw);
    return outcome::passed("no connection-specific header fields on the HTTP/2 response");
}

constexpr std::size_t many = 50;

// How long a multi-stream case may take in all (opening, syncing, publishing, reading): each phase
// waits at most until this one deadline.
clock::time_point case_deadline(const server_session& s) { return clock::now() + 3 * s.timeout; }

outcome many_streams(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.h2) return outcome::skipped_because(not_h2(s));
    if (!s.publisher) return outcome::skipped_because("needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD");
    const auto deadline = case_deadline(s);
    h2_streams h;
    if (auto why = open_streams(ctx, s, many, deadline, h)) return *why;
    const std::size_t n = h.subs.size();  // fewer than `many` when the server's limit is lower
    std::vector<h2_subscriber*> all;
    for (auto& x : h.subs) all.push_back(x.get());
    const std::string nonce = make_nonce(ctx.seed);
    std::string error;
    if (!sync_streams(*s.publisher, *h.probe, all, nonce, deadline, error))
        return outcome::failed("the streams are not all live: " + error, "every stream receives what is published", error);
    std::vector<publish_request> sent;
    if (!publish_tagged(*s.publisher, nonce, 1, 3, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    const auto got_all = [&](const h2_subscriber* x) {
        return std::all_of(sent.begin(), sent.end(), [&](const publish_request& e) { return x->saw(e.data); });
    };
    std::error_code ec;
    pump_until(*h.probe, [&] { return std::all_of(all.begin(), all.end(), got_all); }, deadline, ec);
    const auto missing = std::count_if(all.begin(), all.end(), [&](auto* x) { return !got_all(x); });
    if (missing > 0)
        return outcome::failed(std::to_string(missing) + " of " + std::to_string(n) +
                                   " streams on one connection missed published events" +
                                   (ec ? " (" + error_text(*h.probe, ec) + ")" : std::string()),
                               "every stream receives the 3 events", std::to_string(n - missing) + " streams got them");
    if (n < many)
        return outcome::warned("the server's SETTINGS_MAX_CONCURRENT_STREAMS is " + std::to_string(h.limit) +
                                   " (RFC 9113 6.5.2 recommends at least 100; a browser opens every EventSource of "
                                   "an origin on one connection, so a page gets at most that many streams); the " +
                                   std::to_string(n) + " streams it allows each received the 3 events",
                               "SETTINGS_MAX_CONCURRENT_STREAMS of at least 100 (50 tested)",
                               std::to_string(h.limit));
    return outcome::passed(std::to_string(many) + " streams on one HTTP/2 connection each received the 3 events");
}

outcome reset_one(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.h2) return outcome::skipped_because(not_h2(s));
    if (!s.publisher) return outcome::skipped_because("needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD");
    const auto deadline = case_deadline(s);
    h2_streams h;
    if (auto why = open_streams(ctx, s, 3, deadline, h)) return *why;
    if (h.subs.size() < 3)
        return outcome::skipped_because("the server's SETTINGS_MAX_CONCURRENT_STREAMS is " + std::to_string(h.limit) +
                                        ": fewer than the 3 streams the case needs");
    auto& p = *h.probe;
    std::vector<h2_subscriber*> kept{h.subs[0].get(), h.subs[2].get()};
    const std::string nonce = make_nonce(ctx.seed);
    std::string error;
    if (!sync_streams(*s.publisher, p, {h.subs[0].get(), h.subs[1].get(), h.subs[2].get()}, nonce, deadline, error))
        return outcome::failed("the streams are not all live: " + error, "every stream receives what is published", error);
    p.h2()->reset(h.ids[1]);  // CANCEL
    if (auto ec = p.flush()) return outcome::failed("cannot send RST_STREAM: " + ec.message(), "a write", ec.message());
    std::vector<publish_request> sent;
    if (!publish_tagged(*s.publisher, nonce + "r", 1, 2, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    const auto got = [&](const h2_subscriber* x) {
        return std::all_of(sent.begin(), sent.end(), [&](const publish_request& e) { return x->saw(e.data); });
    };
    std::error_code ec;
    pump_until(p, [&] { return got(kept[0]) && got(kept[1]); }, deadline, ec);
    std::vector<std::string> problems;
    for (std::size_t i : {0u, 2u}) {
        const auto& x = *h.subs[i];
        const std::string name = "stream " + std::to_string(h.ids[i]);
        if (x.closed) problems.push_back(name + " was closed (" + close_text(*x.closed) + ")");
        else if (!got(&x)) problems.push_back(name + " did not receive the events published after the reset");
    }
    if (!p.h2()->is_open()) problems.push_back("the connection is closed (GOAWAY): " + std::string(p.h2()->last_error()));
    if (!problems.empty())
        return outcome::failed("resetting stream " + std::to_string(h.ids[1]) + " (RST_STREAM CANCEL) disturbed the others: " +
                                   join_lines(problems),
                               "the other streams stay open and receive what is published", join_lines(problems));
    return outcome::passed("after RST_STREAM CANCEL on stream " + std::to_string(h.ids[1]) + ", streams " +
                           std::to_string(h.ids[0]) + " and " + std::to_string(h.ids[2]) + " stayed open and received the events");
}

}  // namespace

void register_server_h2_cases(registry& r) {
    r.add({.id = "server/h2/connection-header/1",
           .description = "an HTTP/2 response carries no connection-specific header fields",
           .requirement = "RFC 9113 8.2.2: \"An endpoint MUST NOT generate an HTTP/2 message containing "
                          "connection-specific header fields. This includes the Connection header field and those "
                          "listed as having connection-specific semantics in Section 7.6.1 of [HTTP] (that is, "
                          "Proxy-Connection, Keep-Alive, Transfer-Encoding, and Upgrade).\"",
           .level = level::must, .target = target::server, .run = connection_header});
    r.add({.id = "server/h2/streams/1",
           .description = "50 event streams on one HTTP/2 connection (fewer if the server's "
                          "SETTINGS_MAX_CONCURRENT_STREAMS is lower: a warning) all receive the same published events",
           .requirement = "RFC 9113 5: \"A single HTTP/2 connection can contain multiple concurrently open streams, "
                          "with either endpoint interleaving frames from multiple streams.\" 6.5.2 "
                          "SETTINGS_MAX_CONCURRENT_STREAMS: \"It is recommended that this value be no smaller than "
                          "100, so as to not unnecessarily limit parallelism.\" (browsers share one connection per "
                          "origin among all of a page's EventSources)",
           .level = level::must, .target = target::server, .active = true, .run = many_streams});
    r.add({.id = "server/h2/reset/1",
           .description = "a stream the client resets (RST_STREAM CANCEL) does not disturb the other streams",
           .requirement = "RFC 9113 6.4: \"The RST_STREAM frame (type=0x03) allows for immediate termination of a "
                          "stream.\" 5.4.2: \"A stream error is an error related to a specific stream that does not "
                          "affect processing of other streams.\" (closing an EventSource resets its stream)",
           .level = level::must, .target = target::server, .active = true, .run = reset_one});
}

}  // namespace sse::conformance
