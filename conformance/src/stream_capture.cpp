#include "stream_capture.hpp"

#include <thread>

namespace sse::conformance {

struct stream_reader::collector : sse::handler {
    capture* cap = nullptr;
    const http_probe* probe = nullptr;
    sse::action on_event(const sse::event& e) override {
        cap->events.push_back({std::string(e.type), std::string(e.data), std::string(e.last_event_id),
                               probe->elapsed()});
        return sse::action::proceed;
    }
    sse::action on_retry(std::uint64_t ms) override {
        cap->retries.push_back(ms);
        return sse::action::proceed;
    }
    sse::action on_comment(std::string_view text) override {
        cap->comments.emplace_back(probe->elapsed(), std::string(text));
        return sse::action::proceed;
    }
};

stream_reader::stream_reader(url u, std::chrono::milliseconds timeout, std::vector<std::string> extra,
                             std::string method, std::string body)
    : url_(std::move(u)), timeout_(timeout), extra_(std::move(extra)), method_(std::move(method)),
      body_(std::move(body)),
      probe_(timeout), collector_(std::make_unique<collector>()) {
    collector_->cap = &cap_;
    collector_->probe = &probe_;
    parser_ = std::make_unique<sse::parser>(*collector_);
}

stream_reader::~stream_reader() = default;

bool stream_reader::open(std::string& error) {
    if (auto ec = probe_.connect(url_)) {
        error = "cannot connect to " + url_.origin() + ": " + ec.message();
        return false;
    }
    if (auto ec = probe_.send(http_probe::request(method_, url_, extra_, body_))) {
        error = "cannot send the request to " + url_.str() + ": " + ec.message();
        return false;
    }
    if (auto ec = probe_.read_head(cap_.head)) {
        error = "no complete response head from " + url_.str() + " within " +
                std::to_string(timeout_.count()) + " ms: " + ec.message();
        return false;
    }
    return true;
}

void stream_reader::feed(std::string_view bytes) {
    if (bytes.empty()) return;
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
        std::string chunk;
        auto r = probe_.read_body(chunk, left);
        feed(chunk);
        if (r.eof || r.error) {
            cap_.ended = true;
            finish();
            return done(cap_);
        }
        if (r.timed_out) return done(cap_);
    }
    return true;
}

bool stream_reader::read_slowly(const std::function<bool(const capture&)>& done,
                                std::chrono::milliseconds wait, std::chrono::milliseconds pause) {
    const auto deadline = http_probe::clock::now() + wait;
    while (!done(cap_) && !cap_.ended && http_probe::clock::now() < deadline) {
        std::this_thread::sleep_for(pause);
        read_until([n = cap_.body.size()](const capture& c) { return c.body.size() > n; },
                   std::min(timeout_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          deadline - http_probe::clock::now())));
    }
    return done(cap_);
}

}  // namespace sse::conformance
