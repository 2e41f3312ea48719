#include "sse/net/response_parser.hpp"

#include <algorithm>

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

#include "sse/net/error.hpp"

namespace sse::net {

namespace http = boost::beast::http;

std::string_view response_head::header(std::string_view name) const noexcept {
    const auto* v = find_header(headers, name);
    return v ? std::string_view(*v) : std::string_view();
}

bool response_head::has_header(std::string_view name) const noexcept { return find_header(headers, name) != nullptr; }

std::vector<std::string_view> response_head::headers_named(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) out.emplace_back(v);
    return out;
}

// Beast's callbacks: record the head, pass body bytes on.
void response_parser::beast_parser::on_request_impl(http::verb, string_view, string_view, int, error_code&) {}

void response_parser::beast_parser::on_response_impl(int code, string_view reason, int version, error_code&) {
    owner_.head_.status = code;
    owner_.head_.reason.assign(reason.data(), reason.size());
    owner_.head_.version = version;
}

void response_parser::beast_parser::on_field_impl(http::field, string_view name, string_view value, error_code&) {
    owner_.head_.headers.emplace_back(std::string(name.data(), name.size()), std::string(value.data(), value.size()));
}

void response_parser::beast_parser::on_header_impl(error_code&) {}
void response_parser::beast_parser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}
void response_parser::beast_parser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}
void response_parser::beast_parser::on_finish_impl(error_code&) {}

std::size_t response_parser::beast_parser::on_body_impl(string_view body, error_code& ec) {
    return owner_.body(std::string_view(body.data(), body.size()), ec);
}

std::size_t response_parser::beast_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) {
    return owner_.body(std::string_view(body.data(), body.size()), ec);
}

response_parser::response_parser(handler& h, std::uint32_t max_head_size) : handler_(h), parser_(*this) {
    parser_.header_limit(max_head_size);
    parser_.body_limit(boost::none);
}

void response_parser::expect_no_body() { parser_.skip(true); }

std::size_t response_parser::body(std::string_view bytes, boost::beast::error_code& ec) {
    if (!bytes.empty() && !handler_.on_body(bytes)) {
        stopped_ = true;
        ec = boost::asio::error::operation_aborted;
    }
    return bytes.size();
}

// Puts as much of `bytes` as Beast takes; the head alone first (eager off), so its exact bytes are
// known, then the body eagerly (every chunk in one call). Returns the bytes consumed;
// sets error_ on a real error (need_more is not one).
std::size_t response_parser::put(std::string_view bytes) {
    got_some_ = true;
    std::size_t used = 0;
    while (used < bytes.size() && !parser_.is_done()) {
        boost::beast::error_code ec;
        const auto rest = boost::asio::const_buffer(bytes.data() + used, bytes.size() - used);
        if (!head_done_) {
            parser_.eager(false);
            const auto n = parser_.put(rest, ec);
            head_.raw.append(bytes.data() + used, n);  // Beast may take the status line alone
            if (ec == http::error::need_more) return used + n;
            if (ec) {
                error_ = ec;
                return used + n;
            }
            if (!parser_.is_header_done()) return used + n;
            head_done_ = true;
            head_.chunked = parser_.chunked();
            if (const auto length = parser_.content_length()) head_.content_length = *length;
            used += n;
            parser_.eager(true);
            handler_.on_head(head_);
            continue;
        }
        const auto n = parser_.put(rest, ec);
        used += n;
        if (ec == http::error::need_more) return used;
        if (ec) {
            error_ = stopped_ ? std::error_code(errc::stopped) : std::error_code(ec);
            return used;
        }
        if (n == 0) return used;
    }
    return used;
}

std::error_code response_parser::feed(std::string_view in) {
    if (error_ || parser_.is_done()) return error_;
    // First the bytes kept from earlier feeds, extended with new ones until Beast can go on: the
    // whole input for a head (it must be contiguous), a little at a time for a chunk-size line,
    // so a large read is not copied just to finish a few bytes of framing.
    while (!pending_.empty() && !in.empty()) {
        const std::size_t take = head_done_ ? std::min<std::size_t>(in.size(), 256) : in.size();
        pending_.append(in.substr(0, take));
        in.remove_prefix(take);
        const auto n = put(pending_);
        pending_.erase(0, n);
        if (error_ || parser_.is_done()) {
            pending_.clear();
            return error_;
        }
    }
    if (pending_.empty() && head_done_ && pending_.capacity() > 1024) std::string().swap(pending_);  // the head's
    if (in.empty()) return error_;
    const auto n = put(in);
    if (error_ || parser_.is_done()) return error_;
    if (n < in.size()) pending_.assign(in.substr(n));
    return {};
}

std::error_code response_parser::finish() {
    if (error_ || parser_.is_done()) return error_;
    if (!got_some_) return error_ = boost::system::error_code(boost::asio::error::eof);
    boost::beast::error_code ec;
    parser_.put_eof(ec);  // partial_message for a cut head, chunk or Content-Length body
    if (ec) error_ = ec;
    return error_;
}

}  // namespace sse::net
