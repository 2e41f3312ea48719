// Loopback clients for the server tests: plain HTTP exchanges, and an event-stream reader that
// parses with ssekit's own sse::parser. Every wait has a deadline; none sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

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

/// How a test client speaks TLS.
struct tls_options {
    std::string ca_file;             ///< PEM authority to trust; empty: verify nothing
    std::string host = "localhost";  ///< sent as SNI, and the name verified against the certificate
    int min_version = 0;             ///< TLS1_1_VERSION, ...; 0: OpenSSL's default
    int max_version = 0;
    /// Security level 0, so the client can offer TLS 1.0/1.1 at all (OpenSSL 3 refuses them from
    /// level 1 on): a server that refuses them is then really the one refusing.
    bool legacy = false;
};

/// What a TLS handshake with the server gave.
struct tls_handshake {
    bool ok = false;
    std::string error;        ///< OpenSSL's message when !ok (e.g. "tlsv1 alert protocol version")
    std::string version;      ///< "TLSv1.3", ...
    std::string peer_sha256;  ///< the server certificate's SHA-256, as sse-server logs it (AA:BB:..)
};

/// Connects to 127.0.0.1:`port` and does only a TLS handshake.
tls_handshake tls_probe(std::uint16_t port, const tls_options& tls,
                        std::chrono::milliseconds timeout = 10s);

/// The SHA-256 fingerprint of the first certificate in PEM file `path` (AA:BB:... as sse-server
/// logs it), or empty.
std::string pem_sha256(const std::string& path);

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

/// http_raw(), http_request() and http_pipeline() over TLS. A body that runs until the connection
/// closes counts as complete only if the server ended TLS with close_notify.
std::optional<http_reply> https_raw(std::uint16_t port, const tls_options& tls,
                                    const std::string& raw, bool head_only = false,
                                    std::chrono::milliseconds timeout = 10s);
std::optional<http_reply> https_request(std::uint16_t port, const tls_options& tls,
                                        const std::string& method, const std::string& target,
                                        const std::vector<std::pair<std::string, std::string>>&
                                            headers = {},
                                        const std::string& body = {});
std::vector<http_reply> https_pipeline(std::uint16_t port, const tls_options& tls,
                                       const std::vector<std::string>& raws,
                                       std::chrono::milliseconds timeout = 10s);

/// An EventSource-like reader of one GET /events connection.
class event_stream {
public:
    event_stream();
    ~event_stream();

    /// Speaks TLS on the connections opened from now on (open(): TCP, handshake, request).
    void use_tls(const tls_options& tls);

    /// Connects, sends `GET target` with `headers` and reads the response head. With
    /// `receive_buffer` set, the socket's SO_RCVBUF is shrunk first (a slow reader). Returns
    /// false on timeout or connection failure.
    bool open(std::uint16_t port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers = {},
              std::optional<int> receive_buffer = std::nullopt,
              std::chrono::milliseconds timeout = 10s);

    /// Only connects over TCP (an idle connection that sends nothing; no TLS handshake even after
    /// use_tls()). False on failure.
    bool connect(std::uint16_t port, std::chrono::milliseconds timeout = 10s);

    /// Sends `bytes` as they are (through TLS on an open()ed TLS stream). False on error.
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
    /// On TLS, after the stream closed: whether the server ended it with close_notify (a clean
    /// end) rather than cutting the TCP connection.
    bool tls_closed_cleanly() const { return tls_clean_close_; }

private:
    bool open_socket(std::uint16_t port, std::optional<int> receive_buffer,
                     std::chrono::steady_clock::time_point deadline);
    bool handshake(std::chrono::steady_clock::time_point deadline);
    // Runs the io_context until the operation just started sets `done` or `deadline` passes (then
    // cancels it). Returns whether it completed.
    bool run_until(const bool& done, std::chrono::steady_clock::time_point deadline);
    // Reads once; false on timeout. Sets closed_ on EOF or error.
    bool read_once(std::chrono::steady_clock::time_point deadline);
    std::size_t event_count() const;

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    std::optional<tls_options> tls_options_;
    std::unique_ptr<boost::asio::ssl::context> tls_context_;
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_;  // after open()
    bool tls_clean_close_ = false;
    recorder recorder_;
    sse::parser parser_;
    http_reply head_;
    std::string pending_;  // head bytes not yet parsed
    bool closed_ = false;
};

}  // namespace sse::test
