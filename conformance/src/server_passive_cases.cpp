// Passive server cases: what one plain subscription shows, with no cooperation from the server.
#include <sse/content_type.hpp>

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "server_cases.hpp"
#include "sse/net/request.hpp"

namespace sse::conformance {

server_session& server_of(context& ctx) {
    auto* s = dynamic_cast<server_session*>(ctx.session);
    if (s == nullptr) throw std::logic_error("a server case ran outside server mode");
    return *s;
}

std::string join_lines(const std::vector<std::string>& lines, std::size_t max) {
    std::string out;
    for (std::size_t i = 0; i < lines.size() && i < max; ++i) out += (i ? "\n" : "") + lines[i];
    if (lines.size() > max) out += "\n... " + std::to_string(lines.size() - max) + " more";
    return out;
}

std::string describe(const seen_event& e) {
    return nlohmann::json{{"type", e.type}, {"data", e.data}, {"id", e.id}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// The request the baseline sent, for failure details (reports redact its secrets).
std::string request_sent(const baseline& b) {
    return b.request.empty() ? std::string() : "\n\nrequest sent:\n" + b.request;
}

// The baseline, or the outcome that explains why there is none.
const baseline* baseline_or(context& ctx, outcome& why) {
    auto& b = server_of(ctx).baseline();
    ctx.raw = b.raw;
    if (!b.ok) {
        why = outcome::failed("no response: " + b.error, "a response head", b.error + request_sent(b), b.raw);
        return nullptr;
    }
    return &b;
}

std::string redirect_chain(const baseline& b) {
    std::string chain;
    for (const auto& h : b.redirects) chain += " after " + std::to_string(h.status) + " -> " + h.location;
    return chain;
}

std::vector<std::string> observations_of(const capture& c, sse::severity at_least,
                                         std::initializer_list<sse::observation_code> only = {}) {
    std::vector<std::string> out;
    for (const auto& o : c.observations) {
        if (o.code == sse::observation_code::suppressed) continue;
        if (only.size() != 0 && std::find(only.begin(), only.end(), o.code) == only.end()) continue;
        if (only.size() == 0 && o.severity < at_least) continue;
        out.push_back("line " + std::to_string(o.line) + " (byte " + std::to_string(o.offset) +
                      "): " + std::string(o.name()) + ": " + o.message);
    }
    return out;
}

outcome status_200(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    const auto& head = b->cap.head;
    const int status = head.status;
    const std::string actual = std::to_string(status) + " " + head.reason;
    if (net::is_redirect(status)) {
        // A redirect is the server's answer, reported as such: -L follows it (EventSource would).
        const auto location = head.header("location");
        const bool follow_on = server_of(ctx).request.follow_redirects;
        return outcome::failed("the stream answered " + actual + ", a redirect to " +
                                   (location.empty() ? std::string("(no Location)") : std::string(location)) +
                                   (follow_on ? " (not followed: too many redirects or no usable Location)"
                                                 : " (not followed: pass -L/--location to follow it)"),
                               "200", actual + "\nLocation: " + std::string(location) + request_sent(*b), b->raw);
    }
    if (status != 200) {
        const char* hint = status == 401 || status == 403 ? " (credentials: -H 'Authorization: ...', -b, --header-file)"
                           : status == 405               ? " (another method? -X, -d)"
                                                         : "";
        return outcome::failed("the stream answered " + std::to_string(status) + hint, "200",
                               actual + request_sent(*b), b->raw);
    }
    return outcome::passed("200 " + head.reason + redirect_chain(*b));
}

outcome content_type(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    if (!b->cap.head.has_header("content-type"))
        return outcome::failed("no Content-Type", "Content-Type: text/event-stream", "(none)", b->raw);
    const std::string ct(b->cap.head.header("content-type"));
    if (!sse::is_event_stream(ct))
        return outcome::failed("Content-Type is not text/event-stream", "text/event-stream", ct, b->raw);
    return outcome::passed("Content-Type: " + ct);
}

outcome no_content_length(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    if (b->cap.head.has_header("content-length"))
        return outcome::failed("the stream has a Content-Length", "no Content-Length",
                               "Content-Length: " + std::string(b->cap.head.header("content-length")), b->raw);
    if (b->cap.head.version == 20) return outcome::passed("no Content-Length (HTTP/2: DATA frames until END_STREAM)");
    return outcome::passed(b->cap.head.chunked ? "chunked, no Content-Length"
                                               : "no Content-Length (close-delimited)");
}

outcome cache_control(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    std::string all;
    for (const auto v : b->cap.head.headers_named("cache-control")) all += (all.empty() ? "" : ", ") + std::string(v);
    std::string lower = all;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower.find("no-cache") == std::string::npos && lower.find("no-store") == std::string::npos)
        return outcome::failed("the stream may be cached", "Cache-Control: no-cache (or no-store)",
                               all.empty() ? "(no Cache-Control)" : "Cache-Control: " + all, b->raw);
    return outcome::passed("Cache-Control: " + all);
}

outcome utf8(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    const auto bad = observations_of(b->cap, sse::severity::error, {sse::observation_code::invalid_utf8});
    if (!bad.empty())
        return outcome::failed("the stream is not valid UTF-8", "UTF-8 only", join_lines(bad), b->raw);
    return outcome::passed(std::to_string(b->cap.body.size()) + " bytes, all UTF-8");
}

outcome well_formed(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    auto bad = observations_of(b->cap, sse::severity::warning);
    bad.erase(std::remove_if(bad.begin(), bad.end(),
                             [](const std::string& s) { return s.find(": invalid-utf8: ") != std::string::npos; }),
              bad.end());
    if (!bad.empty())
        return outcome::failed(std::to_string(bad.size()) + " line(s) a client reads differently from what "
                               "the server meant", "no validator warnings or errors", join_lines(bad), b->raw);
    return outcome::passed(std::to_string(b->cap.body.size()) + " bytes, " +
                           std::to_string(b->cap.events.size()) + " events, no findings");
}

outcome style_notes(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    const auto notes = observations_of(b->cap, sse::severity::info,
                                       {sse::observation_code::bom_at_start, sse::observation_code::cr_line_ends,
                                        sse::observation_code::unknown_field, sse::observation_code::no_colon,
                                        sse::observation_code::no_space_after_colon,
                                        sse::observation_code::event_type_empty,
                                        sse::observation_code::id_only_block});
    if (notes.empty()) return outcome::informational("no style notes");
    return outcome::informational(std::to_string(notes.size()) + " note(s): " + join_lines(notes, 4));
}

outcome ids_well_formed(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    const auto bad = observations_of(b->cap, sse::severity::warning, {sse::observation_code::id_contains_nul});
    if (!bad.empty())
        return outcome::failed("an id contains U+0000, so clients ignore it", "ids without NUL",
                               join_lines(bad), b->raw);
    if (b->cap.events.empty()) return outcome::skipped_because("no event arrived within the timeout");
    return outcome::passed(std::to_string(b->cap.events.size()) + " events, ids fine");
}

outcome ids_present(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    if (b->cap.events.empty()) return outcome::skipped_because("no event arrived within the timeout");
    const auto with_id = std::count_if(b->cap.events.begin(), b->cap.events.end(),
                                       [](const seen_event& e) { return !e.id.empty(); });
    return outcome::informational(std::to_string(with_id) + " of " + std::to_string(b->cap.events.size()) +
                                  " events carry a last event ID" +
                                  (with_id == 0 ? ": clients cannot resume after a reconnection" : ""));
}

outcome retry_sane(context& ctx) {
    outcome why;
    const auto* b = baseline_or(ctx, why);
    if (b == nullptr) return why;
    const auto bad = observations_of(b->cap, sse::severity::warning,
                                     {sse::observation_code::retry_not_digits, sse::observation_code::retry_empty,
                                      sse::observation_code::retry_too_large});
    if (!bad.empty())
        return outcome::failed("a retry field clients ignore or misread",
                               "retry: ASCII digits, at most 2147483647", join_lines(bad), b->raw);
    std::string values;
    for (auto r : b->cap.retries) values += (values.empty() ? "" : ", ") + std::to_string(r);
    return outcome::passed(values.empty() ? "no retry field sent" : "retry: " + values);
}

}  // namespace

void register_server_passive_cases(registry& r) {
    r.add({.id = "server/status/1",
           .description = "the stream answers 200 OK",
           .requirement = "HTML 9.2.3: \"if res's status is not 200 [...] then fail the connection\"",
           .level = level::must, .target = target::server, .run = status_200});
    r.add({.id = "server/content-type/1",
           .description = "the stream is served as text/event-stream",
           .requirement = "HTML 9.2.3: \"if [...] res's Content-Type is not text/event-stream, then fail "
                          "the connection\"",
           .level = level::must, .target = target::server, .run = content_type});
    r.add({.id = "server/content-length/1",
           .description = "the stream has no Content-Length",
           .requirement = "Best practice (RFC 9112 6.3): an event stream has no length; with a "
                          "Content-Length, clients and proxies stop reading after that many bytes",
           .level = level::should, .target = target::server, .run = no_content_length});
    r.add({.id = "server/cache-control/1",
           .description = "the stream forbids caching",
           .requirement = "Best practice: `Cache-Control: no-cache` (or no-store) keeps caches and proxies "
                          "from storing or coalescing the stream (EventSource itself sends no-cache)",
           .level = level::should, .target = target::server, .run = cache_control});
    r.add({.id = "server/utf8/1",
           .description = "the body is valid UTF-8",
           .requirement = "HTML 9.2.5: \"Event streams in this format must always be encoded as UTF-8.\"",
           .level = level::must, .target = target::server, .run = utf8});
    r.add({.id = "server/syntax/1",
           .description = "every line reads as the server meant (no validator warnings)",
           .requirement = "HTML 9.2.5/9.2.6: lines a client ignores, discards or reads otherwise (see "
                          "sse::validator's codes: whitespace lines, near-miss field names, mixed line "
                          "ends, unterminated events, ...)",
           .level = level::should, .target = target::server, .run = well_formed});
    r.add({.id = "server/syntax/2",
           .description = "style notes (BOM, CR line ends, unknown fields, no space after colon)",
           .requirement = "HTML 9.2.5/9.2.6: allowed, but LF-only or sloppy readers may stumble",
           .level = level::info, .target = target::server, .run = style_notes});
    r.add({.id = "server/id/1",
           .description = "ids contain no U+0000 NULL",
           .requirement = "HTML 9.2.6: \"If the field value does not contain U+0000 NULL, then set the last "
                          "event ID buffer to the field value. Otherwise, ignore the field.\"",
           .level = level::should, .target = target::server, .run = ids_well_formed});
    r.add({.id = "server/id/2",
           .description = "events carry ids (so a reconnecting client can resume)",
           .requirement = "HTML 9.2.4: the last event ID is sent as Last-Event-ID on reconnection",
           .level = level::info, .target = target::server, .run = ids_present});
    r.add({.id = "server/retry/1",
           .description = "retry values are ASCII digits and fit a 32-bit timer",
           .requirement = "HTML 9.2.6: \"If the field value consists of only ASCII digits, then interpret the "
                          "field value as an integer in base ten [...] Otherwise, ignore the field.\"",
           .level = level::should, .target = target::server, .run = retry_sane});
}

}  // namespace sse::conformance
