#include "scenario.hpp"

#include <cstdint>

#include "sse/detail/utf8.hpp"
#include "sse/parser.hpp"
#include "sse/reconnector.hpp"

namespace sse::conformance::client {
namespace {

// Collects what the parser dispatches on one connection, as a client reports it.
class recorder : public sse::handler {
public:
    recorder(std::vector<observation>& out, bool comments) : out_(out), comments_(comments) {}

    sse::action on_event(const sse::event& e) override {
        out_.push_back({observation::kind::event, std::string(e.type), std::string(e.data),
                        std::string(e.last_event_id), -1});
        return sse::action::proceed;
    }
    sse::action on_comment(std::string_view text) override {
        // The spec decodes the whole stream as UTF-8 before parsing it, so a client reports a
        // comment's text with U+FFFD where the bytes were invalid (line breaks are ASCII, so
        // repairing one line gives what decoding the whole stream gives).
        if (!comments_) return sse::action::proceed;
        std::string decoded;
        sse::detail::utf8_assign(decoded, text);
        out_.push_back({observation::kind::comment, {}, std::move(decoded), {}, -1});
        return sse::action::proceed;
    }

private:
    std::vector<observation>& out_;
    bool comments_;
};

void push_state(expectation& x, const service_features& f, observation::kind k, int state) {
    if (k == observation::kind::open && !f.open) return;
    x.observations.push_back({k, {}, {}, {}, f.ready_state ? state : -1});
}

}  // namespace

std::string escaped(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        static const char* hex = "0123456789abcdef";
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '"' || c == '\\') { out += '\\'; out += char(c); }
        else if (c < 0x20 || c == 0x7f) { out += "\\x"; out += hex[c >> 4]; out += hex[c & 15]; }
        else if (c < 0x80) out += char(c);
        else {
            // Keep valid UTF-8 readable; show any other byte as \xNN (e.g. a Latin-1 header).
            std::size_t n = c >= 0xF0 && c < 0xF5 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
            bool ok = n > 0 && i + n <= s.size();
            for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
            if (ok) { out.append(s.substr(i, n)); i += n - 1; }
            else { out += "\\x"; out += hex[c >> 4]; out += hex[c & 15]; }
        }
    }
    return out + "\"";
}

expectation expect(const scenario& s, const service_features& features) {
    using std::chrono::milliseconds;
    expectation x;
    sse::reconnector rc;  // browser defaults: exactly what EventSource does
    recorder rec(x.observations, features.comments);
    sse::parser parser(rec);
    milliseconds now{0};

    auto a = rc.start(now);
    x.requests.push_back({std::nullopt, false});
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const response_step& step = s.steps[i];
        if (step.is_redirect()) {
            // The client's fetch follows the redirect before the EventSource sees a response.
            x.requests.push_back({std::nullopt, true});
            continue;
        }
        a = rc.on_response(now, step.status, step.content_type.value_or(""));
        if (a.kind == sse::action_kind::fail) {
            push_state(x, features, observation::kind::error, 2);
            x.ends_failed = true;
            break;
        }
        push_state(x, features, observation::kind::open, 1);
        parser.reset(rc.last_event_id());
        for (const std::string& chunk : step.chunks) (void)parser.feed(chunk);
        rc.update_from(parser);
        if (step.end == body_end::hold) break;
        (void)parser.finish();  // "If the file ends in the middle of an event ... not dispatched"
        a = rc.on_end_of_stream(now);
        if (a.kind != sse::action_kind::wait) break;  // the default policy always waits
        push_state(x, features, observation::kind::error, 0);
        now = a.when;
        a = rc.on_timer(now);
        if (a.kind != sse::action_kind::connect) break;
        if (i + 1 == s.steps.size()) break;  // the script ends: the generators always end in hold
        expected_request next;
        if (a.send_last_event_id) next.last_event_id.emplace(a.last_event_id);
        x.requests.push_back(std::move(next));
    }
    x.reconnection_time = rc.reconnection_time();
    return x;
}

std::string describe(const observation& o) {
    std::string rs = o.ready_state >= 0 ? " readyState=" + std::to_string(o.ready_state) : "";
    switch (o.what) {
    case observation::kind::event:
        return "event type=" + escaped(o.type) + " data=" + escaped(o.data) + " id=" + escaped(o.id);
    case observation::kind::comment: return "comment " + escaped(o.data);
    case observation::kind::error: return "error" + rs;
    case observation::kind::open: return "open" + rs;
    }
    return "?";
}

std::string describe(const std::vector<observation>& list) {
    std::string out;
    for (const observation& o : list) out += describe(o) + "\n";
    if (out.empty()) out = "(nothing)\n";
    return out;
}

}  // namespace sse::conformance::client
