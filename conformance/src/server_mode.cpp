#include <nlohmann/json.hpp>

#include "http_probe.hpp"
#include "server_session.hpp"

namespace sse::conformance {

std::string server_session::describe() const {
    std::string d = label.empty() ? stream.str() : label;
    d += contract ? "; conformance routes: yes" : "; conformance routes: no";
    d += publisher ? "; publish: " + publisher->describe() : "; publish: no";
    return d;
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

}  // namespace

const baseline& server_session::baseline() {
    if (baseline_) return *baseline_;
    baseline_.emplace();
    auto& b = *baseline_;
    stream_reader reader(stream, timeout);
    if (!reader.open(b.error)) {
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
    auto u = parse_url(options.url, error);
    if (!u) return nullptr;
    {
        // An unreachable target is a usage problem (exit 2), not 20 failed cases.
        http_probe reach(options.timeout);
        if (auto ec = reach.connect(*u)) {
            error = "cannot connect to " + u->origin() + ": " + ec.message() + " (is the server running?)";
            return nullptr;
        }
    }
    auto s = std::make_unique<server_session>();
    s->stream = *u;
    s->timeout = options.timeout;
    s->publisher = publisher::make(options.publish_url, options.publish_cmd, options.timeout, error);
    if (!error.empty()) return nullptr;
    // The contract: GET /conformance/ answers {"contract":1,...} (server/README.md).
    stream_reader probe(u->with_target("/conformance/"), options.timeout, {"Accept: application/json"});
    std::string ignored;
    if (probe.open(ignored) && probe.data().head.status == 200) {
        probe.read_until([](const capture&) { return false; }, options.timeout);
        try {
            const auto doc = nlohmann::json::parse(probe.data().body);
            if (doc.is_object() && doc.value("contract", 0) == 1) s->contract = u->with_target("/");
        } catch (const nlohmann::json::exception&) {
            // not the contract: active cases use the publish hook or skip
        }
    }
    return s;
}

mode server_mode() {
    return mode{
        .name = "server",
        .summary = "test the SSE server streaming at URL",
        .help = "  server URL [--publish TEMPLATE] [--publish-cmd CMD]\n",
        .target = target::server,
        .open = [](const run_options& o, std::string& error) -> std::unique_ptr<session> {
            return open_server_session(o, error);
        },
    };
}

}  // namespace sse::conformance
