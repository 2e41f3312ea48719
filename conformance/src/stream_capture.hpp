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
    bool ended = false;    ///< the server ended the body
    bool stalled = false;  ///< a read saw nothing for the idle timeout (--idle-timeout)
    /// When the first and the latest body bytes arrived (since the request), and the longest
    /// silence between the head and the latest bytes: what a proxy's idle timer sees.
    std::optional<std::chrono::milliseconds> first_body_at, last_bytes_at;
    std::chrono::milliseconds longest_silence{0};
};

/// One redirect followed on the way to the stream (-L).
struct hop {
    int status = 0;
    std::string location;  ///< as the server sent it
};

/// What a stream_reader asks for, and how: the request, where, the transport settings, redirects
/// and the waits.
struct stream_request {
    probe_settings settings;
    net::url url;
    http_request request;
    bool follow_redirects = false;
    std::size_t max_redirects = 20;
    std::chrono::milliseconds timeout{5000};       ///< the case's wait bound (read_slowly's steps)
    std::chrono::milliseconds idle_timeout{0};     ///< a read that sees nothing this long stops (0: none)
};

class stream_reader {
public:
    explicit stream_reader(stream_request r);

    ~stream_reader();
    stream_reader(const stream_reader&) = delete;
    stream_reader& operator=(const stream_reader&) = delete;

    /// Connects, sends the request, reads the head; with follow_redirects, follows 3xx answers
    /// (fetch's rules: 307/308 keep method and body, 303 and a POST's 301/302 become GET; another
    /// origin gets no credentials). Error: one line saying what failed (a TLS failure names its
    /// cause). A 3xx that is not followed is a head like any other.
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
    void close() { probe_->close(); }

    const capture& data() const noexcept { return cap_; }
    /// Moves the capture out (no copy of its body and events); the reader is done after it.
    capture take() noexcept { return std::move(cap_); }
    const http_probe& probe() const noexcept { return *probe_; }
    /// The head and body bytes received (after the heads of redirects followed), bounded, for reports.
    std::string raw() const { return raw_prefix_ + probe_->raw(); }
    /// The request as last sent, for reports (header values are redacted by the reports).
    const std::string& request_text() const noexcept { return sent_; }
    /// The redirects followed before the final head.
    const std::vector<hop>& redirects() const noexcept { return hops_; }
    /// The URL of the final request (after redirects).
    const net::url& final_url() const noexcept { return req_.url; }
    /// The final request (after redirects: its URL, and the method and body fetch's rules left).
    const stream_request& final_request() const noexcept { return req_; }

private:
    struct collector;
    void feed(std::string_view bytes);

    stream_request req_;
    std::unique_ptr<http_probe> probe_;
    std::string sent_;
    std::string raw_prefix_;
    std::vector<hop> hops_;
    capture cap_;
    std::unique_ptr<collector> collector_;
    std::unique_ptr<sse::parser> parser_;
    sse::validator validator_;
    bool finished_ = false;
};

}  // namespace sse::conformance
