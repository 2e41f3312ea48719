#include "generators.hpp"

#include <algorithm>
#include <ostream>

namespace sse::conformance::client {
namespace {

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += p;
    return out;
}

// Text for a field value: ASCII, spaces and colons, multi-byte UTF-8 (2, 3 and 4 bytes), a BOM
// that is not the stream's first bytes, a tab, an invalid byte (decoded as U+FFFD) and NUL.
rc::Gen<std::string> gen_text() {
    static const std::vector<std::string> atoms = {
        "a", "b", "z", "0", "42", " ", ":", "  ", "data", "id",
        "\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "\t", "\xFF",
        std::string("\0", 1)};
    return rc::gen::mapcat(rc::gen::inRange(0, 6), [](int n) {
        return rc::gen::map(rc::gen::container<std::vector<std::string>>(std::size_t(n), rc::gen::elementOf(atoms)), join);
    });
}

rc::Gen<std::string> gen_space() { return rc::gen::element(std::string(), std::string(" "), std::string("  ")); }

rc::Gen<std::string> gen_line() {
    static const std::vector<std::string> types = {"update", "ping", "\xC3\xBC" "n\xC3\xAF", "message"};
    static const std::vector<std::string> ids = {"1", "2", "abc", "\xC3\xA9t\xC3\xA9", "", std::string("x\0y", 3), " 7"};
    auto field = [](std::string name, rc::Gen<std::string> value) {
        return rc::gen::apply([name](const std::string& sp, const std::string& v) { return name + ":" + sp + v; },
                              gen_space(), std::move(value));
    };
    return rc::gen::weightedOneOf<std::string>({
        {8, field("data", gen_text())},
        {1, rc::gen::just(std::string("data"))},
        {2, field("event", rc::gen::elementOf(types))},
        {3, field("id", rc::gen::oneOf(rc::gen::elementOf(ids), gen_text()))},
        {1, field("retry", rc::gen::map(rc::gen::inRange(5, 41), [](int v) { return std::to_string(v); }))},
        {1, field("retry", rc::gen::element(std::string("1x"), std::string(" 5"), std::string("")))},
        {1, rc::gen::map(gen_text(), [](const std::string& t) { return ":" + t; })},
        {1, field("foo", gen_text())},
        {6, rc::gen::just(std::string())},
    });
}

rc::Gen<std::string> gen_line_end() {
    return rc::gen::weightedElement<std::string>({{6, "\n"}, {2, "\r\n"}, {2, "\r"}});
}

std::string escaped(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '"' || c == '\\') { out += '\\'; out += char(c); }
        else if (c < 0x20 || c >= 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x"; out += hex[c >> 4]; out += hex[c & 15];
        } else out += char(c);
    }
    return out + "\"";
}

}  // namespace

rc::Gen<std::string> gen_stream_body(bool retry_first) {
    return rc::gen::apply(
        [retry_first](bool bom, int retry, const std::vector<std::pair<std::string, std::string>>& lines,
                      bool final_blank) {
            // A BOM is always followed by a field line here: a BOM directly followed by a line
            // break is its own fixed case (client/bom/1), so each property's outcome for a client
            // with that one bug does not depend on the seed.
            std::string body = bom ? "\xEF\xBB\xBF:bom\n" : "";
            if (retry_first) body += "retry: " + std::to_string(retry) + "\n";
            for (const auto& [line, end] : lines) body += line + end;
            if (final_blank) body += "\n\n";  // often dispatch what is pending; sometimes leave it partial
            return body;
        },
        rc::gen::weightedElement<bool>({{1, true}, {5, false}}), rc::gen::inRange(5, 41),
        rc::gen::mapcat(rc::gen::inRange(0, 14), [](int n) {
            return rc::gen::container<std::vector<std::pair<std::string, std::string>>>(
                std::size_t(n), rc::gen::pair(gen_line(), gen_line_end()));
        }),
        rc::gen::arbitrary<bool>());
}

rc::Gen<std::vector<std::string>> gen_chunks(const std::string& body) {
    const int size = int(body.size());
    return rc::gen::map(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, std::max(size, 1))),
                        [body, size](std::vector<int> cuts) {
                            if (cuts.size() > 8) cuts.resize(8);
                            cuts.push_back(0);
                            cuts.push_back(size);
                            std::sort(cuts.begin(), cuts.end());
                            cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
                            std::vector<std::string> chunks;
                            for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
                                chunks.push_back(body.substr(std::size_t(cuts[i]), std::size_t(cuts[i + 1] - cuts[i])));
                            return chunks;
                        });
}

rc::Gen<response_step> gen_stream_step(body_end end, bool retry_first) {
    return rc::gen::mapcat(gen_stream_body(retry_first), [end](const std::string& body) {
        return rc::gen::apply(
            [end](std::vector<std::string> chunks, int framing, int delay) {
                response_step s;
                s.chunks = std::move(chunks);
                s.end = end;
                // hold and truncated need chunked framing; a clean end may be close-delimited.
                s.chunked = end != body_end::clean || framing != 0;
                s.chunk_delay_ms = delay;
                return s;
            },
            gen_chunks(body), rc::gen::inRange(0, 3), rc::gen::element(0, 0, 1));
    });
}

rc::Gen<scenario> gen_parse_scenario() {
    return rc::gen::map(gen_stream_step(body_end::hold, false), [](response_step s) {
        scenario sc;
        sc.steps.push_back(std::move(s));
        return sc;
    });
}

rc::Gen<scenario> gen_reconnect_scenario() {
    auto ending = rc::gen::mapcat(rc::gen::element(body_end::clean, body_end::truncated),
                                  [](body_end e) { return gen_stream_step(e, true); });
    return rc::gen::apply(
        [](std::vector<response_step> ended, response_step last) {
            scenario sc;
            sc.steps = std::move(ended);
            sc.steps.push_back(std::move(last));
            return sc;
        },
        rc::gen::mapcat(rc::gen::inRange(1, 4), [ending](int n) {
            return rc::gen::container<std::vector<response_step>>(std::size_t(n), ending);
        }),
        gen_stream_step(body_end::hold, true));
}

rc::Gen<scenario> gen_failing_status_scenario(std::vector<int> statuses) {
    return rc::gen::apply(
        [](response_step first, int status, response_step failing) {
            failing.status = status;
            scenario sc;
            sc.steps = {std::move(first), std::move(failing)};
            return sc;
        },
        gen_stream_step(body_end::clean, true), rc::gen::elementOf(statuses),
        gen_stream_step(body_end::clean, true));
}

rc::Gen<scenario> gen_content_type_scenario(std::vector<std::optional<std::string>> types, bool accepted) {
    return rc::gen::apply(
        [accepted](response_step first, std::optional<std::string> type, response_step second) {
            second.content_type = std::move(type);
            second.end = accepted ? body_end::hold : body_end::clean;
            if (accepted) second.chunked = true;
            scenario sc;
            sc.steps = {std::move(first), std::move(second)};
            return sc;
        },
        gen_stream_step(body_end::clean, true), rc::gen::elementOf(types),
        gen_stream_step(body_end::clean, true));
}

rc::Gen<scenario> gen_redirect_scenario() {
    return rc::gen::apply(
        [](int status, response_step target) {
            response_step hop;
            hop.status = status;
            hop.content_type.reset();
            scenario sc;
            sc.steps = {std::move(hop), std::move(target)};
            return sc;
        },
        rc::gen::element(301, 302, 303, 307, 308), gen_stream_step(body_end::hold, false));
}

void showValue(const scenario& s, std::ostream& os) {
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
        const response_step& st = s.steps[i];
        os << "\n  response " << i + 1 << ": " << st.status << " Content-Type "
           << (st.content_type ? escaped(*st.content_type) : "(none)") << ", "
           << (st.chunked ? "chunked" : "close-delimited") << ", "
           << (st.end == body_end::hold ? "held open" : st.end == body_end::clean ? "ends cleanly" : "truncated")
           << ", chunks:";
        for (const auto& c : st.chunks) os << " " << escaped(c);
    }
}

}  // namespace sse::conformance::client
