#include "endpoint_request.hpp"

namespace sse::conformance {

stream_request endpoint_request(const server_session& s, std::string method, std::string body,
                                net::header_list extra) {
    stream_request r = s.subscribe();
    r.request.method = std::move(method);
    r.request.body = std::move(body);
    r.request.headers = s.plain_headers(std::move(extra));
    r.request.default_accept = false;
    return r;
}

bool read_response(stream_reader& r, std::chrono::milliseconds wait, std::string& error,
                   const std::function<bool(const capture&)>& done) {
    if (!r.open(error)) return false;
    r.read_until([&](const capture& c) { return c.ended || (done && done(c)); }, wait);
    return true;
}

std::optional<nlohmann::json> parse_json(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

std::string bounded_raw(const std::string& raw, std::size_t max) {
    return raw.size() <= max ? raw : raw.substr(0, max);
}

}  // namespace sse::conformance
