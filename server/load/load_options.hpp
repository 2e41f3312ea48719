// sse-load's command line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sse/net/tls.hpp"
#include "sse/net/url.hpp"

namespace sse::load {

/// How publishes are encoded.
enum class publish_mode {
    form,  ///< POST application/x-www-form-urlencoded `topic=T&data=D` (sse-server's /publish)
    body,  ///< POST the data itself as the body, text/plain (nchan's publisher location)
};

/// How subscribers reach the server.
enum class http_mode {
    http1_1,  ///< one HTTP/1.1 connection per subscriber (default)
    http2,    ///< HTTP/2 over TLS chosen by ALPN (--http2): subscribers are streams, many per connection
    h2c,      ///< HTTP/2 with prior knowledge on http:// (--h2c)
};

struct load_options {
    sse::net::url subscribe;                 // --url (the first one)
    /// Every --url, in order: worker process k subscribes to subscribe_urls[k % size] (several
    /// nodes of one hub, e.g. behind no load balancer).
    std::vector<sse::net::url> subscribe_urls;
    std::optional<sse::net::url> publish;    // --publish-url (absent with --idle)
    publish_mode mode = publish_mode::form;     // --publish-mode
    std::string topic = "bench";                // --topic (form mode)
    std::vector<std::pair<std::string, std::string>> publish_headers;  // --publish-header
    std::vector<std::pair<std::string, std::string>> subscribe_headers;  // --header
    sse::net::tls_options tls;                  // --cacert, -k/--insecure (https URLs)
    http_mode http = http_mode::http1_1;        // --http2, --h2c
    unsigned streams_per_connection = 100;      // --streams-per-connection (HTTP/2)
    std::uint64_t connections = 1000;           // --connections
    unsigned processes = 1;                     // --processes
    unsigned source_ips = 1;                    // --source-ips
    double connect_rate = 5000;                 // --connect-rate (per second, all processes)
    unsigned connect_concurrency = 256;         // --connect-concurrency (per process)
    double connect_timeout_s = 120;             // --connect-timeout
    double rate = 100;                          // --rate (events per second)
    unsigned publish_connections = 4;           // --publish-connections
    std::size_t size = 100;                     // --size (bytes of data per event)
    double duration_s = 10;                     // --duration
    double drain_s = 2;                         // --drain
    bool idle = false;                          // --idle
    std::optional<long> server_pid;             // --server-pid
    bool json = false;                          // --json
    bool quiet = false;                         // --quiet (no progress lines)
};

/// Parses argv. On --help prints usage to stdout and exits 0; on a bad flag prints the reason and
/// a hint to stderr and exits 2.
load_options parse_options(int argc, char** argv);

}  // namespace sse::load
