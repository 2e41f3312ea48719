// stream_reader: subscribes to an event stream with the raw probe and reads it as a conforming
// client would (sse::parser), and as a strict reader would (sse::validator), keeping the bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sse/observation.hpp>
#include <sse/parser.hpp>
#include <sse/validator.hpp>

#include "http_probe.hpp"
#include "url.hpp"

namespace sse::conformance {

/// An event as a client sees it (owned copy).
struct seen_event {
    std::string type, data, id;
    std::chrono::milliseconds at{0};  ///< when its blank line arrived (since the request)
    friend bool operator==(const seen_event& a, const seen_event& b) {
        return a.type == b.type && a.data == b.data && a.id == b.id;
    }
};

/// Everything read from one stream.
struct capture {
    response_head head;
    std::string body;  ///< de-chunked body bytes as received
    std::vector<seen_event> events;
    std::vector<std::uint64_t> retries;
    std::vector<std::pair<std::chrono::milliseconds, std::string>> comments;
    std::vector<sse::observation> observations;  ///< the validator's, for the body so far
    bool ended = false;  ///< the server ended the body
};

class stream_reader {
public:
    /// `timeout` bounds connect and head; extra: request header lines ("Last-Event-ID: 5").
    stream_reader(url u, std::chrono::milliseconds timeout, std::vector<std::string> extra = {},
                  std::string method = "GET", std::string body = {});

    ~stream_reader();
    stream_reader(const stream_reader&) = delete;
    stream_reader& operator=(const stream_reader&) = delete;

    /// Connects, sends the request, reads the head. Error: one line saying what failed.
    bool open(std::string& error);

    /// Reads until `done(capture)` holds, the stream ends, or `wait` passes. Returns done().
    bool read_until(const std::function<bool(const capture&)>& done, std::chrono::milliseconds wait);

    /// Reads at most `max_bytes` body bytes per call with a pause of `pause` between reads (a slow
    /// consumer), until done() or the deadline.
    bool read_slowly(const std::function<bool(const capture&)>& done, std::chrono::milliseconds wait,
                     std::chrono::milliseconds pause);

    /// Ends the stream as the client: validator and parser see end of input.
    void finish();

    /// Closes the connection (the client goes away).
    void close() { probe_.close(); }

    const capture& data() const noexcept { return cap_; }
    const http_probe& probe() const noexcept { return probe_; }
    /// The head and body bytes received, bounded, for reports.
    std::string raw() const { return probe_.raw(); }

private:
    struct collector;
    void feed(std::string_view bytes);

    url url_;
    std::chrono::milliseconds timeout_;
    std::vector<std::string> extra_;
    std::string method_;
    std::string body_;
    http_probe probe_;
    capture cap_;
    std::unique_ptr<collector> collector_;
    std::unique_ptr<sse::parser> parser_;
    sse::validator validator_;
    bool finished_ = false;
};

}  // namespace sse::conformance
