// Values near 2^32 and SIZE_MAX through the protocol core. Where size_t and long are 32 bits
// (wasm32, the WebAssembly build) a size, counter, limit or time held in the wrong type wraps
// exactly there, so these run in both builds: `ctest -L unit` natively and with the wasm preset
// under Node. Inputs stay small except where a test says otherwise.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "sse/encoder.hpp"
#include "sse/error.hpp"
#include "sse/message.hpp"
#include "sse/parser.hpp"
#include "sse/reconnector.hpp"
#include "sse/validator.hpp"
#include "support/recorder.hpp"
#include "support/vectors.hpp"

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using sse::test::parse_chunked;
using sse::test::record;

constexpr std::uint64_t two_32 = std::uint64_t{1} << 32;
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr bool size_t_is_32_bit = sizeof(std::size_t) == 4;

// Limit values where an off-by-one or a narrowing conversion wraps: the top of size_t, and 2^32
// on either side (on a 32-bit target 2^32 - 1 is SIZE_MAX and 2^32 does not exist).
std::vector<std::size_t> limits_near_the_top() {
    std::vector<std::size_t> out{SIZE_MAX, SIZE_MAX - 1, static_cast<std::size_t>(UINT32_MAX),
                                 static_cast<std::size_t>(UINT32_MAX - 1)};
    if constexpr (!size_t_is_32_bit) {
        out.push_back(static_cast<std::size_t>(two_32));
        out.push_back(static_cast<std::size_t>(two_32 + 1));
    }
    return out;
}

// ---- parser ------------------------------------------------------------------------------------

// A limit at or near SIZE_MAX is "no limit" (parser_limits says so): every corpus case that sets
// no limits parses as with the defaults. A check written as `size + 1 > max` or `max + 1` wraps
// here and fails every line.
TEST(wraparound_parser, limits_near_the_top_of_size_t_are_never_hit_by_small_input) {
    for (const std::size_t limit : limits_near_the_top()) {
        for (const sse::parser_limits limits :
             {sse::parser_limits{limit, limit}, sse::parser_limits{limit, 16},
              sse::parser_limits{16, limit}}) {
            const bool wide_line = limits.max_line_length == limit;
            const bool wide_event = limits.max_event_size == limit;
            for (const auto& v : sse::test::corpus().cases) {
                if (v.has_limits) continue;
                const auto got = parse_chunked(v.input, 0, limits);
                EXPECT_EQ(parse_chunked(v.input, 1, limits), got)
                    << v.id << " byte by byte, limits " << limits.max_line_length << "/"
                    << limits.max_event_size;
                // The small limit (16) may be exceeded on purpose; the large one never is.
                if (wide_line && wide_event) {
                    EXPECT_EQ(got, v.expected_outcome()) << v.id << " with both limits " << limit;
                } else if (wide_line) {
                    EXPECT_NE(got.error, sse::errc::line_too_long) << v.id << " limit " << limit;
                } else if (wide_event) {
                    EXPECT_NE(got.error, sse::errc::event_too_large) << v.id << " limit " << limit;
                }
            }
        }
    }
}

// `retry` is a uint64 from the stream to the handler: 2^32 and beyond must not be truncated to
// an unsigned long (32 bits on wasm32), and values past 2^64 saturate instead of wrapping.
TEST(wraparound_parser, retry_around_2_32_and_2_64_is_exact_or_saturates) {
    const std::vector<std::pair<std::string, std::uint64_t>> cases{
        {"4294967295", two_32 - 1},
        {"4294967296", two_32},
        {"4294967297", two_32 + 1},
        {"8589934592", two_32 * 2},
        {"18446744073709551615", u64_max},
        {"18446744073709551616", u64_max},
        {"99999999999999999999999999", u64_max},
    };
    for (const auto& [digits, want] : cases) {
        const auto out = parse_chunked("retry: " + digits + "\n", 1);
        EXPECT_EQ(out.records, std::vector<record>{record::make_retry(want)}) << digits;
        EXPECT_FALSE(out.error) << digits;
    }
}

// ---- validator ---------------------------------------------------------------------------------

std::vector<sse::observation> validate(std::string_view input, sse::validator_options options) {
    sse::validator v(options);
    std::vector<sse::observation> out;
    v.feed(input, out);
    v.finish(out);
    return out;
}

// Limits near SIZE_MAX judge the corpus exactly as the defaults do (no limit observation).
TEST(wraparound_validator, limits_near_the_top_of_size_t_are_never_hit_by_small_input) {
    for (const std::size_t limit : limits_near_the_top()) {
        sse::validator_options wide;
        wide.limits = {limit, limit};
        for (const auto& v : sse::test::corpus().cases) {
            if (v.has_limits) continue;
            EXPECT_EQ(validate(v.input, wide), validate(v.input, {})) << v.id << " limit " << limit;
        }
    }
}

// max_retry_ms is compared in 64 bits: a threshold of 2^32 keeps 2^32 quiet and flags 2^32 + 1.
TEST(wraparound_validator, retry_threshold_at_2_32_compares_in_64_bits) {
    const auto too_large = [](std::string_view input, std::uint64_t max) {
        sse::validator_options o;
        o.max_retry_ms = max;
        sse::validator v(o);
        std::vector<sse::observation> out;
        v.feed(input, out);
        return v.count(sse::observation_code::retry_too_large);
    };
    EXPECT_EQ(too_large("retry: 4294967296\n", two_32), 0u);
    EXPECT_EQ(too_large("retry: 4294967297\n", two_32), 1u);
    EXPECT_EQ(too_large("retry: 18446744073709551616\n", u64_max - 1), 1u);  // saturated, above
    EXPECT_EQ(too_large("retry: 2147483647\n", sse::validator_options{}.max_retry_ms), 0u);
    EXPECT_EQ(too_large("retry: 2147483648\n", sse::validator_options{}.max_retry_ms), 1u);
    EXPECT_EQ(too_large("retry: 4294967296\n", sse::validator_options{}.max_retry_ms), 1u);
}

// Offsets, line numbers and byte counts are uint64_t: after 4 GiB of input they keep counting.
// The 4 GiB are one 1 MiB chunk fed 4096 times (long comment lines, the cheapest input to
// validate): about 0.3 s optimised natively (3 s in the debug build), 1.5 s under Node.
TEST(wraparound_validator, offsets_and_counts_keep_counting_past_4_gib) {
    constexpr std::size_t line_length = 4096;  // ":" + 4094 x "x" + LF
    std::string chunk;
    while (chunk.size() < (std::size_t{1} << 20)) {
        chunk += ':';
        chunk.append(line_length - 2, 'x');
        chunk += '\n';
    }
    const std::uint64_t chunks = two_32 / chunk.size();
    const std::uint64_t lines = two_32 / line_length;
    sse::validator v;
    std::vector<sse::observation> out;
    for (std::uint64_t i = 0; i < chunks; ++i) v.feed(chunk, out);
    ASSERT_TRUE(out.empty()) << out.front().message;
    ASSERT_EQ(v.bytes(), two_32);
    ASSERT_EQ(v.lines(), lines);

    v.feed("Data: x\n", out);  // a near-miss field name, reported at its line's start
    v.feed("data: y", out);    // and a partial line the end of the stream cuts off
    v.finish(out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].code, sse::observation_code::field_name_near_miss);
    EXPECT_EQ(out[0].offset, two_32);
    EXPECT_EQ(out[0].line, lines + 1);
    EXPECT_EQ(out[1].code, sse::observation_code::unterminated_line);
    EXPECT_EQ(out[1].offset, two_32 + 8);
    EXPECT_EQ(out[1].line, lines + 2);
    EXPECT_NE(out[1].message.find("(7 bytes"), std::string::npos) << out[1].message;
    EXPECT_EQ(v.bytes(), two_32 + 15);
}

// ---- encoder -----------------------------------------------------------------------------------

TEST(wraparound_encoder, retry_around_2_32_is_written_exactly) {
    for (const std::uint64_t ms : {two_32 - 1, two_32, two_32 + 1, u64_max}) {
        std::string line;
        sse::encode_retry(ms, line);
        EXPECT_EQ(line, "retry: " + std::to_string(ms) + "\n");

        const sse::message m{.data = "x", .retry = ms};
        std::string block;
        ASSERT_FALSE(sse::encode(m, block));
        EXPECT_EQ(sse::encoded_size(m), block.size());
        EXPECT_EQ(parse_chunked(block, 0).records,
                  (std::vector<record>{record::make_retry(ms),
                                       record::make_event("message", "x", "")}));
    }
}

// Where size_t is 32 bits, a payload of line breaks grows sevenfold ("data: " + LF per line), so a
// block's size can pass SIZE_MAX although the payload fits in memory. Computed in size_t it would
// wrap to a small number and encode() would reserve too little and write a block of the wrong
// size; it must refuse with message_too_large, and encoded_size() must say 0. Needs SIZE_MAX / 7
// line breaks, a 585 MiB payload: wasm32 only (8 to 40 s under Node, by machine load); on a 64-bit
// target no input that fits in memory gets there.
TEST(wraparound_encoder, a_block_whose_size_passes_size_max_is_refused) {
    std::string out = "kept";
    if constexpr (!size_t_is_32_bit) {
        GTEST_SKIP() << "only reachable where size_t is 32 bits (the wasm build runs it)";
    }
    const std::size_t breaks = SIZE_MAX / 7 + 1;
    // breaks + 1 empty data lines of 7 bytes each, then the blank line.
    const std::uint64_t size = (std::uint64_t{breaks} + 1) * 7 + 1;
    ASSERT_GT(size, std::uint64_t{SIZE_MAX});
    const std::string payload(breaks, '\n');
    const sse::message m{.data = payload};
    EXPECT_EQ(sse::encode(m, out), std::error_code(sse::errc::message_too_large));
    EXPECT_EQ(out, "kept");
    EXPECT_EQ(sse::encoded_size(m), 0u);
}

// ---- reconnector -------------------------------------------------------------------------------

constexpr std::string_view event_stream = "text/event-stream";

// A steady clock passes 2^32 ms after 49.7 days of uptime: deadlines across it are exact.
TEST(wraparound_reconnector, deadlines_across_2_32_ms_are_exact) {
    const milliseconds before{static_cast<milliseconds::rep>(two_32) - 1000};
    const milliseconds deadline{static_cast<milliseconds::rep>(two_32) + 2000};
    sse::reconnector rc;
    ASSERT_EQ(rc.start(before).kind, sse::action_kind::connect);
    ASSERT_EQ(rc.on_response(before, 200, event_stream).kind, sse::action_kind::open);
    const auto wait = rc.on_end_of_stream(before);
    ASSERT_EQ(wait.kind, sse::action_kind::wait);
    EXPECT_EQ(wait.when, deadline);
    const auto early = rc.on_timer(deadline - 1ms);
    EXPECT_EQ(early.kind, sse::action_kind::wait);
    EXPECT_EQ(early.when, deadline);
    EXPECT_EQ(rc.on_timer(deadline).kind, sse::action_kind::connect);
}

// A reconnection time of 2^32 ms or more (from the stream's `retry`) is kept exactly.
TEST(wraparound_reconnector, retry_of_2_32_ms_and_more_is_kept_exactly) {
    for (const std::uint64_t ms : {two_32 - 1, two_32, two_32 + 1, two_32 * 3}) {
        struct ignore final : sse::handler {
            sse::action on_event(const sse::event&) override { return sse::action::proceed; }
        } h;
        sse::parser p(h);
        ASSERT_FALSE(p.feed("retry: " + std::to_string(ms) + "\n").error);
        sse::reconnector rc;
        rc.update_from(p);
        EXPECT_EQ(static_cast<std::uint64_t>(rc.reconnection_time().count()), ms);
        const milliseconds now{static_cast<milliseconds::rep>(two_32)};
        ASSERT_EQ(rc.start(now).kind, sse::action_kind::connect);
        ASSERT_EQ(rc.on_response(now, 200, event_stream).kind, sse::action_kind::open);
        EXPECT_EQ(rc.on_end_of_stream(now).when,
                  now + milliseconds{static_cast<milliseconds::rep>(ms)});
    }
}

// Backoff and jitter on delays past 2^32 ms: the backed-off wait doubles up to the cap, and the
// jitter draw spans the whole range (a draw cut to 32 bits would keep every extra below 2^32).
TEST(wraparound_reconnector, backoff_and_jitter_past_2_32_ms) {
    const auto ms = [](std::uint64_t v) { return milliseconds{static_cast<milliseconds::rep>(v)}; };
    {
        sse::reconnect_policy policy;
        policy.initial_reconnection_time = ms(two_32);
        policy.backoff_multiplier = 2.0;
        policy.max_delay = ms(two_32 * 4);
        sse::reconnector rc(policy);
        milliseconds now{0};
        ASSERT_EQ(rc.start(now).kind, sse::action_kind::connect);
        for (const std::uint64_t want : {two_32 * 2, two_32 * 4, two_32 * 4}) {
            const auto wait = rc.on_network_error(now);  // before open: a failed attempt
            ASSERT_EQ(wait.kind, sse::action_kind::wait);
            EXPECT_EQ(wait.when - now, ms(want));
            now = wait.when;
            ASSERT_EQ(rc.on_timer(now).kind, sse::action_kind::connect);
        }
    }
    const std::uint64_t base = two_32 * 256;
    bool wide_extra = false;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        sse::reconnect_policy policy;
        policy.initial_reconnection_time = ms(base);
        policy.jitter = 1.0;
        policy.seed = seed;
        sse::reconnector rc(policy);
        ASSERT_EQ(rc.start(0ms).kind, sse::action_kind::connect);
        const auto wait = rc.on_network_error(0ms);
        ASSERT_EQ(wait.kind, sse::action_kind::wait);
        const auto extra = static_cast<std::uint64_t>(wait.when.count()) - base;
        EXPECT_LE(extra, base) << "seed " << seed;
        wide_extra |= extra >= two_32;
    }
    EXPECT_TRUE(wide_extra) << "no jitter draw of 8 reached 2^32 ms out of a range of 2^40";
}

}  // namespace
