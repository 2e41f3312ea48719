#include <nlohmann/json.hpp>

#include "http_probe.hpp"
#include "server_session.hpp"
#include "sse/net/error.hpp"

namespace sse::conformance {

namespace {

// `extra` after `base`, replacing same-named headers of `base`.
net::header_list merged(net::header_list base, const net::header_list& extra) {
    for (const auto& [name, value] : extra) net::remove_header(base, name);
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
}

std::string plural(std::size_t n, const char* what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

std::string server_session::describe() const {
    std::string d = label.empty() ? stream.str() : label;
    if (request.method != "GET" || !request.body.empty()) {
        d += "; request: " + request.method;
        if (!request.body.empty()) d += " with a " + plural(request.body.size(), "byte") + " body";
    }
    if (!request.headers.empty()) d += "; " + plural(request.headers.size(), "request header") + " (values redacted)";
    if (!request.cookie.empty()) d += "; a cookie (redacted)";
    if (request.follow_redirects) d += "; redirects followed (-L)";
    d += "; ";
    d += protocol_line;
    const bool any_tls = stream.tls || (publisher && publisher->uses_tls());
    if (any_tls) {
        if (!settings.verify) d += "; TLS verification OFF (-k): the server's identity is not checked";
        else if (!request.ca_file.empty()) d += "; TLS verified against --cacert " + request.ca_file;
        else d += "; TLS verified against the system trust store";
    }
    d += contract ? "; conformance routes: yes" : "; conformance routes: no";
    d += publisher ? "; publish: " + publisher->describe() : "; publish: no";
    return d;
}

net::header_list server_session::plain_headers(net::header_list extra) const {
    net::header_list h(request.headers.begin(), request.headers.end());
    if (!request.cookie.empty()) h.emplace_back("Cookie", request.cookie);
    return merged(std::move(h), extra);
}

stream_request server_session::subscribe(net::header_list extra) const {
    stream_request r;
    r.settings = settings;
    r.url = stream;
    r.request.method = request.method;
    r.request.body = request.body;
    net::header_list h(request.headers.begin(), request.headers.end());
    if (!request.body.empty() && !request.content_type.empty() && !net::find_header(h, "content-type"))
        h.emplace_back("Content-Type", request.content_type);
    if (!request.cookie.empty()) h.emplace_back("Cookie", request.cookie);
    r.request.headers = merged(std::move(h), extra);
    r.follow_redirects = request.follow_redirects;
    r.max_redirects = request.max_redirects;
    r.timeout = timeout;
    r.idle_timeout = request.idle_timeout;
    return r;
}

stream_request server_session::route(std::string target, std::string method, std::string body,
                                     net::header_list extra) const {
    stream_request r;
    r.settings = settings;
    r.url = (contract ? *contract : stream).with_target(std::move(target));
    r.request = {std::move(method), plain_headers(std::move(extra)), std::move(body)};
    r.follow_redirects = request.follow_redirects;
    r.max_redirects = request.max_redirects;
    r.timeout = timeout;
    r.idle_timeout = request.idle_timeout;
    return r;
}

namespace {

// The sample the baseline publishes when it can: plain, typed multi-line, and non-ASCII data.
const std::vector<publish_request>& sample_events() {
    static const std::vector<publish_request> sample = {
        {"", "hello"},
        {"update", "line 1\nline 2"},
        {"", "caf\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac"},
    };
    return sample;
}

// What to do about a TLS failure, after its one-line cause.
std::string tls_hint(std::error_code ec, const net::url& u) {
    using net::errc;
    if (ec == errc::tls_unknown_ca || ec == errc::tls_self_signed)
        return "; for a private CA pass --cacert FILE, or -k to skip verification";
    if (ec == errc::tls_name_mismatch)
        return "; the certificate is not for '" + u.host + "': use the name it was issued for, or -k to skip verification";
    if (ec == errc::tls_expired || ec == errc::tls_not_yet_valid || ec == errc::tls_certificate_rejected)
        return "; -k skips verification";
    return {};
}

// The run header's words for the protocol agreed.
std::string protocol_line(http_protocol asked, const std::string& negotiated, bool tls) {
    if (negotiated == "h2c") return "HTTP/2 (h2c, prior knowledge)";
    if (negotiated == "h2") return std::string("HTTP/2 (ALPN h2") + (asked == http_protocol::http2 ? ", --http2)" : ")");
    if (!tls) return "HTTP/1.1";
    if (asked == http_protocol::http1_1) return "HTTP/1.1 (--http1.1, no ALPN)";
    return negotiated.empty() ? "HTTP/1.1 (the server answered no ALPN)" : "HTTP/1.1 (ALPN " + negotiated + ")";
}

// A --publish URL of the stream's origin is asked over the same protocol; another origin over
// HTTP/1.1 (ALPN for https://), since it may not speak h2c or h2.
probe_settings publish_settings(probe_settings settings, const net::url& stream, const std::string& publish_url) {
    net::url p;
    if (publish_url.empty() || net::parse_url(publish_url, p) || !p.same_origin(stream))
        settings.protocol = settings.protocol == http_protocol::h2c || settings.protocol == http_protocol::http2
                                ? http_protocol::automatic
                                : settings.protocol;
    return settings;
}

}  // namespace

const baseline& server_session::baseline() {
    if (baseline_) return *baseline_;
    baseline_.emplace();
    auto& b = *baseline_;
    stream_reader reader(subscribe());
    const bool opened = reader.open(b.error);
    b.request = reader.request_text();
    b.redirects = reader.redirects();
    if (!opened) {
        b.raw = reader.raw();
        return b;
    }
    b.ok = true;
    const std::size_t want = sample_events().size();
    if (publisher && reader.data().head.status == 200) {
        for (const auto& e : sample_events()) {
            if (!publisher->publish(e, b.publish_error)) break;
            b.published.push_back(e);
        }
    }
    reader.read_until([&](const capture& c) { return c.events.size() >= want; }, timeout);
    if (reader.data().ended) reader.finish();
    b.cap = reader.data();
    b.raw = reader.raw();
    return b;
}

std::unique_ptr<server_session> open_server_session(const run_options& options, std::string& error) {
    net::url u;
    if (auto ec = net::parse_url(options.url, u)) {
        error = ec.message() + " (got '" + options.url + "')";
        return nullptr;
    }
    auto s = std::make_unique<server_session>();
    s->stream = u;
    s->timeout = options.timeout;
    s->request = options.request;
    const auto& rq = options.request;
    s->settings.connect_timeout = rq.connect_timeout.count() > 0 ? rq.connect_timeout : options.timeout;
    s->settings.first_byte_timeout = rq.first_byte_timeout.count() > 0 ? rq.first_byte_timeout : options.timeout;
    s->settings.verify = !rq.insecure;
    s->settings.protocol = rq.protocol;
    net::tls_failure tls_error;
    s->settings.tls = net::make_tls_context({!rq.insecure, rq.ca_file, {}}, tls_error);
    if (!s->settings.tls) {
        error = "--cacert: " + tls_error.message();
        return nullptr;
    }
    {
        // An unreachable target (or one whose TLS fails) is a usage problem (exit 2), not 20
        // failed cases.
        http_probe reach(s->settings);
        if (auto ec = reach.connect(u)) {
            if (!reach.protocol_error().empty())
                error = reach.protocol_error();
            else if (net::is_tls_error(ec))
                error = "TLS handshake with " + u.origin() + " failed: " + reach.tls_failure().message() + tls_hint(ec, u);
            else
                error = "cannot connect to " + u.origin() + ": " + ec.message() + " (is the server running?)";
            return nullptr;
        }
        s->h2 = reach.is_h2();
        s->protocol_line = protocol_line(rq.protocol, reach.negotiated(), u.tls);
    }
    std::string publish_error;
    s->publisher = publisher::make(options.publish_url, options.publish_cmd,
                                   net::header_list(rq.publish_headers.begin(), rq.publish_headers.end()),
                                   publish_settings(s->settings, u, options.publish_url), options.timeout,
                                   publish_error);
    if (!publish_error.empty()) {
        error = publish_error;
        return nullptr;
    }
    // The contract: GET /conformance/ answers {"contract":1,...} (server/README.md).
    stream_reader probe(s->route("/conformance/", "GET", {}, {{"Accept", "application/json"}}));
    std::string ignored;
    if (probe.open(ignored) && probe.data().head.status == 200) {
        probe.read_until([](const capture&) { return false; }, options.timeout);
        try {
            const auto doc = nlohmann::json::parse(probe.data().body);
            if (doc.is_object() && doc.value("contract", 0) == 1) s->contract = probe.final_url().with_target("/");
        } catch (const nlohmann::json::exception&) {
            // not the contract: active cases use the publish hook or skip
        }
    }
    return s;
}

mode server_mode() {
    return mode{
        .name = "server",
        .summary = "test the SSE server streaming at URL (http:// or https://)",
        .help = "  server URL [REQUEST OPTIONS] [--publish TEMPLATE] [--publish-cmd CMD]\n",
        .target = target::server,
        .open = [](const run_options& o, std::string& error) -> std::unique_ptr<session> {
            return open_server_session(o, error);
        },
    };
}

}  // namespace sse::conformance
