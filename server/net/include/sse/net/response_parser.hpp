// response_parser: an HTTP/1.x response read from bytes pushed in, on Beast's basic_parser.
//
// The caller owns the I/O: it reads whatever arrives (from a TCP or TLS stream, one byte or 64 KiB
// at a time) and calls feed(); the parser reports the head once and the body bytes as they are
// de-framed (chunked, Content-Length or close-delimited), each as a view into the caller's bytes
// whenever they lie in one feed. Bytes it cannot parse yet (a head or a chunk-size line split
// between two reads) are kept and parsed with the next feed, never rescanned from the start.
// Framing errors are Beast's (`beast.http` category: bad_chunk, header_limit, ...) and sticky.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

// GCC 12 at -O2/-O3 reports a false -Wmaybe-uninitialized inside Beast's basic_parser (on the
// boost::optional its content_length() returns; GCC bug 80635), where it is instantiated.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/beast/http/basic_parser.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "sse/net/header.hpp"

namespace sse::net {

/// The head of a response.
struct response_head {
    int status = 0;
    int version = 11;           ///< 10 for HTTP/1.0, 11 for HTTP/1.1
    std::string reason;
    header_list headers;        ///< in order; names as received, values without surrounding whitespace
    std::string raw;            ///< the head exactly as received: status line to the blank line
    bool chunked = false;       ///< Transfer-Encoding ends in chunked
    std::optional<std::uint64_t> content_length;

    /// The first value of header `name` (ASCII case-insensitive), or an empty view (valid while
    /// this object lives and is not modified).
    std::string_view header(std::string_view name) const noexcept;
    /// Whether a header `name` is present (even with an empty value).
    bool has_header(std::string_view name) const noexcept;
    /// Every value of header `name`, in order (views valid as for header()).
    std::vector<std::string_view> headers_named(std::string_view name) const;
};

class response_parser {
public:
    /// What the parser reports to. Both run inside feed() / finish(), on the caller's thread.
    class handler {
    public:
        virtual ~handler() = default;
        /// The head is complete (once). The handler may move from `head`.
        virtual void on_head(response_head& head) = 0;
        /// De-framed body bytes; the view lives during the call only. Return false to stop:
        /// feed() then returns errc::stopped and the parser takes no more input.
        virtual bool on_body(std::string_view bytes) = 0;
    };

    /// `max_head_size` bounds the status line and headers together (Beast's header_limit; a
    /// longer head is error::header_limit). The body is unbounded: an event stream has no end.
    explicit response_parser(handler& h, std::uint32_t max_head_size = 64 * 1024);
    response_parser(const response_parser&) = delete;
    response_parser& operator=(const response_parser&) = delete;

    /// The request was HEAD (or the response has no body for another reason the parser cannot
    /// see): the response is complete after its head. Call before the first feed().
    void expect_no_body();

    /// Parses `bytes` (any split, any size). Returns the first error, sticky: a malformed head or
    /// framing (Beast's codes), errc::stopped when the handler returned false. Bytes after a
    /// complete response are ignored (one request per connection).
    std::error_code feed(std::string_view bytes);

    /// The connection ended. Completes a close-delimited body; an error when the head or a framed
    /// body (chunked, Content-Length) was cut short (beast partial_message), or asio eof when
    /// nothing at all arrived.
    std::error_code finish();

    bool head_done() const noexcept { return head_done_; }
    /// The response ended by its own framing (last chunk, Content-Length reached, no body).
    bool done() const noexcept { return parser_.is_done(); }
    /// Bytes held until more input arrives (a partial head or chunk-size line).
    std::size_t buffered() const noexcept { return pending_.size(); }

private:
    class beast_parser final : public boost::beast::http::basic_parser<false> {
    public:
        explicit beast_parser(response_parser& owner) : owner_(owner) {}

    private:
        using string_view = boost::beast::string_view;
        using error_code = boost::beast::error_code;
        void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override;
        void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
        void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code& ec) override;
        void on_header_impl(error_code& ec) override;
        void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override;
        std::size_t on_body_impl(string_view body, error_code& ec) override;
        void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
        std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
        void on_finish_impl(error_code& ec) override;

        response_parser& owner_;
    };

    std::size_t put(std::string_view bytes);
    std::size_t body(std::string_view bytes, boost::beast::error_code& ec);

    handler& handler_;
    beast_parser parser_;
    response_head head_;
    std::string pending_;
    std::error_code error_;
    bool head_done_ = false;
    bool got_some_ = false;
    bool stopped_ = false;
};

}  // namespace sse::net
