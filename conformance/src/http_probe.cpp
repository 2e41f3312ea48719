#include "http_probe.hpp"

#include <algorithm>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include "sse/net/request.hpp"

namespace sse::conformance {

namespace asio = boost::asio;

// The probe's own HTTP/2 stream: head and body to the probe's handler, the end to eof_.
struct http_probe::h2_stream final : net::h2_session::stream_handler {
    http_probe& probe;
    explicit h2_stream(http_probe& p) : probe(p) {}
    void on_head(response_head& head) override {
        if (probe.raw_.size() < max_raw) probe.raw_.append(head.raw.substr(0, max_raw - probe.raw_.size()));
        probe.on_head(head);
    }
    bool on_body(std::string_view bytes) override {
        if (probe.raw_.size() < max_raw) probe.raw_.append(bytes.substr(0, max_raw - probe.raw_.size()));
        probe.h2_body_bytes_ += bytes.size();
        return probe.on_body(bytes);
    }
    // An error code while the connection was still there (not the INTERNAL_ERROR that finish()
    // gives every stream at the end of file) is the server's RST_STREAM or GOAWAY, a malformed
    // response nghttp2 reset, or a connection error: an error, and a marker in raw_ saying which,
    // so a failure shows it.
    void on_close(std::uint32_t error_code, net::h2_session::closed_by by) override {
        probe.h2_close_ = error_code;
        const bool transport_gone = probe.transport_eof_;
        probe.eof_ = true;
        if (error_code == 0 || transport_gone) return;
        using by_t = net::h2_session::closed_by;
        std::string marker = by == by_t::local        ? "[reset by the client: "
                             : by == by_t::connection ? "[connection error "
                             : probe.h2_->is_open()   ? "[RST_STREAM "
                                                      : "[GOAWAY ";
        marker.append(nghttp2_http2_strerror(error_code));
        if (const auto why = probe.h2_->last_error(); !why.empty()) marker.append(": ").append(why);
        marker.append("]");
        if (probe.raw_.size() < max_raw) probe.raw_.append(marker.substr(0, max_raw - probe.raw_.size()));
        if (!probe.body_error_) probe.body_error_ = net::errc::h2_stream_reset;
    }
};

namespace {

// ALPN's wire form (RFC 7301 3.1): each name preceded by its length.
std::string alpn_wire(http_protocol p) {
    if (p == http_protocol::http2) return std::string("\x02h2", 3);
    return std::string("\x02h2\x08http/1.1", 12);
}

// Reads HTTP/1.1 request bytes (as serialize() makes them) back into their parts.
bool parse_request(std::string_view bytes, std::string& method, std::string& target, net::header_list& headers,
                   std::string& body) {
    const auto end = bytes.find("\r\n\r\n");
    if (end == std::string_view::npos) return false;
    std::string_view head = bytes.substr(0, end + 2);
    body.assign(bytes.substr(end + 4));
    const auto eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 <= sp1) return false;
    method.assign(line.substr(0, sp1));
    target.assign(line.substr(sp1 + 1, sp2 - sp1 - 1));
    head.remove_prefix(eol + 2);
    while (!head.empty()) {
        const auto e = head.find("\r\n");
        const std::string_view field = head.substr(0, e);
        head.remove_prefix(e + 2);
        const auto colon = field.find(':');
        if (colon == std::string_view::npos) return false;
        std::string_view value = field.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
        const std::string_view name = field.substr(0, colon);
        if (net::iequals(name, "content-length")) continue;  // the DATA frames carry the length
        headers.emplace_back(std::string(name), std::string(value));
    }
    return true;
}

}  // namespace

http_probe::http_probe(const probe_settings& settings)
    : settings_(settings), stream_(std::make_unique<net::stream>(ioc_.get_executor())), parser_(*this) {}

http_probe::~http_probe() { close(); }

// Runs the io_context until `done` or `wait` passed; on timeout cancels and drains, so no handler
// outlives the call.
bool http_probe::run_until(const bool& done, std::chrono::milliseconds wait) {
    ioc_.restart();
    ioc_.run_for(wait);
    if (done) return true;
    boost::system::error_code ignored;
    stream_->socket().cancel(ignored);
    ioc_.restart();
    ioc_.run();
    return done;
}

std::error_code http_probe::connect(const net::url& u) {
    url_ = u;
    const auto want = settings_.protocol;
    if (want == http_protocol::h2c && u.tls) {
        protocol_error_ = "--h2c is HTTP/2 over plain TCP (http://); for https:// use --http2 (ALPN)";
        return std::make_error_code(std::errc::protocol_not_supported);
    }
    if (want == http_protocol::http2 && !u.tls) {
        protocol_error_ = "--http2 negotiates h2 by TLS ALPN (https://); for http:// use --h2c (prior knowledge)";
        return std::make_error_code(std::errc::protocol_not_supported);
    }
    if (u.tls) {
        if (!settings_.tls) {
            net::tls_failure error;
            settings_.tls = net::make_tls_context({}, error);
            if (!settings_.tls) return error.code;
        }
        stream_ = std::make_unique<net::stream>(ioc_.get_executor(), settings_.tls, u.host);
        if (want == http_protocol::automatic || want == http_protocol::http2) {
            const auto wire = alpn_wire(want);
            SSL_set_alpn_protos(stream_->native_tls(), reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size()));
        }
    }
    asio::ip::tcp::resolver resolver(ioc_);
    boost::system::error_code rec;
    const auto endpoints = resolver.resolve(u.host, std::to_string(u.port), rec);
    if (rec) return rec;
    std::error_code result;
    net::async_connect(*stream_, endpoints, settings_.connect_timeout, [&](std::error_code ec) { result = ec; });
    ioc_.restart();
    ioc_.run();  // the operation's own timer bounds it
    if (result) return result;
    if (u.tls) {
        const unsigned char* name = nullptr;
        unsigned len = 0;
        SSL_get0_alpn_selected(stream_->native_tls(), &name, &len);
        negotiated_.assign(reinterpret_cast<const char*>(name), name ? len : 0);
    } else if (want == http_protocol::h2c) {
        negotiated_ = "h2c";
    }
    if (want == http_protocol::http2 && negotiated_ != "h2") {
        protocol_error_ = "--http2: the server did not select h2 by ALPN (" +
                          (negotiated_.empty() ? std::string("no ALPN answer") : "it chose " + negotiated_) + ")";
        close();
        return std::make_error_code(std::errc::protocol_not_supported);
    }
    if (negotiated_ == "h2" || negotiated_ == "h2c") {
        net::h2_session::options o;
        o.lenient_messaging = true;  // see connection-specific fields (RFC 9113 8.2.2) to report them
        h2_ = std::make_unique<net::h2_session>(o);
        h2_handler_ = std::make_unique<h2_stream>(*this);
        if (auto ec = flush()) return ec;  // the preface and SETTINGS
        // A server that does not speak HTTP/2 answers the preface with HTTP/1.1 bytes, or closes,
        // or says nothing: without the server's SETTINGS this is not an HTTP/2 connection.
        const auto deadline = clock::now() + settings_.connect_timeout;
        std::error_code error;
        while (!h2_->has_remote_settings() && !eof_ && !body_error_ && !error) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() <= 0 || !read_once(left, error)) break;
        }
        if (!h2_->has_remote_settings()) {
            std::string why(h2_->last_error());
            if (why.empty() && error) why = error.message();
            if (why.empty()) why = eof_ ? "the connection closed" : "nothing within the connect timeout";
            protocol_error_ = std::string("no HTTP/2 SETTINGS in answer to the preface (does the server speak ")
                                  .append(negotiated_ == "h2c" ? "h2c" : "HTTP/2")
                                  .append("?): ")
                                  .append(why);
            close();
            return std::make_error_code(std::errc::protocol_not_supported);
        }
    }
    return {};
}

std::error_code http_probe::write_all(std::string_view bytes) {
    bool done = false;
    boost::system::error_code result;
    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](const boost::system::error_code& e, std::size_t) {
                          result = e;
                          done = true;
                      });
    if (!run_until(done, settings_.first_byte_timeout)) return std::make_error_code(std::errc::timed_out);
    return result;
}

std::error_code http_probe::flush() {
    if (!h2_) return {};
    for (auto out = h2_->output(); !out.empty(); out = h2_->output()) {
        const std::string copy(out);  // output() is valid only until the next call of the session
        if (auto ec = write_all(copy)) return ec;
        h2_->consume(copy.size());
    }
    return {};
}

std::int32_t http_probe::submit(std::string_view bytes, net::h2_session::stream_handler& stream) {
    std::string method, target, body;
    net::header_list headers;
    if (!h2_ || !parse_request(bytes, method, target, headers, body)) return 0;
    const auto id = h2_->submit(method, url_.with_target(target), headers, body, stream);
    if (id > 0 && flush()) return 0;
    return id;
}

std::error_code http_probe::send_h2(std::string_view bytes) {
    std::string method, target, body;
    net::header_list headers;
    if (!parse_request(bytes, method, target, headers, body)) return std::make_error_code(std::errc::invalid_argument);
    const auto id = h2_->submit(method, url_.with_target(target), headers, body, *h2_handler_);
    if (id <= 0) return std::make_error_code(std::errc::protocol_error);
    return flush();
}

std::string http_probe::serialize(const net::url& u, const http_request& r) {
    net::header_list h = r.headers;
    if (r.default_accept && !net::find_header(h, "accept")) h.emplace_back("Accept", "text/event-stream");
    if (!net::find_header(h, "user-agent")) h.emplace_back("User-Agent", "sse-conformance");
    if (!net::find_header(h, "connection")) h.emplace_back("Connection", "close");
    auto bytes = net::serialize_request(r.method, u, h, r.body);
    if (r.http10) {
        const auto eol = bytes.find("\r\n");
        if (eol != std::string::npos && eol >= 8 && bytes.compare(eol - 8, 8, "HTTP/1.1") == 0)
            bytes.replace(eol - 8, 8, "HTTP/1.0");
    }
    return bytes;
}

std::error_code http_probe::send(std::string_view bytes, bool head_request) {
    if (head_request) parser_.expect_no_body();
    sent_ = clock::now();
    if (h2_) return send_h2(bytes);
    return write_all(bytes);
}

std::chrono::milliseconds http_probe::elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - sent_);
}

void http_probe::on_head(response_head& head) {
    head_at_ = elapsed();
    head_ = std::move(head);
}

bool http_probe::on_body(std::string_view bytes) {
    body_.append(bytes);
    return true;
}

bool http_probe::read_once(std::chrono::milliseconds wait, std::error_code& error) {
    char tmp[16384];
    bool done = false;
    boost::system::error_code ec;
    std::size_t n = 0;
    stream_->async_read_some(asio::buffer(tmp), [&](const boost::system::error_code& e, std::size_t k) {
        ec = e;
        n = k;
        done = true;
    });
    if (!run_until(done, wait) || ec == asio::error::operation_aborted) return false;
    std::error_code flush_error;
    if (n > 0 && h2_) {
        h2_body_bytes_ = 0;
        const bool had_head = head_.has_value();
        // A connection error: kept (over the stream end it caused, which said less).
        if (auto e = h2_->feed(std::string_view(tmp, n)); e && (!body_error_ || body_error_ == net::errc::h2_stream_reset))
            body_error_ = e;
        if (had_head && h2_body_bytes_ > 0) arrivals_.push_back({elapsed(), h2_body_bytes_});
        flush_error = flush();
    } else if (n > 0) {
        if (raw_.size() < max_raw) raw_.append(tmp, std::min(n, max_raw - raw_.size()));
        if (head_) arrivals_.push_back({elapsed(), n});
        if (!body_error_) body_error_ = parser_.feed(std::string_view(tmp, n));
    }
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
        eof_ = true;
        transport_eof_ = true;
        if (h2_) h2_->finish();  // open streams close (INTERNAL_ERROR): the connection is gone
        else if (!body_error_) body_error_ = parser_.finish();
    } else if (ec) {
        error = ec;
    }
    if (flush_error && !error) error = flush_error;
    return true;
}

bool http_probe::pump(std::chrono::milliseconds wait, std::error_code& error) {
    if (transport_eof_) {
        error = boost::system::error_code(asio::error::eof);
        return false;
    }
    return read_once(wait, error);
}

std::error_code http_probe::read_head(response_head& head) {
    const auto deadline = sent_ + settings_.first_byte_timeout;
    while (!head_) {
        if (body_error_) return body_error_;
        if (eof_) return boost::system::error_code(asio::error::eof);
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return std::make_error_code(std::errc::timed_out);
        std::error_code error;
        if (!read_once(left, error)) return std::make_error_code(std::errc::timed_out);
        if (error) return error;
    }
    head = *head_;
    return {};
}

http_probe::body_read http_probe::read_body(std::string& out, std::chrono::milliseconds wait) {
    body_read r;
    const auto deadline = clock::now() + wait;
    for (;;) {
        if (!body_.empty()) {
            out.append(body_);
            r.bytes += body_.size();
            body_.clear();
        }
        if (body_error_) {
            r.error = body_error_;
            return r;
        }
        if ((!h2_ && parser_.done()) || eof_) {
            r.eof = true;
            return r;
        }
        if (r.bytes > 0) return r;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0 || !read_once(left, r.error)) {
            r.timed_out = true;
            return r;
        }
        if (r.error) return r;
    }
}

void http_probe::close() { stream_->close(); }

}  // namespace sse::conformance
