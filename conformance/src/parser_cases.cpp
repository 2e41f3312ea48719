// Parser cases: the vector corpus (whole and chunked) and generated streams, compared with
// ssekit's parser (the spec model the corpus also pins down).
#include <stdexcept>

#include "parser_session.hpp"
#include "property.hpp"
#include "sse/conformance/runner.hpp"

namespace sse::conformance {

namespace {

parser_session& parser_of(context& ctx) {
    auto* s = dynamic_cast<parser_session*>(ctx.session);
    if (s == nullptr) throw std::logic_error("a parser case ran outside parser mode");
    return *s;
}

std::string lines_of(const nlohmann::json& records) {
    std::string s;
    for (const auto& r : records) s += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    return s.empty() ? "(no records)\n" : s;
}

outcome corpus_case(context& ctx, bool chunked) {
    auto& s = parser_of(ctx);
    if (s.corpus.empty()) return outcome::skipped_because("no vector corpus: " + s.corpus_error);
    std::size_t run = 0, skipped = 0;
    std::vector<std::string> failures;
    std::string expected, actual;
    for (const auto& v : s.corpus) {
        if (v.uses_limits) {
            ++skipped;  // a foreign command cannot be given ssekit's limits
            continue;
        }
        ++run;
        const auto chunks = chunked ? chunk(v.input, case_seed(ctx.seed, v.id), 7) : std::vector<std::string>{v.input};
        const auto r = s.run(chunks);
        if (r.ok && r.records == v.expect) continue;
        if (failures.empty()) {
            expected = v.id + ":\n" + lines_of(v.expect);
            actual = v.id + ":\n" + (r.ok ? lines_of(r.records) : r.error + "\n");
            ctx.raw = v.input;
        }
        failures.push_back(v.id);
    }
    if (!failures.empty()) {
        std::string ids;
        for (std::size_t i = 0; i < failures.size() && i < 20; ++i) ids += (i ? ", " : "") + failures[i];
        if (failures.size() > 20) ids += ", ...";
        outcome o = outcome::failed(std::to_string(failures.size()) + " of " + std::to_string(run) +
                                        " vectors differ: " + ids, expected, actual, ctx.raw);
        o.repro = ctx.options.repro_prefix + " --case '" + std::string(chunked ? "parser/vectors/2" : "parser/vectors/1") +
                  "' --seed " + std::to_string(ctx.options.seed);
        return o;
    }
    return outcome::passed(std::to_string(run) + " vectors agree" +
                           (skipped ? " (" + std::to_string(skipped) + " needing parser limits not run)" : ""));
}

rc::Gen<std::string> gen_stream() {
    static const std::vector<std::string> pieces = {
        "data", "data:", "data: ", "event:", "event: ", "id:", "id: ", "retry:", "retry: ", ":", " ", "x", "y",
        "1", "12", "\xc3\xa9", "\xf0\x9f\x98\x80", "\n", "\n", "\r", "\r\n", "\n\n", "\r\r", "\r\n\r\n", "\xef\xbb\xbf", "\xff",
        "\xe2\x82", std::string(1, '\0'), "Data:", "\t"};
    return rc::gen::map(rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(pieces)),
                        [](const std::vector<std::string>& parts) {
                            std::string s;
                            for (const auto& p : parts) s += p;
                            return s;
                        });
}

outcome generated(context& ctx) {
    auto& s = parser_of(ctx);
    return check_property(ctx, "parser/generated/1", [&] {
        const auto stream = *gen_stream();
        const auto chunk_seed = *rc::gen::arbitrary<std::uint64_t>();
        const auto max_chunk = *rc::gen::inRange<std::size_t>(1, 16);
        const auto want = reference_records(stream);
        const auto r = s.run(chunk(stream, chunk_seed, max_chunk));
        ctx.raw = stream;
        if (!r.ok) RC_FAIL(r.error);
        if (r.records != want) RC_FAIL("expected\n" + lines_of(want) + "received\n" + lines_of(r.records));
    }, 40);
}

}  // namespace

void register_parser_cases(registry& r) {
    r.add(parser_mode());
    r.add({.id = "parser/vectors/1",
           .description = "every case of the vector corpus (tests/vectors), whole, gives the expected records",
           .requirement = "HTML 9.2.5/9.2.6: the event stream interpretation (the corpus quotes the rule each "
                          "case pins down)",
           .level = level::must, .target = target::parser, .run = [](context& c) { return corpus_case(c, false); }});
    r.add({.id = "parser/vectors/2",
           .description = "the corpus again, written in random chunks of 1-7 bytes",
           .requirement = "HTML 9.2.6: the stream is a sequence of lines however the bytes arrive (CRLF split "
                          "across reads included)",
           .level = level::must, .target = target::parser, .run = [](context& c) { return corpus_case(c, true); }});
    r.add({.id = "parser/generated/1",
           .description = "generated streams (fields, line ends, BOM, bad UTF-8, NUL) in random chunks agree "
                          "with the spec model",
           .requirement = "HTML 9.2.5/9.2.6: decoding (UTF-8 with replacement, one leading BOM), line splitting "
                          "(CR, LF, CRLF), fields, dispatch, last event ID",
           .level = level::must, .target = target::parser, .active = true, .run = generated});
}

}  // namespace sse::conformance
