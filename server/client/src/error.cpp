#include "sse/client/error.hpp"

#include <string>

namespace sse::client {

namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "sse.client"; }
    std::string message(int value) const override {
        switch (static_cast<errc>(value)) {
        case errc::bad_status:
            return "the server answered with a status other than 200 (204 means stop); "
                   "not reconnecting";
        case errc::not_event_stream:
            return "the response's Content-Type is not text/event-stream; not reconnecting";
        case errc::too_many_redirects: return "too many redirects (see options::max_redirects)";
        case errc::bad_redirect: return "a redirect without a usable http(s):// Location header";
        case errc::timeout: return "no response head within options::response_timeout";
        case errc::attempts_exhausted:
            return "gave up: reconnect_policy::max_attempts consecutive attempts failed";
        case errc::end_of_stream: return "the server ended the stream";
        case errc::invalid_header:
            return "invalid request method or header: the method and header names must be HTTP "
                   "tokens, header values and the cookie must not contain CR, LF or NUL";
        case errc::invalid_last_event_id:
            return "invalid last event id: it must not contain NUL, CR or LF";
        case errc::redirect_refused:
            return "the server answered with a redirect and options::redirects is refuse; not reconnecting";
        case errc::stream_reset: return "the server reset the HTTP/2 stream (RST_STREAM or GOAWAY)";
        case errc::malformed_response:
            return "the HTTP/2 response was malformed (RFC 9113 8.2.2, e.g. a connection-specific header "
                   "field such as Connection or Transfer-Encoding) and the client reset the stream";
        }
        return "unknown sse.client error";
    }
};

}  // namespace

const std::error_category& client_category() noexcept {
    static const category instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), client_category()}; }

}  // namespace sse::client
