#include "router.hpp"

#include <nlohmann/json.hpp>

#include "conformance_routes.hpp"
#include "query.hpp"
#include "redis/backplane.hpp"
#include "sse/content_type.hpp"
#include "sse/encoder.hpp"

namespace sse::server::detail {
namespace {

constexpr std::string_view server_name = "ssekit";

// Compares in time that depends on the expected token's length only, not on where the first
// difference is, so response times do not leak the token byte by byte.
bool constant_time_equal(std::string_view given, std::string_view expected) {
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const char g = i < given.size() ? given[i] : '\0';
        diff |= static_cast<unsigned char>(g ^ expected[i]);
    }
    return diff == 0;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// `Authorization: Bearer <token>` against `token`; the scheme is case-insensitive (RFC 9110
// 11.1), the token is not.
bool bearer_matches(const request& req, std::string_view token) {
    const auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    const std::string_view value = it->value();
    constexpr std::string_view scheme = "Bearer ";
    if (value.size() < scheme.size() || !iequals(value.substr(0, scheme.size()), scheme))
        return false;
    return constant_time_equal(value.substr(scheme.size()), token);
}

route unauthorized(const request& req, std::string_view what) {
    response r = router::text(http::status::unauthorized, req, what);
    r.set(http::field::www_authenticate, "Bearer realm=\"sse-server\"");
    route out;
    out.reply = std::move(r);
    return out;
}

route reply(response r) {
    route out;
    out.reply = std::move(r);
    return out;
}

route options(const request& req, std::string_view allow) {
    response r = router::text(http::status::no_content, req, "");
    r.set(http::field::allow, allow);
    r.body().clear();
    r.content_length(boost::none);
    return reply(std::move(r));
}

route not_allowed(const request& req, std::string_view allow) {
    response r = router::text(http::status::method_not_allowed, req, "method not allowed\n");
    r.set(http::field::allow, allow);
    return reply(std::move(r));
}

struct publish_fields {
    std::optional<std::string> topic, data, type, id;
};

std::optional<publish_fields> form_fields(std::string_view body) {
    auto pairs = parse_form(body);
    if (!pairs) return std::nullopt;
    publish_fields f;
    for (auto& [name, value] : *pairs) {
        if (name == "topic") f.topic = std::move(value);
        else if (name == "data") f.data = std::move(value);
        else if (name == "type") f.type = std::move(value);
        else if (name == "id") f.id = std::move(value);
    }
    return f;
}

std::optional<publish_fields> json_fields(std::string_view body) {
    const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    publish_fields f;
    const auto take = [&j](const char* key, std::optional<std::string>& out) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null()) return true;
        if (!it->is_string()) return false;
        out = it->get<std::string>();
        return true;
    };
    if (!take("topic", f.topic) || !take("data", f.data) || !take("type", f.type) ||
        !take("id", f.id))
        return std::nullopt;
    return f;
}

// A plain-text answer to a request that is gone by the time it is built (a deferred publish).
response plain(http::status status, unsigned version, bool keep_alive, std::string_view body) {
    response r{status, version};
    r.set(http::field::server, server_name);
    r.set(http::field::content_type, "text/plain; charset=utf-8");
    r.keep_alive(keep_alive);
    r.body() = std::string(body);
    r.prepare_payload();
    return r;
}

response publish_answer(const publish_result& r, id_policy ids, unsigned version, bool keep_alive) {
    if (!r.error) {
        response ok = plain(http::status::ok, version, keep_alive,
                            ids == id_policy::none ? std::string("{\"id\":null}\n")
                                                   : "{\"id\":\"" + std::to_string(r.id) + "\"}\n");
        ok.set(http::field::content_type, "application/json");
        return ok;
    }
    std::string_view why = "Redis refused the publish (see the server log)\n";
    if (r.error == std::errc::not_connected)
        why = "the Redis backplane is unreachable: nothing was published; retry shortly\n";
    else if (r.error == std::errc::connection_aborted)
        why = "the connection to Redis broke before it answered: the event may or may not have "
              "been published\n";
    response busy = plain(http::status::service_unavailable, version, keep_alive, why);
    busy.set(http::field::retry_after, "1");
    return busy;
}

}  // namespace

response router::text(http::status status, const request& req, std::string_view body, bool close) {
    response r{status, req.version()};
    r.set(http::field::server, server_name);
    r.set(http::field::content_type, "text/plain; charset=utf-8");
    r.keep_alive(req.keep_alive() && !close);
    r.body() = std::string(body);
    r.prepare_payload();
    // HEAD gets the headers a GET would, Content-Length included, and no body.
    if (req.method() == http::verb::head) r.body().clear();
    return r;
}

response router::error(http::status status, std::string_view body) {
    response r{status, 11};
    r.set(http::field::server, server_name);
    r.set(http::field::content_type, "text/plain; charset=utf-8");
    r.keep_alive(false);
    r.body() = std::string(body);
    r.prepare_payload();
    return r;
}

route router::handle(const request& req) const {
    metrics::add(ctx_.stats.requests_total);
    route r = dispatch(req);
    if (ctx_.settings.cors_origins.empty()) return r;
    if (r.stream) {
        r.stream->cors_origin = allowed_origin(req);
        return r;
    }
    if (r.later) {
        // The headers add_cors() would set, on the response when it comes.
        r.later = [inner = std::move(r.later), origin = allowed_origin(req)](answer_fn answer) {
            inner([answer = std::move(answer), origin](response res) {
                res.set(http::field::vary, "Origin");
                if (origin) res.set(http::field::access_control_allow_origin, *origin);
                answer(std::move(res));
            });
        };
        return r;
    }
    add_cors(req, r.scripted ? r.scripted->head : *r.reply);
    return r;
}

void router::add_cors(const request& req, response& res) const {
    const std::optional<std::string> origin = allowed_origin(req);
    // The answer depends on Origin, so caches must key on it whether or not this one is allowed.
    res.set(http::field::vary, "Origin");
    if (!origin) return;
    res.set(http::field::access_control_allow_origin, *origin);
    if (req.method() == http::verb::options &&
        req.find(http::field::access_control_request_method) != req.end()) {
        // A preflight: what the page may send. Last-Event-ID is what a polyfilled EventSource
        // sets on reconnection; Authorization and Content-Type are what publishing needs.
        if (const auto allow = res.find(http::field::allow); allow != res.end())
            res.set(http::field::access_control_allow_methods, allow->value());
        res.set(http::field::access_control_allow_headers,
                "Authorization, Content-Type, Last-Event-ID");
        res.set(http::field::access_control_max_age, "600");
    }
}

std::optional<std::string> router::allowed_origin(const request& req) const {
    const auto it = req.find(http::field::origin);
    if (it == req.end()) return std::nullopt;
    const std::string_view origin = it->value();
    for (const std::string& allowed : ctx_.settings.cors_origins)
        if (allowed == "*" || allowed == origin) return std::string(origin);
    return std::nullopt;
}

route router::dispatch(const request& req) const {
    if (req.target().size() > ctx_.settings.max_target_size)
        return reply(text(http::status::uri_too_long, req, "request target too long\n", true));
    const auto [path, query] = split_target(req.target());
    const http::verb m = req.method();

    if (path == "/events") {
        if (m == http::verb::get || m == http::verb::head) return events(req, query);
        if (m == http::verb::options) return options(req, "GET, HEAD, OPTIONS");
        return not_allowed(req, "GET, HEAD, OPTIONS");
    }
    if (path == "/publish") {
        if (m == http::verb::post) return publish(req);
        if (m == http::verb::options) return options(req, "POST, OPTIONS");
        return not_allowed(req, "POST, OPTIONS");
    }
    if (path == "/healthz" || path == "/metrics") {
        if (m == http::verb::options) return options(req, "GET, HEAD, OPTIONS");
        if (m != http::verb::get && m != http::verb::head) return not_allowed(req, "GET, HEAD, OPTIONS");
        if (path == "/healthz") return health(req);
        return metrics_page(req);
    }
    if (ctx_.settings.conformance_routes && is_conformance_path(path))
        return conformance_route(req, path, query);
    if (path == "*" && m == http::verb::options) return options(req, "GET, HEAD, POST, OPTIONS");
    if (m == http::verb::get || m == http::verb::head) {
        if (auto file = ctx_.files.find(path)) {
            response r = text(http::status::ok, req, file->content);
            r.set(http::field::content_type, file->mime_type);
            r.set("X-Content-Type-Options", "nosniff");
            // Files are read per request; no-cache makes browsers revalidate too, so pages rebuilt
            // while the server runs are what they load.
            r.set(http::field::cache_control, "no-cache");
            return reply(std::move(r));
        }
    }
    return reply(text(http::status::not_found, req, "not found\n"));
}

route router::events(const request& req, std::string_view query) const {
    const auto params = parse_form(query);
    if (!params) return reply(text(http::status::bad_request, req, "malformed query string\n"));
    stream_request s;
    std::optional<std::string> token;
    for (const auto& [name, value] : *params) {
        if (name == "topic") s.topics.push_back(value);
        else if (name == "lastEventId") s.last_event_id = value;
        else if (name == "token") token = value;
    }
    if (const std::string& expected = ctx_.settings.subscribe_token; !expected.empty()) {
        // EventSource cannot set headers, hence the query parameter; either one will do.
        const bool ok = bearer_matches(req, expected) ||
                        (token && constant_time_equal(*token, expected));
        if (!ok) {
            metrics::add(ctx_.stats.subscribe_unauthorized);
            ctx_.log.write(log_level::debug, "subscribe refused", {{"reason", "token"}});
            return unauthorized(req, "subscribing needs a token: Authorization: Bearer or ?token=\n");
        }
    }
    if (s.topics.empty())
        return reply(text(http::status::bad_request, req, "give at least one topic= parameter\n"));
    // The header is what EventSource sends on reconnection; it wins over the query parameter,
    // which only serves clients that cannot set headers on their first connection.
    if (const auto it = req.find("Last-Event-ID"); it != req.end())
        s.last_event_id = std::string(it->value());

    if (req.method() == http::verb::head) {
        response r{http::status::ok, req.version()};
        r.set(http::field::server, server_name);
        r.set(http::field::content_type, "text/event-stream");
        r.set(http::field::cache_control, "no-cache");
        r.set("X-Accel-Buffering", "no");
        r.keep_alive(false);
        return reply(std::move(r));
    }
    route out;
    out.stream = std::move(s);
    return out;
}

bool router::authorized(const request& req) const {
    const std::string& token = ctx_.settings.publish_token;
    return token.empty() || bearer_matches(req, token);
}

route router::publish(const request& req) const {
    if (!authorized(req)) {
        metrics::add(ctx_.stats.publish_unauthorized);
        ctx_.log.write(log_level::debug, "publish refused", {{"reason", "token"}});
        return unauthorized(req, "publishing needs a bearer token\n");
    }
    const auto ct = req.find(http::field::content_type);
    const auto mime = sse::extract_mime_type(ct == req.end() ? std::string_view{} : std::string_view(ct->value()));
    std::optional<publish_fields> fields;
    if (mime && mime->has_essence("application/json"))
        fields = json_fields(req.body());
    else if (mime && mime->has_essence("application/x-www-form-urlencoded"))
        fields = form_fields(req.body());
    else
        return reply(text(http::status::unsupported_media_type, req,
                          "send application/x-www-form-urlencoded or application/json\n"));
    if (!fields) return reply(text(http::status::bad_request, req, "malformed body\n"));
    if (!fields->topic) return reply(text(http::status::bad_request, req, "missing topic\n"));

    // Ids come from the hub's one sequence (a chosen id could break its order); the publisher
    // only decides whether the event gets one.
    id_policy ids = id_policy::assign;
    if (fields->id && *fields->id == "none") ids = id_policy::none;
    else if (fields->id && *fields->id != "auto")
        return reply(text(http::status::bad_request, req,
                          "id must be auto (the next id, kept for resume) or none (ephemeral)\n"));
    // An event larger than a subscriber's whole queue budget could never be queued: every
    // subscriber would be cut off (or skip it) and, on resuming, be replayed the same event again.
    // Refuse it here, before it takes an id. 20 bytes stand for the largest `id: N` line.
    sse::message m;
    // Views into `fields`, which outlives `m` (value_or() would return a temporary to dangle on).
    m.type = fields->type ? std::string_view(*fields->type) : std::string_view();
    m.data = fields->data ? std::string_view(*fields->data) : std::string_view();
    // encoded_size() is 0 for what the encoder refuses (a line break in the type): publish()
    // answers that with 400 below.
    if (const std::size_t frame = sse::encoded_size(m); frame != 0 && frame + 20 > ctx_.settings.queue_budget) {
        return reply(text(http::status::payload_too_large, req,
                          "the event (" + std::to_string(frame + 20) + " bytes encoded) is larger than a "
                          "subscriber's queue budget (--queue-budget " +
                              std::to_string(ctx_.settings.queue_budget) +
                              "): no subscriber could receive it; raise --queue-budget\n"));
    }
    if (ctx_.redis)
        return publish_through_redis(req, std::move(*fields->topic), fields->data.value_or(""),
                                     fields->type.value_or(""), ids);
    const publish_result r = ctx_.events.publish(*fields->topic, fields->data.value_or(""),
                                                 fields->type.value_or(""), ids);
    if (r.error == std::errc::no_buffer_space)
        return reply(text(http::status::service_unavailable, req, "too many topics\n"));
    if (r.error == std::errc::resource_unavailable_try_again) {
        // Nothing was published (no id taken): the publisher retries, as Retry-After says.
        response busy = text(http::status::service_unavailable, req,
                             "fan-out is behind (--fanout-backlog): retry shortly\n");
        busy.set(http::field::retry_after, "1");
        return reply(std::move(busy));
    }
    if (r.error) return reply(text(http::status::bad_request, req, r.error.message() + "\n"));
    response ok = text(http::status::ok, req,
                       ids == id_policy::none
                           ? std::string("{\"id\":null}\n")
                           : "{\"id\":\"" + std::to_string(r.id) + "\"}\n");
    ok.set(http::field::content_type, "application/json");
    return reply(std::move(ok));
}

route router::publish_through_redis(const request& req, std::string topic, std::string data,
                                    std::string type, id_policy ids) const {
    // What every node would refuse to ingest is refused here, before it reaches Redis.
    if (const std::error_code ec = ctx_.events.validate(topic, type))
        return reply(text(http::status::bad_request, req, ec.message() + "\n"));
    if (!ctx_.events.has_room()) {
        metrics::add(ctx_.stats.publish_backlog_refusals);
        response busy = text(http::status::service_unavailable, req,
                             "fan-out is behind (--fanout-backlog): retry shortly\n");
        busy.set(http::field::retry_after, "1");
        return reply(std::move(busy));
    }
    route out;
    out.later = [&ctx = ctx_, topic = std::move(topic), data = std::move(data),
                 type = std::move(type), ids, version = req.version(),
                 keep_alive = req.keep_alive()](answer_fn answer) mutable {
        // Answered once Redis has the event (or failed): the id is final everywhere.
        ctx.redis->publish(std::move(topic), std::move(data), std::move(type), ids,
                           [answer = std::move(answer), ids, version, keep_alive](publish_result r) {
                               answer(publish_answer(r, ids, version, keep_alive));
                           });
    };
    return out;
}

route router::health(const request& req) const {
    if (ctx_.redis && !ctx_.redis->is_up())
        return reply(text(http::status::service_unavailable, req,
                          "degraded: the Redis backplane is unreachable (publishing answers 503, "
                          "streams stay open)\n"));
    return reply(text(http::status::ok, req, "ok\n"));
}

route router::metrics_page(const request& req) const {
    response r = text(http::status::ok, req,
                      render_prometheus(ctx_.stats, ctx_.events.topic_subscribers()));
    r.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    return reply(std::move(r));
}

}  // namespace sse::server::detail
