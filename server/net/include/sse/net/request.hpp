// Writing an HTTP/1.1 request, and what a redirect changes about the next one: shared by
// sse::client, sse-conformance and sse-load so the three send the same bytes for the same request.
#pragma once

#include <string>
#include <string_view>

#include "sse/net/header.hpp"
#include "sse/net/url.hpp"

namespace sse::net {

/// The bytes of an HTTP/1.1 request for `u`: the request line (`method` and u.target), `Host`
/// (u.authority(), unless `headers` has a Host of its own), `headers` in order (a Content-Length
/// among them is ignored), `Content-Length` when `body` is non-empty or the method is POST, PUT or
/// PATCH, the blank line and the body. The caller has checked the method with is_token() and the
/// headers with is_token() / is_field_value(): nothing is escaped here.
std::string serialize_request(std::string_view method, const url& u, const header_list& headers,
                              std::string_view body);

/// 301, 302, 303, 307 or 308: a redirect that a client may follow (Fetch "redirect status").
bool is_redirect(int status) noexcept;

/// What following one redirect does to the request (Fetch 4.4 "HTTP-redirect fetch").
struct redirect_change {
    std::string method;  ///< GET after a 303 (unless HEAD) and after a 301/302 of a POST; else unchanged
    bool keep_body;      ///< false exactly when the method was changed to GET
};
redirect_change after_redirect(int status, std::string_view method);

/// Removes from `headers` what must not follow a redirect: the request-body headers
/// (Content-Type, Content-Encoding, Content-Language, Content-Location) when the body is dropped,
/// and credentials (Authorization, Proxy-Authorization, Cookie) when the redirect leaves the
/// origin, as fetch and curl do, so a token is never sent to a host it was not given for.
void strip_for_redirect(header_list& headers, bool body_dropped, bool cross_origin);

}  // namespace sse::net
