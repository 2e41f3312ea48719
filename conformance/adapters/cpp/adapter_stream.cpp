#include "adapter_stream.hpp"

#include <stdexcept>

namespace sse::conformance::adapter {

namespace {

using json = nlohmann::json;

// Views from the client may hold bytes that are not UTF-8 (a comment line); replace them with
// U+FFFD instead of throwing, so a message is never lost.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool is_http_url(const json& v, bool https_too) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    return s.starts_with("http://") || (https_too && s.starts_with("https://"));
}

// An optional non-negative integer parameter; throws when present with another type.
void check_ms(const json& params, const char* key) {
    auto it = params.find(key);
    if (it == params.end() || it->is_null()) return;
    if (!it->is_number_integer() || it->get<long long>() < 0)
        throw std::invalid_argument(std::string(key) + " must be a non-negative integer");
}

sse::client::options to_options(const json& params) {
    if (!params.is_object()) throw std::invalid_argument("the body must be a JSON object");
    auto stream_url = params.find("streamUrl");
    if (stream_url == params.end() || !is_http_url(*stream_url, true))
        throw std::invalid_argument("streamUrl must be an http:// or https:// URL");
    auto callback_url = params.find("callbackUrl");
    if (callback_url == params.end() || !is_http_url(*callback_url, false))
        throw std::invalid_argument("callbackUrl must be an http:// URL");
    check_ms(params, "initialDelayMs");
    check_ms(params, "readTimeoutMs");  // accepted for compatibility; `read-timeout` is not announced

    sse::client::options o;
    o.url = stream_url->get<std::string>();
    if (auto it = params.find("initialDelayMs"); it != params.end() && !it->is_null())
        o.policy.initial_reconnection_time = std::chrono::milliseconds(it->get<long long>());
    if (auto it = params.find("lastEventId"); it != params.end() && !it->is_null()) {
        if (!it->is_string()) throw std::invalid_argument("lastEventId must be a string");
        o.last_event_id = it->get<std::string>();
    }
    if (auto it = params.find("method"); it != params.end() && !it->is_null()) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty())
            throw std::invalid_argument("method must be a non-empty string");
        o.method = it->get<std::string>();
    }
    if (auto it = params.find("body"); it != params.end() && !it->is_null()) {
        if (!it->is_string()) throw std::invalid_argument("body must be a string");
        o.body = it->get<std::string>();
    }
    if (auto it = params.find("headers"); it != params.end() && !it->is_null()) {
        if (!it->is_object()) throw std::invalid_argument("headers must be an object of strings");
        for (const auto& [name, value] : it->items()) {
            if (!value.is_string()) throw std::invalid_argument("header \"" + name + "\" must have a string value");
            o.headers.emplace_back(name, value.get<std::string>());
        }
    }
    return o;
}

}  // namespace

const char* const* capabilities() {
    static const char* const list[] = {"comments", "headers", "last-event-id", "post", "report",
                                       "open", "ready-state", nullptr};
    return list;
}

adapter_stream::adapter_stream(boost::asio::any_io_executor executor, const json& params,
                               callback_sender::logger log) {
    sse::client::options opts = to_options(params);
    sender_ = std::make_shared<callback_sender>(params["callbackUrl"].get<std::string>(), std::move(log));

    // The callbacks hold the sender by shared_ptr: they may still run on the I/O thread while
    // close() runs here, and the sender ignores messages after finish().
    sse::client::callbacks cb;
    cb.on_open = [s = sender_](const sse::client::response_head&) {
        s->post(dump({{"kind", "open"}, {"readyState", 1}}));
    };
    cb.on_event = [s = sender_](const sse::event& e) {
        s->post(dump({{"kind", "event"},
                      {"event", {{"type", std::string(e.type)}, {"data", std::string(e.data)},
                                 {"id", std::string(e.last_event_id)}}}}));
    };
    cb.on_comment = [s = sender_](std::string_view text) {
        s->post(dump({{"kind", "comment"}, {"comment", std::string(text)}}));
    };
    // readyState right after the error event: CONNECTING when the client will reconnect, CLOSED
    // when it failed for good (on_closed follows, which needs no message of its own).
    cb.on_error = [s = sender_](std::error_code ec, bool will_retry) {
        s->post(dump({{"kind", "error"}, {"error", ec.message()}, {"readyState", will_retry ? 0 : 2}}));
    };
    client_ = sse::client::client::create(std::move(executor), std::move(opts), std::move(cb));
    client_->start();
}

adapter_stream::~adapter_stream() { close(); }

void adapter_stream::close() {
    if (sender_) sender_->finish();  // first: nothing reported from now on is sent
    if (client_) client_->close();
}

}  // namespace sse::conformance::adapter
