// Fuzz target: sse::parser on arbitrary bytes, fed in arbitrary pieces, with pauses and limits.
//
// Input layout: 4 control bytes, then the stream.
//   [0] fixed chunk size for the cross-check (1 + b % 32)
//   [1] seed of an irregular chunk pattern (pieces of 0..64 bytes, some empty)
//   [2] bits 0-1: pause after every Nth record (0: never); bits 2-4 / 5-7: line / event limit
//       (0: the default, else 0, 1, 7, 16, 64, 256 or 1024 bytes)
//   [3] reserved (a later invariant can take it without invalidating the corpus)
//
// Oracle: with the default limits, the outcome equals the naive reference parser's
// (tests/support/reference_parser.hpp), which shares no code with proto/.
// Invariants (any violation aborts, and libFuzzer keeps the input):
// - the outcome (records, last event id, sticky error) is the same whole, at a fixed chunk size
//   and with the irregular pattern, whatever the pauses;
// - every event's type, data and id and the last event ID are valid UTF-8; the type is never
//   empty and ids never contain NUL; retry() matches the last retry reported;
// - feed() consumes at most what it was given, all of it unless it pauses or fails, and a pause
//   follows a handler call and makes progress;
// - an error is sticky: it is error(), finish() returns it, and later feeds consume nothing and
//   call nothing; after finish() nothing is consumed or called either;
// - reset() clears the error and keeps the last event ID.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "sse/parser.hpp"
#include "support/recorder.hpp"
#include "support/reference_parser.hpp"

namespace {

using sse::fuzz::is_utf8;
using sse::test::parse_outcome;
using sse::test::record;

// The default limit (selector 0, so most seeds parse normally) and limits short inputs can hit.
constexpr std::size_t limit_choices[8] = {sse::parser_limits{}.max_line_length, 0, 1, 7, 16, 64,
                                          256, 1024};

// Records like sse::test::recorder, and checks each call as it happens.
class checking_handler final : public sse::handler {
public:
    std::vector<record> records;
    std::size_t calls = 0;
    std::size_t pause_every = 0;

    sse::action on_event(const sse::event& e) override {
        SSE_FUZZ_CHECK(!e.type.empty());
        SSE_FUZZ_CHECK(is_utf8(e.type));
        SSE_FUZZ_CHECK(is_utf8(e.data));
        SSE_FUZZ_CHECK(is_utf8(e.last_event_id));
        SSE_FUZZ_CHECK(e.last_event_id.find('\0') == std::string_view::npos);
        records.push_back(record::make_event(e.type, e.data, e.last_event_id));
        return counted();
    }
    sse::action on_retry(std::uint64_t ms) override {
        records.push_back(record::make_retry(ms));
        return counted();
    }
    sse::action on_comment(std::string_view text) override {
        (void)text;  // raw bytes by contract: nothing to check but that the view is readable
        ++calls;
        return sse::action::proceed;
    }

private:
    sse::action counted() {
        ++calls;
        const bool pause = pause_every != 0 && records.size() % pause_every == 0;
        return pause ? sse::action::pause : sse::action::proceed;
    }
};

bool is_limit_error(std::error_code ec) {
    return ec == sse::errc::line_too_long || ec == sse::errc::event_too_large;
}

// Feeds `input` in the pieces `chunks` chooses, checking every feed; returns the outcome.
parse_outcome parse_checked(std::string_view input, sse::parser_limits limits,
                            std::size_t pause_every, sse::fuzz::pattern chunks) {
    checking_handler h;
    h.pause_every = pause_every;
    sse::parser p(h, limits);
    std::error_code error;
    for (std::size_t at = 0; at < input.size();) {
        // Each piece gets its own exactly-sized heap buffer, freed right after its feed: ASan
        // then catches a read past it and any view the parser kept into it.
        const std::string_view wanted = input.substr(at, chunks.next() % 65);
        const std::unique_ptr<char[]> buffer(new char[wanted.size()]);
        std::memcpy(buffer.get(), wanted.data(), wanted.size());
        const std::string_view piece(buffer.get(), wanted.size());
        const std::size_t calls_before = h.calls;
        const sse::feed_result r = p.feed(piece);
        SSE_FUZZ_CHECK(r.consumed <= piece.size());
        at += r.consumed;
        if (r.error == sse::errc::paused) {
            SSE_FUZZ_CHECK(pause_every != 0);
            SSE_FUZZ_CHECK(h.calls > calls_before);
            SSE_FUZZ_CHECK(r.consumed > 0);  // else a caller that re-feeds the rest spins
            SSE_FUZZ_CHECK(!p.error());      // pausing is not sticky
            continue;
        }
        if (r.error) {
            SSE_FUZZ_CHECK(is_limit_error(r.error));
            SSE_FUZZ_CHECK(p.error() == r.error);
            error = r.error;
            // Sticky: the rest of the input is refused without a call.
            const std::size_t calls = h.calls;
            const sse::feed_result again = p.feed(input.substr(at));
            SSE_FUZZ_CHECK(again.consumed == 0 && again.error == error && h.calls == calls);
            break;
        }
        SSE_FUZZ_CHECK(r.consumed == piece.size());
        SSE_FUZZ_CHECK(!p.error());
    }

    // The last retry reported is the parser's reconnection time.
    std::optional<std::uint64_t> last_retry;
    for (const record& rec : h.records) {
        if (rec.is_retry) last_retry = rec.retry;
    }
    SSE_FUZZ_CHECK(p.retry() == last_retry);

    const std::size_t calls = h.calls;
    SSE_FUZZ_CHECK(p.finish() == error);
    SSE_FUZZ_CHECK(h.calls == calls);  // a partial event is dropped, never dispatched
    const std::string last_id(p.last_event_id());
    SSE_FUZZ_CHECK(is_utf8(last_id));
    SSE_FUZZ_CHECK(last_id.find('\0') == std::string::npos);

    // Nothing after finish(): not even a complete event.
    const sse::feed_result late = p.feed("data: late\n\n");
    SSE_FUZZ_CHECK(late.consumed == 0);
    SSE_FUZZ_CHECK(late.error == (error ? error : sse::errc::feed_after_finish));
    SSE_FUZZ_CHECK(h.calls == calls);

    // reset() starts a new stream that remembers the last event ID.
    p.reset();
    SSE_FUZZ_CHECK(!p.error());
    SSE_FUZZ_CHECK(p.last_event_id() == last_id);
    if (limits.max_line_length >= 8 && limits.max_event_size >= 2) {
        h.pause_every = 0;
        const std::size_t before = h.records.size();
        const sse::feed_result fresh = p.feed("data: x\n\n");
        SSE_FUZZ_CHECK(fresh.consumed == 9 && !fresh.error);
        SSE_FUZZ_CHECK(h.records.size() == before + 1);
        SSE_FUZZ_CHECK(h.records.back() == record::make_event("message", "x", last_id));
        h.records.pop_back();
    }
    return {std::move(h.records), last_id, error};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sse::fuzz::control_bytes control(data, size, 4);
    const std::size_t fixed_chunk = 1 + control.next() % 32;
    const std::uint8_t chunk_seed = control.next();
    const std::uint8_t mode = control.next();
    control.next();  // reserved
    const std::size_t pause_every = mode & 3u;
    sse::parser_limits limits;
    limits.max_line_length = limit_choices[(mode >> 2) & 7u];
    limits.max_event_size = limit_choices[(mode >> 5) & 7u];

    const std::string_view input(reinterpret_cast<const char*>(data) + control.used(),
                                 size - control.used());

    const parse_outcome whole = sse::test::parse_chunked(input, 0, limits);
    const parse_outcome fixed = sse::test::parse_chunked(input, fixed_chunk, limits, pause_every);
    SSE_FUZZ_CHECK(fixed == whole);
    const parse_outcome irregular =
        parse_checked(input, limits, pause_every, sse::fuzz::pattern(chunk_seed));
    SSE_FUZZ_CHECK(irregular == whole);
    if (mode >> 2 == 0) SSE_FUZZ_CHECK(whole == sse::test::reference::parse(input));
    return 0;
}
