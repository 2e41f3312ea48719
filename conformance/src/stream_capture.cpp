#include "stream_capture.hpp"

#include <thread>

#include "sse/net/error.hpp"
#include "sse/net/request.hpp"

namespace sse::conformance {

struct stream_reader::collector : sse::handler {
    capture* cap = nullptr;
    const stream_reader* reader = nullptr;
    sse::action on_event(const sse::event& e) override {
        cap->events.push_back({std::string(e.type), std::string(e.data), std::string(e.last_event_id),
                               reader->probe().elapsed()});
        return sse::action::proceed;
    }
    sse::action on_retry(std::uint64_t ms) override {
        cap->retries.push_back(ms);
        return sse::action::proceed;
    }
    sse::action on_comment(std::string_view text) override {
        cap->comments.emplace_back(reader->probe().elapsed(), std::string(text));
        return sse::action::proceed;
    }
};

stream_reader::stream_reader(stream_request r)
    : req_(std::move(r)), probe_(std::make_unique<http_probe>(req_.settings)),
      collector_(std::make_unique<collector>()) {
    collector_->cap = &cap_;
    collector_->reader = this;
    parser_ = std::make_unique<sse::parser>(*collector_);
}

stream_reader::~stream_reader() = default;

namespace {

std::string connect_error(const net::url& u, std::error_code ec, const http_probe& p) {
    if (net::is_tls_error(ec))
        return "TLS handshake with " + u.origin() + " failed: " + p.tls_failure().message();
    return "cannot connect to " + u.origin() + ": " + ec.message();
}

}  // namespace

bool stream_reader::open(std::string& error) {
    for (;;) {
        if (auto ec = probe_->connect(req_.url)) {
            error = connect_error(req_.url, ec, *probe_);
            return false;
        }
        sent_ = http_probe::serialize(req_.url, req_.request);
        if (auto ec = probe_->send(sent_, req_.request.method == "HEAD")) {
            error = "cannot send the request to " + req_.url.str() + ": " + ec.message();
            return false;
        }
        if (auto ec = probe_->read_head(cap_.head)) {
            error = "no complete response head from " + req_.url.str() + " within " +
                    std::to_string(req_.settings.first_byte_timeout.count()) + " ms: " + ec.message();
            return false;
        }
        const int status = cap_.head.status;
        if (!req_.follow_redirects || !net::is_redirect(status) || hops_.size() >= req_.max_redirects) return true;
        const std::string location(cap_.head.header("location"));
        net::url next;
        if (location.empty() || net::resolve_location(req_.url, location, next)) return true;  // the case reports it
        hops_.push_back({status, location});
        const auto change = net::after_redirect(status, req_.request.method);
        net::strip_for_redirect(req_.request.headers, !change.keep_body, !next.same_origin(req_.url));
        req_.request.method = change.method;
        if (!change.keep_body) req_.request.body.clear();
        req_.url = std::move(next);
        if (raw_prefix_.size() < http_probe::max_raw) raw_prefix_ += probe_->raw().substr(0, http_probe::max_raw - raw_prefix_.size());
        probe_->close();
        probe_ = std::make_unique<http_probe>(req_.settings);
        cap_.head = {};
    }
}

void stream_reader::feed(std::string_view bytes) {
    if (bytes.empty()) return;
    const auto now = probe_->elapsed();
    if (!cap_.first_body_at) cap_.first_body_at = now;
    const auto since = cap_.last_bytes_at ? *cap_.last_bytes_at : probe_->head_at().value_or(now);
    cap_.longest_silence = std::max(cap_.longest_silence, now - since);
    cap_.last_bytes_at = now;
    if (cap_.body.size() < http_probe::max_raw) cap_.body.append(bytes);
    validator_.feed(bytes, cap_.observations);
    // The parser only errs on its limits (16 MiB); a stream past them is abandoned, as a client does.
    (void)parser_->feed(bytes);
}

void stream_reader::finish() {
    if (finished_) return;
    finished_ = true;
    validator_.finish(cap_.observations);
    (void)parser_->finish();
}

bool stream_reader::read_until(const std::function<bool(const capture&)>& done,
                               std::chrono::milliseconds wait) {
    const auto deadline = http_probe::clock::now() + wait;
    while (!done(cap_)) {
        if (cap_.ended) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - http_probe::clock::now());
        if (left.count() <= 0) return false;
        const bool idle_bound = req_.idle_timeout.count() > 0 && req_.idle_timeout < left;
        std::string chunk;
        auto r = probe_->read_body(chunk, idle_bound ? req_.idle_timeout : left);
        feed(chunk);
        if (r.eof || r.error) {
            cap_.ended = true;
            finish();
            return done(cap_);
        }
        if (r.timed_out) {
            if (idle_bound) cap_.stalled = true;
            return done(cap_);
        }
    }
    return true;
}

bool stream_reader::read_slowly(const std::function<bool(const capture&)>& done,
                                std::chrono::milliseconds wait, std::chrono::milliseconds pause) {
    const auto deadline = http_probe::clock::now() + wait;
    while (!done(cap_) && !cap_.ended && !cap_.stalled && http_probe::clock::now() < deadline) {
        std::this_thread::sleep_for(pause);
        read_until([n = cap_.body.size()](const capture& c) { return c.body.size() > n; },
                   std::min(req_.timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                              deadline - http_probe::clock::now())));
    }
    return done(cap_);
}

}  // namespace sse::conformance
