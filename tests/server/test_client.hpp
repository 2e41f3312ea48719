// Loopback clients for the server tests: plain HTTP exchanges, and an event-stream reader that
// parses with ssekit's own sse::parser. Every wait has a deadline; none sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sse/parser.hpp"
#include "support/recorder.hpp"

namespace sse::test {

using namespace std::chrono_literals;

/// A parsed HTTP response. Header names are lowercased.
struct http_reply {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;

    bool has(const std::string& name) const { return headers.count(name) != 0; }
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// Sends `raw` (a whole request, possibly malformed on purpose) on a new connection and reads one
/// response. `head_only`: the response has no body (HEAD). std::nullopt on timeout, connection
/// failure or an unparsable response.
std::optional<http_reply> http_raw(std::uint16_t port, const std::string& raw, bool head_only = false,
                                   std::chrono::milliseconds timeout = 10s);

/// Builds a well-formed request (Host and, with a body, Content-Length added) and sends it with
/// http_raw(). `headers` are extra "Name: value" pairs.
std::optional<http_reply> http_request(std::uint16_t port, const std::string& method,
                                       const std::string& target,
                                       const std::vector<std::pair<std::string, std::string>>&
                                           headers = {},
                                       const std::string& body = {});

/// Several requests on one keep-alive connection; returns the replies read before the first
/// failure.
std::vector<http_reply> http_pipeline(std::uint16_t port, const std::vector<std::string>& raws,
                                      std::chrono::milliseconds timeout = 10s);

/// An EventSource-like reader of one GET /events connection.
class event_stream {
public:
    event_stream();
    ~event_stream();

    /// Connects, sends `GET target` with `headers` and reads the response head. With
    /// `receive_buffer` set, the socket's SO_RCVBUF is shrunk first (a slow reader). Returns
    /// false on timeout or connection failure.
    bool open(std::uint16_t port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              std::optional<int> receive_buffer = std::nullopt,
              std::chrono::milliseconds timeout = 10s);

    /// Only connects (an idle HTTP connection that sends nothing). False on failure.
    bool connect(std::uint16_t port, std::chrono::milliseconds timeout = 10s);

    /// On a connect()ed socket: sends `bytes` as they are. False on error.
    bool send(const std::string& bytes);

    /// On a connect()ed socket: reads until the raw bytes received contain `needle`. Returns
    /// whether they did before the deadline.
    bool wait_raw(const std::string& needle, std::chrono::milliseconds timeout = 10s);

    /// The raw bytes received on a connect()ed socket.
    const std::string& raw() const { return pending_; }

    int status() const { return head_.status; }
    const http_reply& head() const { return head_; }

    /// Reads until at least `n` events have been dispatched in total, the stream closes or the
    /// deadline passes. Returns whether `n` were reached.
    bool wait_events(std::size_t n, std::chrono::milliseconds timeout = 10s);

    /// Reads until at least `n` comments were seen in total. Returns whether they were.
    bool wait_comments(std::size_t n, std::chrono::milliseconds timeout = 10s);

    /// Reads (and parses) until the server closes the connection. Returns whether it did in time.
    bool wait_closed(std::chrono::milliseconds timeout = 10s);

    /// Closes the connection from this side.
    void close();

    /// Events dispatched so far (retries are in `records()` too, events only here).
    std::vector<record> events() const;
    const std::vector<record>& records() const { return recorder_.records; }
    const std::vector<std::string>& comments() const { return recorder_.comments; }
    std::string last_event_id() const { return std::string(parser_.last_event_id()); }
    bool closed() const { return closed_; }

private:
    bool open_socket(std::uint16_t port, std::optional<int> receive_buffer,
                     std::chrono::steady_clock::time_point deadline);
    // Reads once; false on timeout. Sets closed_ on EOF or error.
    bool read_once(std::chrono::steady_clock::time_point deadline);
    std::size_t event_count() const;

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    recorder recorder_;
    sse::parser parser_;
    http_reply head_;
    std::string pending_;  // head bytes not yet parsed
    bool closed_ = false;
};

}  // namespace sse::test
