#include "answer_stream.hpp"

#include <sse/content_type.hpp>

#include "endpoint_request.hpp"
#include "server_cases.hpp"

namespace sse::conformance {

namespace {

// The value of an `event` field line (RFC-style: "event" then optionally ":" and one space).
std::optional<std::string> event_field(std::string_view line) {
    constexpr std::string_view name = "event";
    if (line.substr(0, name.size()) != name) return std::nullopt;
    line.remove_prefix(name.size());
    if (line.empty()) return std::string();
    if (line.front() != ':') return std::nullopt;
    line.remove_prefix(1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    return std::string(line);
}

// Every `event:` field of `body`, lines split at CRLF, LF or CR as the SSE grammar does.
std::vector<std::string> event_fields(const std::string& body) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < body.size()) {
        std::size_t end = body.find_first_of("\r\n", start);
        if (end == std::string::npos) break;  // an unterminated last line is not a field
        if (auto v = event_field(std::string_view(body).substr(start, end - start))) out.push_back(std::move(*v));
        start = end + 1;
        if (body[end] == '\r' && start < body.size() && body[start] == '\n') ++start;
    }
    return out;
}

}  // namespace

std::string clip(const std::string& text, std::size_t max) {
    return text.size() <= max ? text : text.substr(0, max) + "...";
}

std::string answer_stream::body_start(std::size_t max) const { return clip(cap.body, max); }

answer_stream read_answer(const server_session& s) {
    answer_stream a;
    stream_reader reader(s.subscribe());
    // read_response stops at the body cap: cap.body stops growing there (stream_reader::feed)
    // while the parsed events would not, so an endless answer would otherwise grow them until
    // --timeout.
    if (!read_response(reader, s.timeout, a.error)) {
        a.unreachable = true;
        a.raw = reader.raw();
        return a;
    }
    if (reader.data().ended) reader.finish();
    a.cap = reader.take();
    a.truncated = !a.cap.ended && at_cap(a.cap);
    a.raw = reader.raw();
    const auto& head = a.cap.head;
    const std::string ct(head.header("content-type"));
    if (head.status != 200 || !sse::is_event_stream(ct)) {
        a.error = "the request answered " + std::to_string(head.status) + " " + head.reason +
                  (ct.empty() ? "" : " (" + ct + ")") + ", not a 200 text/event-stream" +
                  (a.cap.body.empty() ? "" : "; body: " + a.body_start());
        return a;
    }
    a.ok = true;
    a.events.reserve(a.cap.events.size());
    for (auto& e : a.cap.events) {
        answer_event ae{std::move(e), std::nullopt, {}};
        try {
            ae.json = nlohmann::json::parse(ae.event.data);
        } catch (const nlohmann::json::exception& x) {
            ae.json_error = x.what();
        }
        a.events.push_back(std::move(ae));
    }
    a.cap.events.clear();
    a.event_fields = event_fields(a.cap.body);
    return a;
}

}  // namespace sse::conformance

namespace sse::conformance {

const answer_stream& server_session::answer() {
    if (!answer_) answer_ = std::make_shared<const answer_stream>(read_answer(*this));
    return *answer_;
}

}  // namespace sse::conformance

namespace sse::conformance {

const answer_stream* answer_of(context& ctx, std::optional<outcome>& instead) {
    const auto& a = server_of(ctx).answer();
    ctx.raw = a.raw;
    if (a.ok) return &a;
    if (a.unreachable) instead = outcome::skipped_because("no response: " + a.error);
    else instead = outcome::failed("no answer stream: " + a.error, "200 text/event-stream", a.error, a.raw);
    return nullptr;
}

std::string type_of(const answer_event& e) {
    if (!e.json || !e.json->is_object()) return {};
    const auto t = e.json->find("type");
    return t != e.json->end() && t->is_string() ? t->get<std::string>() : std::string();
}

std::string timeout_note(context& ctx, const answer_stream& a) {
    if (a.truncated)
        return "reading stopped after the first " + cap_text() + " of the body, before the stream ended";
    return "the stream did not end within --timeout (" + std::to_string(server_of(ctx).timeout.count()) + " ms)";
}

outcome failed_with(const std::vector<std::string>& problems, std::string expected, const answer_stream& a) {
    std::string first = problems.front();
    if (problems.size() > 1) first += " (and " + std::to_string(problems.size() - 1) + " more)";
    return outcome::failed(first, std::move(expected), join_lines(problems, 6), a.raw);
}

std::string cap_note(const answer_stream& a) {
    if (!a.truncated) return {};
    return "; graded on the first " + cap_text() + " of the answer (reading stops there; the stream had not ended)";
}

std::function<outcome(context&)> on_answer(outcome (*run)(context&)) {
    return [run](context& ctx) {
        auto o = run(ctx);
        // Every verdict but skipped went through answer_of, so the answer is cached: no new read.
        if (o.result != verdict::skipped) o.message += cap_note(server_of(ctx).answer());
        return o;
    };
}

outcome event_named_by_type(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    if (a->events.empty())
        return outcome::failed("the answer carried no event" + std::string(a->cap.ended ? "" : "; " + timeout_note(ctx, *a)),
                               "named events whose data is a JSON object with that type", a->body_start(), a->raw);
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        const auto type = type_of(e);
        if (!e.json) problems.push_back(describe_event(e, i + 1) + ": data not JSON (" + e.json_error + ")");
        else if (type.empty()) problems.push_back(describe_event(e, i + 1) + ": no string type in the data");
        else if (type != e.event.type)
            problems.push_back(describe_event(e, i + 1) + ": event: " + e.event.type + " but type \"" + type + "\"");
    }
    if (!problems.empty()) return failed_with(problems, "event: equal to the data's type, on every event", *a);
    return outcome::passed(std::to_string(a->events.size()) + " events, each named by its type");
}

std::string describe_event(const answer_event& e, std::size_t n) {
    // An unnamed event reads as type "message": say "event:" only when one was named.
    return "#" + std::to_string(n) + (e.event.type == "message" ? "" : " event:" + e.event.type) + " data:" +
           clip(e.event.data, 120);
}

}  // namespace sse::conformance
