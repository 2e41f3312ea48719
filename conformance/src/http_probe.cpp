#include "http_probe.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace sse::conformance {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Runs the io_context until `done` or the deadline; on timeout cancels and drains so no handler
// outlives the call.
template <class Socket>
bool run_until(asio::io_context& ioc, Socket& s, const bool& done, std::chrono::milliseconds wait) {
    ioc.restart();
    ioc.run_for(wait);
    if (done) return true;
    boost::system::error_code ignored;
    s.cancel(ignored);
    ioc.restart();
    ioc.run();
    return false;
}

}  // namespace

std::optional<std::string> response_head::field(std::string_view name) const {
    for (const auto& [n, v] : fields) {
        if (n == name) return v;
    }
    return std::nullopt;
}

std::vector<std::string> response_head::all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [n, v] : fields) {
        if (n == name) out.push_back(v);
    }
    return out;
}

bool response_head::is_chunked() const {
    for (const auto& v : all("transfer-encoding")) {
        if (lower(v).find("chunked") != std::string::npos) return true;
    }
    return false;
}

http_probe::http_probe(std::chrono::milliseconds timeout) : socket_(ioc_), timeout_(timeout) {}

http_probe::~http_probe() { close(); }

std::error_code http_probe::connect(const url& u) {
    tcp::resolver resolver(ioc_);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(u.host, std::to_string(u.port), ec);
    if (ec) return ec;
    bool done = false;
    boost::system::error_code result;
    asio::async_connect(socket_, endpoints, [&](const boost::system::error_code& e, const tcp::endpoint&) {
        result = e;
        done = true;
    });
    if (!run_until(ioc_, socket_, done, timeout_)) return std::make_error_code(std::errc::timed_out);
    if (!result) socket_.set_option(tcp::no_delay(true), ec);
    return result;
}

std::error_code http_probe::send(std::string_view bytes) {
    sent_ = clock::now();
    bool done = false;
    boost::system::error_code result;
    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                      [&](const boost::system::error_code& e, std::size_t) {
                          result = e;
                          done = true;
                      });
    if (!run_until(ioc_, socket_, done, timeout_)) return std::make_error_code(std::errc::timed_out);
    return result;
}

std::string http_probe::request(std::string_view method, const url& u,
                                const std::vector<std::string>& extra, std::string_view body) {
    std::string r;
    r.append(method).append(" ").append(u.target).append(" HTTP/1.1\r\n");
    r.append("Host: ").append(u.authority()).append("\r\n");
    auto has = [&](std::string_view name) {
        return std::any_of(extra.begin(), extra.end(), [&](const std::string& line) {
            return lower(line.substr(0, line.find(':'))) == name;
        });
    };
    if (!has("accept")) r.append("Accept: text/event-stream\r\n");
    if (!has("connection")) r.append("Connection: close\r\n");
    r.append("User-Agent: sse-conformance\r\n");
    for (const auto& line : extra) r.append(line).append("\r\n");
    if (!body.empty() || method == "POST") {
        r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    r.append("\r\n").append(body);
    return r;
}

std::chrono::milliseconds http_probe::elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - sent_);
}

boost::system::error_code http_probe::read_some_into(std::string& buf, std::chrono::milliseconds wait,
                                           bool& timed_out) {
    char tmp[16384];
    bool done = false;
    boost::system::error_code result;
    std::size_t n = 0;
    socket_.async_read_some(asio::buffer(tmp), [&](const boost::system::error_code& e, std::size_t k) {
        result = e;
        n = k;
        done = true;
    });
    timed_out = !run_until(ioc_, socket_, done, wait);
    if (timed_out) return {};
    if (n > 0) {
        buf.append(tmp, n);
        if (raw_.size() < max_raw) raw_.append(tmp, std::min(n, max_raw - raw_.size()));
    }
    return result;
}

std::error_code http_probe::read_head(response_head& head) {
    const auto deadline = clock::now() + timeout_;
    std::size_t end = std::string::npos;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
        if (pending_.size() > 64 * 1024) return std::make_error_code(std::errc::bad_message);
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) return std::make_error_code(std::errc::timed_out);
        bool timed_out = false;
        const auto before = pending_.size();
        auto ec = read_some_into(pending_, left, timed_out);
        if (timed_out) return std::make_error_code(std::errc::timed_out);
        if (ec) return ec;
        if (pending_.size() == before) return std::make_error_code(std::errc::connection_reset);
    }
    head_at_ = elapsed();
    head.raw = pending_.substr(0, end + 4);
    pending_.erase(0, end + 4);
    std::string_view text = head.raw;
    const auto first_end = text.find("\r\n");
    std::string_view status_line = text.substr(0, first_end);
    // HTTP-version SP status-code SP [reason-phrase]
    const auto sp1 = status_line.find(' ');
    if (sp1 == std::string_view::npos || status_line.substr(0, 5) != "HTTP/")
        return std::make_error_code(std::errc::bad_message);
    head.version = std::string(status_line.substr(0, sp1));
    std::string_view code = status_line.substr(sp1 + 1, 3);
    auto [p, ec] = std::from_chars(code.data(), code.data() + code.size(), head.status);
    if (ec != std::errc{} || p != code.data() + code.size())
        return std::make_error_code(std::errc::bad_message);
    if (status_line.size() > sp1 + 5) head.reason = std::string(status_line.substr(sp1 + 5));
    std::string_view rest = text.substr(first_end + 2);
    while (!rest.empty()) {
        const auto e = rest.find("\r\n");
        std::string_view line = rest.substr(0, e);
        rest.remove_prefix(e + 2);
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return std::make_error_code(std::errc::bad_message);
        head.fields.emplace_back(lower(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
    }
    chunked_ = head.is_chunked();
    if (!chunked_) {
        if (auto cl = head.field("content-length")) {
            std::size_t n = 0;
            auto [q, e2] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
            if (e2 == std::errc{} && q == cl->data() + cl->size()) remaining_ = n;
        }
    }
    // No body for HEAD answers, 1xx, 204 and 304 is the caller's knowledge; a 204/304 is marked here.
    if (head.status == 204 || head.status == 304) remaining_ = 0;
    return {};
}

std::error_code http_probe::dechunk(std::string& out, std::size_t& appended, bool& done) {
    while (!pending_.empty() && chunk_state_ != 4) {
        if (chunk_state_ == 0 || chunk_state_ == 2 || chunk_state_ == 3) {
            const auto e = pending_.find("\r\n");
            if (e == std::string::npos) {
                if (pending_.size() > 4096) return std::make_error_code(std::errc::bad_message);
                return {};
            }
            std::string_view line(pending_.data(), e);
            if (chunk_state_ == 0) {
                const auto semi = line.find(';');
                std::string_view hex = trim(line.substr(0, semi));
                std::size_t n = 0;
                auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), n, 16);
                if (hex.empty() || ec != std::errc{} || p != hex.data() + hex.size())
                    return std::make_error_code(std::errc::bad_message);
                chunk_left_ = n;
                chunk_state_ = n == 0 ? 3 : 1;
            } else if (chunk_state_ == 2) {
                if (!line.empty()) return std::make_error_code(std::errc::bad_message);
                chunk_state_ = 0;
            } else if (line.empty()) {
                chunk_state_ = 4;
            }
            pending_.erase(0, e + 2);
        } else {
            const auto n = std::min(chunk_left_, pending_.size());
            out.append(pending_, 0, n);
            appended += n;
            pending_.erase(0, n);
            chunk_left_ -= n;
            if (chunk_left_ == 0) chunk_state_ = 2;
        }
    }
    done = chunk_state_ == 4;
    return {};
}

http_probe::body_read http_probe::read_body(std::string& out, std::chrono::milliseconds wait) {
    body_read r;
    const auto deadline = clock::now() + wait;
    for (;;) {
        // Hand out what is pending first.
        if (chunked_) {
            bool done = false;
            r.error = dechunk(out, r.bytes, done);
            if (r.error) return r;
            if (done) {
                r.eof = true;
                return r;
            }
        } else if (!pending_.empty()) {
            std::size_t n = pending_.size();
            if (remaining_) n = std::min(n, *remaining_);
            out.append(pending_, 0, n);
            pending_.clear();
            r.bytes += n;
            if (remaining_) *remaining_ -= n;
        }
        if (remaining_ && *remaining_ == 0) {
            r.eof = true;
            return r;
        }
        if (eof_) {
            r.eof = true;
            return r;
        }
        if (r.bytes > 0) return r;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            return r;
        }
        bool timed_out = false;
        const auto before = pending_.size();
        auto ec = read_some_into(pending_, left, timed_out);
        if (timed_out) {
            r.timed_out = true;
            return r;
        }
        if (pending_.size() > before) arrivals_.push_back({elapsed(), pending_.size() - before});
        if (ec == asio::error::eof || ec == asio::error::connection_reset) {
            eof_ = true;
        } else if (ec) {
            r.error = ec;
            return r;
        }
    }
}

void http_probe::close() {
    boost::system::error_code ignored;
    if (socket_.is_open()) {
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }
}

}  // namespace sse::conformance
