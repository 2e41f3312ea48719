// router: maps one parsed request to a response, or to an event stream for the caller to open.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "context.hpp"
#include "script.hpp"

namespace sse::server::detail {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

/// What GET /events asked for.
struct stream_request {
    std::vector<std::string> topics;
    std::optional<std::string> last_event_id;  ///< header, else the lastEventId query parameter
    std::optional<std::string> cors_origin;    ///< the request's Origin, when CORS allows it
};

/// Delivers a response that was not ready when the request was routed; callable from any thread,
/// once.
using answer_fn = std::function<void(response)>;

/// The router's decision: exactly one of the four is set.
struct route {
    std::optional<response> reply;
    /// A reply that comes later (a publish through the Redis backplane): call it with the
    /// function that will send the response.
    std::function<void(answer_fn)> later;
    std::optional<stream_request> stream;
    std::optional<script> scripted;  ///< a conformance route's scripted stream
};

/// The HTTP surface of the server. Stateless apart from the shared context; thread-safe.
///
///   GET  /events?topic=A[&topic=B...][&lastEventId=N]   event stream (HEAD: its head only)
///   POST /publish   form or JSON {topic, data, type?}   200 {"id":"N"}; 401 without the token
///   GET  /healthz   200 "ok"          GET /metrics   Prometheus text
///   /conformance/...   scripted streams (conformance_routes.hpp), unless config disables them
///   OPTIONS on any route: 204 with Allow; other methods: 405 with Allow; other paths: 404.
///   With config::cors_origins, an allowed Origin gets Access-Control-Allow-Origin on every answer,
///   and a preflight (OPTIONS + Access-Control-Request-Method) the allowed methods and headers.
class router {
public:
    explicit router(context& ctx) : ctx_(ctx) {}

    /// Routes `req`. Never throws; every failure is a response.
    route handle(const request& req) const;

    /// A plain-text response with `status`, `text` as body (omitted for HEAD), Content-Length set,
    /// keep-alive as the request asked unless `close` is set.
    static response text(http::status status, const request& req, std::string_view text,
                         bool close = false);

    /// The same without a request (the request could not be parsed): HTTP/1.1, closing.
    static response error(http::status status, std::string_view text);

private:
    route dispatch(const request& req) const;
    std::optional<std::string> allowed_origin(const request& req) const;
    void add_cors(const request& req, response& res) const;
    route events(const request& req, std::string_view query) const;
    route publish(const request& req) const;
    route publish_through_redis(const request& req, std::string topic, std::string data,
                                std::string type, id_policy ids) const;
    route health(const request& req) const;
    route metrics_page(const request& req) const;
    bool authorized(const request& req) const;

    context& ctx_;
};

}  // namespace sse::server::detail
