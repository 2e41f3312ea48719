#include "conformance_routes.hpp"

#include <array>
#include <charconv>
#include <map>

#include <nlohmann/json.hpp>

#include "base64url.hpp"
#include "conformance_items.hpp"
#include "query.hpp"
#include "sse/encoder.hpp"

namespace sse::server::detail {
namespace {

constexpr std::string_view prefix = "/conformance";
// A delay longer than this is a mistake in a test, not a scenario.
constexpr std::uint64_t max_delay_ms = 3'600'000;

route reply(response r) {
    route out;
    out.reply = std::move(r);
    return out;
}

route bad(const request& req, const std::string& reason) {
    return reply(router::text(http::status::bad_request, req, reason + "\n"));
}

response no_content(const request& req) {
    response r = router::text(http::status::no_content, req, "");
    r.erase(http::field::content_type);
    r.content_length(boost::none);
    return r;
}

// The query parameters of one request, each given at most once. Names starting with `_` are
// ignored, so a test may add a cache-busting nonce (`_=123`) to any route.
class params {
public:
    // Returns an error message, or empty on success.
    std::string parse(std::string_view query, std::initializer_list<std::string_view> allowed,
                      bool allow_unknown = false) {
        auto pairs = parse_form(query);
        if (!pairs) return "malformed query string (a % not followed by two hex digits)";
        for (auto& [name, value] : *pairs) {
            if (!name.empty() && name.front() == '_') continue;
            bool known = false;
            for (const std::string_view a : allowed) known = known || a == name;
            if (!known) {
                if (allow_unknown) continue;
                std::string list;
                for (const std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                return "unknown parameter '" + name + "' (this route takes: " +
                       (list.empty() ? "none" : list) + ")";
            }
            if (values_.count(name) != 0) return "parameter '" + name + "' given twice";
            values_.emplace(std::move(name), std::move(value));
        }
        return {};
    }
    const std::string* find(const std::string& name) const {
        const auto it = values_.find(name);
        return it == values_.end() ? nullptr : &it->second;
    }

private:
    std::map<std::string, std::string> values_;
};

std::optional<std::uint64_t> decimal(std::string_view text) {
    std::uint64_t v = 0;
    const char* const end = text.data() + text.size();
    const auto r = std::from_chars(text.data(), end, v);
    if (text.empty() || r.ec != std::errc{} || r.ptr != end) return std::nullopt;
    return v;
}

// Reads an optional decimal parameter into `out` within [min, max]; returns an error message.
std::string number(const params& p, const std::string& name, std::uint64_t min, std::uint64_t max,
                   std::optional<std::uint64_t>& out) {
    const std::string* text = p.find(name);
    if (!text) return {};
    out = decimal(*text);
    if (!out || *out < min || *out > max)
        return "parameter '" + name + "' must be a decimal number from " + std::to_string(min) +
               " to " + std::to_string(max) + ", got '" + *text + "'";
    return {};
}

// The common `retry` and `then` parameters; returns an error message.
std::string common(const params& p, std::optional<std::uint64_t>& retry, bool& hold) {
    if (auto e = number(p, "retry", 0, UINT64_MAX, retry); !e.empty()) return e;
    hold = false;
    if (const std::string* then = p.find("then")) {
        if (*then == "hold") hold = true;
        else if (*then != "close") return "parameter 'then' must be 'close' or 'hold', got '" + *then + "'";
    }
    return {};
}

std::string retry_line(std::uint64_t ms) {
    std::string out;
    sse::encode_retry(ms, out);
    return out;
}

// The head every scripted stream starts with. No Content-Length: the body runs to the close.
response stream_head() {
    response r{http::status::ok, 11};
    r.set(http::field::server, "ssekit");
    r.set(http::field::content_type, "text/event-stream");
    r.set(http::field::cache_control, "no-cache");
    r.set("X-Accel-Buffering", "no");
    r.keep_alive(false);
    return r;
}

route scripted(const request& req, std::unique_ptr<script_source> source, bool hold) {
    route out;
    if (req.method() == http::verb::head) {  // the head a GET would get, and no stream
        out.reply = stream_head();
        return out;
    }
    out.scripted.emplace(script{stream_head(), std::move(source), hold});
    return out;
}

route index(const request& req) {
    nlohmann::json routes = nlohmann::json::array();
    const auto add = [&routes](std::string_view path, std::vector<std::string> methods,
                               std::vector<std::string> parameters) {
        routes.push_back({{"path", std::string(prefix) + std::string(path)},
                          {"methods", std::move(methods)},
                          {"params", std::move(parameters)}});
    };
    add("/echo", {"GET", "POST"}, {"events", "retry", "then"});
    add("/raw", {"GET"}, {"bytes", "chunk", "delay_ms", "then"});
    add("/count", {"GET"}, {"n", "close_after", "interval_ms", "lastEventId", "retry", "then"});
    add("/retry", {"GET"}, {"ms", "then"});
    add("/no-content", {"GET"}, {});
    add("/status", {"GET"}, {"code", "type", "location"});
    add("/close-mid-event", {"GET"}, {"events", "tail", "retry"});
    add("/request", {"GET", "POST"}, {"retry", "then"});
    const nlohmann::json body = {{"contract", 1}, {"routes", std::move(routes)}};
    response r = router::text(http::status::ok, req, body.dump() + "\n");
    r.set(http::field::content_type, "application/json");
    return reply(std::move(r));
}

// `events` (base64url of a JSON array) into items; returns an error message.
std::string decode_events(const std::string& b64, std::vector<script_item>& items) {
    const auto json_text = base64url_decode(b64);
    if (!json_text) return "parameter 'events' is not base64url";
    return encode_items(*json_text, items);
}

route echo(const request& req, std::string_view query) {
    params p;
    if (auto e = p.parse(query, {"events", "retry", "then"}); !e.empty()) return bad(req, e);
    std::optional<std::uint64_t> retry;
    bool hold = false;
    if (auto e = common(p, retry, hold); !e.empty()) return bad(req, e);
    std::vector<script_item> items;
    if (retry) items.push_back({retry_line(*retry), {}});
    const std::string* events = p.find("events");
    if (req.method() == http::verb::post) {
        if (events) return bad(req, "give the events in the body or in 'events', not both");
        const auto ct = req.find(http::field::content_type);
        const std::string_view type = ct == req.end() ? std::string_view{} : std::string_view(ct->value());
        if (type.substr(0, type.find(';')) != "application/json")
            return reply(router::text(http::status::unsupported_media_type, req,
                                      "send the events as an application/json array\n"));
        if (auto e = encode_items(req.body(), items); !e.empty()) return bad(req, e);
    } else {
        if (!events) return bad(req, "parameter 'events' is required (base64url of a JSON array)");
        if (auto e = decode_events(*events, items); !e.empty()) return bad(req, e);
    }
    return scripted(req, std::make_unique<list_source>(std::move(items)), hold);
}

route raw(const request& req, std::string_view query) {
    params p;
    if (auto e = p.parse(query, {"bytes", "chunk", "delay_ms", "then"}); !e.empty()) return bad(req, e);
    std::optional<std::uint64_t> retry, chunk, delay;
    bool hold = false;
    if (auto e = common(p, retry, hold); !e.empty()) return bad(req, e);
    if (auto e = number(p, "chunk", 1, UINT64_MAX, chunk); !e.empty()) return bad(req, e);
    if (auto e = number(p, "delay_ms", 0, max_delay_ms, delay); !e.empty()) return bad(req, e);
    const std::string* b64 = p.find("bytes");
    if (!b64) return bad(req, "parameter 'bytes' is required (base64url)");
    auto bytes = base64url_decode(*b64);
    if (!bytes) return bad(req, "parameter 'bytes' is not base64url");
    const std::size_t piece =
        chunk && *chunk < bytes->size() ? static_cast<std::size_t>(*chunk) : 0;
    return scripted(req,
                    std::make_unique<chunk_source>(std::move(*bytes), piece,
                                                   std::chrono::milliseconds(delay.value_or(0))),
                    hold);
}

route count(const request& req, std::string_view query) {
    params p;
    if (auto e = p.parse(query, {"n", "close_after", "interval_ms", "lastEventId", "retry", "then"});
        !e.empty())
        return bad(req, e);
    std::optional<std::uint64_t> retry, n, close_after, interval;
    bool hold = false;
    if (auto e = common(p, retry, hold); !e.empty()) return bad(req, e);
    if (!p.find("n")) return bad(req, "parameter 'n' is required (the last number to send)");
    if (auto e = number(p, "n", 0, UINT64_MAX, n); !e.empty()) return bad(req, e);
    if (auto e = number(p, "close_after", 1, UINT64_MAX, close_after); !e.empty()) return bad(req, e);
    if (auto e = number(p, "interval_ms", 0, max_delay_ms, interval); !e.empty()) return bad(req, e);

    // The header is what EventSource sends when it reconnects; the parameter is for a first
    // connection. A value that is not a decimal number starts from 1.
    std::optional<std::string_view> last;
    if (const auto h = req.find("Last-Event-ID"); h != req.end()) last = h->value();
    else if (const std::string* q = p.find("lastEventId")) last = *q;
    std::uint64_t first = 1;
    if (last) {
        const auto v = decimal(*last);
        if (v && *v == UINT64_MAX) return reply(no_content(req));
        if (v) first = *v + 1;
    }
    // Past the end: 204 is the spec's "stop reconnecting", so a resume scenario ends by itself.
    if (first > *n) return reply(no_content(req));
    std::uint64_t last_sent = *n;
    if (close_after && *close_after - 1 < *n - first) last_sent = first + (*close_after - 1);
    return scripted(req,
                    std::make_unique<count_source>(retry ? retry_line(*retry) : std::string(),
                                                   first, last_sent,
                                                   std::chrono::milliseconds(interval.value_or(0))),
                    hold);
}

route retry_route(const request& req, std::string_view query) {
    params p;
    if (auto e = p.parse(query, {"ms", "then"}); !e.empty()) return bad(req, e);
    std::optional<std::uint64_t> ms, unused;
    bool hold = false;
    if (auto e = common(p, unused, hold); !e.empty()) return bad(req, e);
    if (!p.find("ms")) return bad(req, "parameter 'ms' is required (the retry time to send)");
    if (auto e = number(p, "ms", 0, UINT64_MAX, ms); !e.empty()) return bad(req, e);
    std::vector<script_item> items;
    items.push_back({retry_line(*ms), {}});
    std::string event;
    sse::encode({.data = std::to_string(*ms)}, event);
    items.push_back({std::move(event), {}});
    return scripted(req, std::make_unique<list_source>(std::move(items)), hold);
}

bool is_redirect(std::uint64_t code) {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
}

// Only a path on this server: `//host` and `/\host` are network-path references to another host
// in browsers, so they are refused along with absolute URLs. Visible ASCII only (no header
// injection, no spaces).
bool is_local_path(std::string_view location) {
    if (location.empty() || location.front() != '/') return false;
    if (location.size() > 1 && (location[1] == '/' || location[1] == '\\')) return false;
    for (const char c : location)
        if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
    return true;
}

bool is_header_text(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    return true;
}

route status(const request& req, std::string_view query) {
    params p;
    if (auto e = p.parse(query, {"code", "type", "location"}); !e.empty()) return bad(req, e);
    std::optional<std::uint64_t> code;
    if (!p.find("code")) return bad(req, "parameter 'code' is required (200-599)");
    if (auto e = number(p, "code", 200, 599, code); !e.empty()) return bad(req, e);
    const std::string* type = p.find("type");
    if (type && !is_header_text(*type))
        return bad(req, "parameter 'type' must be non-empty and free of control characters");
    const std::string* location = p.find("location");
    if (is_redirect(*code) && !location)
        return bad(req, "parameter 'location' is required for a redirect (a path starting with /)");
    if (!is_redirect(*code) && location)
        return bad(req, "parameter 'location' is only for 301, 302, 303, 307 and 308");
    if (location && !is_local_path(*location))
        return bad(req, "parameter 'location' must be a path on this server: '/' then no '/' or "
                        "'\\', visible ASCII only");
    // A fixed body, so no parameter makes the server reflect chosen bytes under a chosen type.
    const bool bodiless = *code == 204 || *code == 205 || *code == 304;
    response r = router::text(http::status::ok, req,
                              bodiless ? "" : "data: status " + std::to_string(*code) + "\n\n");
    r.result(static_cast<unsigned>(*code));
    r.set(http::field::content_type, type ? *type : std::string("text/event-stream"));
    if (location) r.set(http::field::location, *location);
    if (bodiless) r.content_length(boost::none);
    return reply(std::move(r));
}

route close_mid_event(const request& req, std::string_view query) {
    params p;
    if (auto e = p.parse(query, {"events", "tail", "retry"}); !e.empty()) return bad(req, e);
    std::optional<std::uint64_t> retry;
    bool hold = false;
    if (auto e = common(p, retry, hold); !e.empty()) return bad(req, e);
    std::vector<script_item> items;
    if (retry) items.push_back({retry_line(*retry), {}});
    const std::string* events = p.find("events");
    if (!events) return bad(req, "parameter 'events' is required (base64url of a JSON array)");
    if (auto e = decode_events(*events, items); !e.empty()) return bad(req, e);
    std::string tail = "id: never-dispatched\ndata: this event is never completed\n";
    if (const std::string* t = p.find("tail")) {
        auto decoded = base64url_decode(*t);
        if (!decoded) return bad(req, "parameter 'tail' is not base64url");
        tail = std::move(*decoded);
    }
    if (!tail.empty()) items.push_back({std::move(tail), {}});
    return scripted(req, std::make_unique<list_source>(std::move(items)), false);
}

route request_route(const request& req, std::string_view query) {
    params p;
    // Other parameters are the caller's own, echoed back in `target`.
    if (auto e = p.parse(query, {"retry", "then"}, true); !e.empty()) return bad(req, e);
    std::optional<std::uint64_t> retry;
    bool hold = false;
    if (auto e = common(p, retry, hold); !e.empty()) return bad(req, e);
    std::vector<script_item> items;
    if (retry) items.push_back({retry_line(*retry), {}});
    items.push_back({describe_request(req), {}});
    return scripted(req, std::make_unique<list_source>(std::move(items)), hold);
}

struct entry {
    std::string_view path;
    route (*handler)(const request&, std::string_view);
    bool post;  // accepts POST besides GET and HEAD
};

constexpr std::array<entry, 7> streaming_routes{{
    {"/echo", echo, true},
    {"/raw", raw, false},
    {"/count", count, false},
    {"/retry", retry_route, false},
    {"/status", status, false},
    {"/close-mid-event", close_mid_event, false},
    {"/request", request_route, true},
}};

route with_methods(const request& req, bool post, route (*handler)(const request&, std::string_view),
                   std::string_view query) {
    const std::string_view allow = post ? "GET, HEAD, POST, OPTIONS" : "GET, HEAD, OPTIONS";
    const http::verb m = req.method();
    if (m == http::verb::options) {
        response r = no_content(req);
        r.set(http::field::allow, allow);
        return reply(std::move(r));
    }
    if (m == http::verb::get || m == http::verb::head || (post && m == http::verb::post))
        return handler(req, query);
    response r = router::text(http::status::method_not_allowed, req, "method not allowed\n");
    r.set(http::field::allow, allow);
    return reply(std::move(r));
}

}  // namespace

bool is_conformance_path(std::string_view path) noexcept {
    return path == prefix || (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix &&
                              path[prefix.size()] == '/');
}

route conformance_route(const request& req, std::string_view path, std::string_view query) {
    const std::string_view rest = path.substr(prefix.size());
    if (rest.empty() || rest == "/")
        return with_methods(req, false,
                            [](const request& r, std::string_view q) {
                                params p;
                                if (auto e = p.parse(q, {}); !e.empty()) return bad(r, e);
                                return index(r);
                            },
                            query);
    if (rest == "/no-content")
        return with_methods(req, false,
                            [](const request& r, std::string_view q) {
                                params p;
                                if (auto e = p.parse(q, {}); !e.empty()) return bad(r, e);
                                return reply(no_content(r));
                            },
                            query);
    for (const entry& e : streaming_routes)
        if (rest == e.path) return with_methods(req, e.post, e.handler, query);
    return reply(router::text(http::status::not_found, req, "no such conformance route\n"));
}

}  // namespace sse::server::detail
