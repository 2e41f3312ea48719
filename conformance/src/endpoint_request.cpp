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

bool at_cap(const capture& c) { return c.body.size() >= http_probe::max_raw; }

std::string cap_text() { return std::to_string(http_probe::max_raw / 1024) + " KiB"; }

bool read_response(stream_reader& r, std::chrono::milliseconds wait, std::string& error,
                   const std::function<bool(const capture&)>& done) {
    if (!r.open(error)) return false;
    r.read_until([&](const capture& c) { return c.ended || at_cap(c) || (done && done(c)); }, wait);
    return true;
}

std::string status_line(const response_head& head) {
    const std::string ct(head.header("content-type"));
    return std::to_string(head.status) + " " + head.reason + (ct.empty() ? "" : "; " + ct);
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
