#include "sse/net/request.hpp"

namespace sse::net {

std::string serialize_request(std::string_view method, const url& u, const header_list& headers,
                              std::string_view body) {
    std::string r;
    r.reserve(128 + u.target.size() + body.size());
    r.append(method).append(1, ' ').append(u.target).append(" HTTP/1.1\r\n");
    if (find_header(headers, "host") == nullptr) r.append("Host: ").append(u.authority()).append("\r\n");
    for (const auto& [name, value] : headers) {
        if (iequals(name, "content-length")) continue;
        r.append(name).append(": ").append(value).append("\r\n");
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
        r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    r.append("\r\n").append(body);
    return r;
}

bool is_redirect(int status) noexcept {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

redirect_change after_redirect(int status, std::string_view method) {
    if ((status == 303 && method != "HEAD") || ((status == 301 || status == 302) && method == "POST"))
        return {"GET", false};
    return {std::string(method), true};
}

void strip_for_redirect(header_list& headers, bool body_dropped, bool cross_origin) {
    if (body_dropped) {
        for (const char* name : {"content-type", "content-encoding", "content-language", "content-location"})
            remove_header(headers, name);
    }
    if (cross_origin) {
        for (const char* name : {"authorization", "proxy-authorization", "cookie"}) remove_header(headers, name);
    }
}

}  // namespace sse::net
