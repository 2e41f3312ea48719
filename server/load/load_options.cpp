#include "load_options.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>

namespace sse::load {

namespace {

constexpr const char* usage = R"(sse-load: a load generator for any Server-Sent Events server (SSE over HTTP/1.1 or HTTP/2, http or https)

Opens N subscriber connections to a subscribe URL, publishes events at a fixed rate through a
publish URL with a timestamp inside the data, and reports connections held, deliveries/s,
publish-to-receive latency (p50/p99/p999), publish-to-answer latency (how long each publish
request waited for its response), bytes, errors and the server's memory.

usage: sse-load --url URL [--publish-url URL] [options]

subscribers
  --url URL                 subscribe URL (GET, text/event-stream), e.g.
                            http://127.0.0.1:8080/events?topic=bench   (sse-server)
                            http://127.0.0.1:8090/sub/bench            (scripts/peers/nchan)
                            Requests carry Accept: text/event-stream (nchan answers 403
                            without it)
                            https://... is TLS 1.2+, the certificate verified against the
                            system's trust store (or --cacert)
                            Repeatable (several nodes of one hub): worker process k
                            subscribes to the (k mod count)-th URL, so give --processes as
                            a multiple of the URLs' count
  --header 'Name: value'    extra subscribe request header (repeatable)
  --connections N           subscriber connections in total (default 1000)
  --processes P             spread them over P worker processes (default 1); each process may
                            hold at most its open-file limit minus a few (ulimit -n)
  --source-ips K            bind source addresses 127.0.0.1 .. 127.0.0.K round-robin, so more
                            than one address's ~28k ephemeral ports are available (default 1:
                            no bind; HTTP/1.1 subscribers only)
  --connect-rate R          new connections per second, all processes together (default 5000)
  --connect-concurrency C   connection attempts in flight per process (default 256)
  --connect-timeout S       give up waiting for all connections after S seconds (default 120)
  --http2                   subscribe over HTTP/2 (https:// URLs; the server must select h2 by
                            ALPN): each subscriber is a stream, multiplexed over connections
                            of --streams-per-connection streams. Connection counts, rates and
                            errors in the report are per subscriber (stream) as over HTTP/1.1;
                            a stream reset before its response head (the server's RST_STREAM or
                            GOAWAY, or a response reset as malformed) is a status error
  --h2c                     the same on http:// URLs, with prior knowledge (no Upgrade)
  --streams-per-connection N  subscribers per HTTP/2 connection (default 100), fewer when the
                            server's SETTINGS_MAX_CONCURRENT_STREAMS is lower; --connect-rate and
                            --connect-concurrency then count connections

publishing (omit with --idle)
  --publish-url URL         where to POST events, e.g.
                            http://127.0.0.1:8080/publish   with --publish-mode form (sse-server)
                            http://127.0.0.1:8090/pub/bench with --publish-mode body (nchan)
  --publish-mode form|body  form: body `topic=T&data=D` (application/x-www-form-urlencoded);
                            body: the data itself (text/plain). Default form
  --topic T                 topic for form mode (default: the first topic= of --url, else
                            bench); not URL-decoded
  --publish-header 'N: v'   extra publish request header, e.g. 'Authorization: Bearer TOKEN'
                            (repeatable)
  --rate R                  events published per second (default 100)
  --size B                  bytes of data per event, timestamp included (default 100, min 24)
  --publish-connections K   keep-alive publish connections (default 4); publishing is always
                            HTTP/1.1

TLS (https:// URLs, subscribe and publish)
  --cacert FILE             trust this CA (PEM) instead of the system's trust store
  -k, --insecure            do not verify certificates (testing only)
                            Each TLS subscriber costs about 66 KiB of sse-load's memory more than
                            a plain one (Asio's and OpenSSL's per-connection record buffers):
                            raise --processes for tens of thousands

run
  --duration S              seconds of publishing, or of holding with --idle (default 10)
  --drain S                 seconds to wait for in-flight events after publishing (default 2)
  --idle                    connect and hold only: no publishing (memory benchmark)
  --server-pid PID          report the server's VmRSS (/proc/PID/status, plus its direct
                            children's: nginx workers) before connecting, with all
                            connections held, and at the end
  --json                    final report as one JSON object on stdout (default: text)
  --quiet                   no progress line on stderr each second
  --help                    this text

Publish-to-answer latency runs from just before a publish request is written to its response
being read (every answered request, any status); with one publish connection it is what bounds
the rate a synchronous publisher reaches. Latency is measured from just before the publish
request is sent to the moment the subscriber's parser dispatches the event, on CLOCK_MONOTONIC (shared by all processes on the machine). The
event data is "<nanoseconds>." followed by 'x' up to --size bytes; events whose data does not start
with a number (e.g. a server's own messages) are counted but not timed. SIGINT stops early and
still prints the report.
)";

[[noreturn]] void bad(const std::string& why) {
    std::cerr << "sse-load: " << why << "\n(see sse-load --help)\n";
    std::exit(2);
}

double number(std::string_view flag, const char* text, double min, double max) {
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end != '\0' || !(v >= min && v <= max))
        bad(std::string(flag) + ": expected a number in [" + std::to_string(min) + ", " +
            std::to_string(max) + "], got '" + text + "'");
    return v;
}

std::pair<std::string, std::string> header(std::string_view flag, std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) bad(std::string(flag) + ": expected 'Name: value'");
    std::string_view value = text.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    for (char c : text)
        if (c == '\r' || c == '\n' || c == '\0') bad(std::string(flag) + ": no CR, LF or NUL allowed");
    return {std::string(text.substr(0, colon)), std::string(value)};
}

sse::net::url parse_http(std::string_view flag, const char* text) {
    sse::net::url u;
    if (auto ec = sse::net::parse_url(text, u)) bad(std::string(flag) + ": " + ec.message());
    return u;
}

}  // namespace

load_options parse_options(int argc, char** argv) {
    load_options o;
    bool have_url = false;
    bool have_topic = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) bad(std::string(a) + " needs a value");
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            std::fputs(usage, stdout);
            std::exit(0);
        } else if (a == "--url") {
            o.subscribe_urls.push_back(parse_http(a, value()));
            if (!have_url) o.subscribe = o.subscribe_urls.back();
            have_url = true;
        } else if (a == "--header") {
            o.subscribe_headers.push_back(header(a, value()));
        } else if (a == "--connections") {
            o.connections = static_cast<std::uint64_t>(number(a, value(), 1, 10'000'000));
        } else if (a == "--processes") {
            o.processes = static_cast<unsigned>(number(a, value(), 1, 256));
        } else if (a == "--source-ips") {
            o.source_ips = static_cast<unsigned>(number(a, value(), 1, 254));
        } else if (a == "--connect-rate") {
            o.connect_rate = number(a, value(), 1, 1e7);
        } else if (a == "--connect-concurrency") {
            o.connect_concurrency = static_cast<unsigned>(number(a, value(), 1, 100000));
        } else if (a == "--connect-timeout") {
            o.connect_timeout_s = number(a, value(), 0.1, 86400);
        } else if (a == "--http2") {
            o.http = http_mode::http2;
        } else if (a == "--h2c") {
            o.http = http_mode::h2c;
        } else if (a == "--streams-per-connection") {
            o.streams_per_connection = static_cast<unsigned>(number(a, value(), 1, 1u << 30));
        } else if (a == "--publish-url") {
            o.publish = parse_http(a, value());
        } else if (a == "--publish-mode") {
            const std::string_view m = value();
            if (m == "form") o.mode = publish_mode::form;
            else if (m == "body") o.mode = publish_mode::body;
            else bad("--publish-mode: expected form or body");
        } else if (a == "--topic") {
            o.topic = value();
            have_topic = true;
        } else if (a == "--publish-header") {
            o.publish_headers.push_back(header(a, value()));
        } else if (a == "--rate") {
            o.rate = number(a, value(), 0.001, 1e7);
        } else if (a == "--size") {
            o.size = static_cast<std::size_t>(number(a, value(), 24, 16 << 20));
        } else if (a == "--publish-connections") {
            o.publish_connections = static_cast<unsigned>(number(a, value(), 1, 1024));
        } else if (a == "--duration") {
            o.duration_s = number(a, value(), 0.1, 86400 * 7);
        } else if (a == "--drain") {
            o.drain_s = number(a, value(), 0, 3600);
        } else if (a == "--idle") {
            o.idle = true;
        } else if (a == "--server-pid") {
            o.server_pid = static_cast<long>(number(a, value(), 1, 1e9));
        } else if (a == "--cacert") {
            o.tls.ca_file = value();
        } else if (a == "-k" || a == "--insecure") {
            o.tls.verify = false;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--quiet") {
            o.quiet = true;
        } else {
            bad("unknown option '" + std::string(a) + "'");
        }
    }
    if (!have_url) bad("--url is required");
    for (const auto& u : o.subscribe_urls) {
        if (o.http == http_mode::http2 && !u.tls) bad("--http2 needs https:// URLs (HTTP/2 on http:// is --h2c)");
        if (o.http == http_mode::h2c && u.tls) bad("--h2c needs http:// URLs (HTTP/2 on https:// is --http2)");
    }
    if (!have_topic) {
        // Default the form topic to the subscribe URL's first `topic=` parameter, so the events
        // go where the subscribers listen.
        const auto& t = o.subscribe.target;
        const auto q = t.find('?');
        for (std::size_t pos = q; pos != std::string::npos && pos + 1 < t.size(); pos = t.find('&', pos + 1)) {
            if (t.compare(pos + 1, 6, "topic=") != 0) continue;
            const auto end = t.find('&', pos + 1);
            o.topic = t.substr(pos + 7, end == std::string::npos ? std::string::npos : end - pos - 7);
            break;
        }
    }
    if (!o.idle && !o.publish) bad("give --publish-url, or --idle to only hold connections");
    if (o.processes > o.connections) o.processes = static_cast<unsigned>(o.connections);
    return o;
}

}  // namespace sse::load
