// sse::validator: one case per observation code (a stream that must produce it, at an exact
// offset and line, and a clean stream that must not), severities, offsets, split invariance,
// the suppression cap, agreement with sse::parser on what a client does, and the API contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sse/detail/utf8.hpp"
#include "sse/validator.hpp"
#include "support/recorder.hpp"

namespace {

using sse::observation;
using sse::observation_code;
using sse::severity;
using namespace std::string_literals;

// Feeds `input` cut at `cuts` (increasing offsets), then finishes.
std::vector<observation> validate_cut(std::string_view input, const std::vector<std::size_t>& cuts,
                                      sse::validator_options options = {}) {
    sse::validator v(options);
    std::vector<observation> out;
    std::size_t at = 0;
    for (const std::size_t cut : cuts) {
        v.feed(input.substr(at, cut - at), out);
        at = cut;
    }
    v.feed(input.substr(at), out);
    v.finish(out);
    return out;
}

std::vector<observation> validate(std::string_view input, sse::validator_options options = {}) {
    return validate_cut(input, {}, options);
}

std::vector<observation> validate_bytewise(std::string_view input,
                                           sse::validator_options options = {}) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
    return validate_cut(input, cuts, options);
}

std::string describe(const std::vector<observation>& obs) {
    std::ostringstream os;
    for (const auto& o : obs) {
        os << "  " << o.name() << " @" << o.offset << " line " << o.line << ": " << o.message
           << "\n";
    }
    return os.str();
}

std::vector<observation> of_code(const std::vector<observation>& obs, observation_code c) {
    std::vector<observation> r;
    std::copy_if(obs.begin(), obs.end(), std::back_inserter(r),
                 [&](const observation& o) { return o.code == c; });
    return r;
}

// Whole, cut once at every offset, cut twice at every pair (short inputs), and byte by byte:
// all must give exactly the same observations.
void expect_split_invariant(std::string_view input, sse::validator_options options = {}) {
    const auto whole = validate(input, options);
    for (std::size_t i = 0; i <= input.size(); ++i) {
        ASSERT_EQ(validate_cut(input, {i}, options), whole)
            << "cut at " << i << "\nwhole:\n" << describe(whole) << "cut:\n"
            << describe(validate_cut(input, {i}, options));
    }
    if (input.size() <= 80) {
        for (std::size_t i = 0; i <= input.size(); ++i) {
            for (std::size_t j = i; j <= input.size(); ++j) {
                ASSERT_EQ(validate_cut(input, {i, j}, options), whole) << "cuts " << i << ", " << j;
            }
        }
    }
    ASSERT_EQ(validate_bytewise(input, options), whole) << "byte by byte";
}

// ---------------------------------------------------------------------------------------------
// One case per code.

struct code_case {
    observation_code code;
    severity expected_severity;  // written out here, so a change to the table must be deliberate
    std::string positive;        // must produce `code` exactly once, at `offset` / `line`
    std::uint64_t offset;
    std::uint64_t line;
    std::string negative;  // a near neighbour that must produce no observation at all
    sse::validator_options options = {};
};

// Failures name the code rather than dumping the case's bytes.
void PrintTo(const code_case& k, std::ostream* os) { *os << sse::to_string(k.code); }

sse::validator_options with_line_limit(std::size_t n) {
    sse::validator_options o;
    o.limits.max_line_length = n;
    return o;
}

sse::validator_options with_event_limit(std::size_t n) {
    sse::validator_options o;
    o.limits.max_event_size = n;
    return o;
}

sse::validator_options with_cap(std::size_t n) {
    sse::validator_options o;
    o.max_per_code = n;
    return o;
}

const std::vector<code_case>& code_cases() {
    using c = observation_code;
    static const std::vector<code_case> cases = {
        {c::invalid_utf8, severity::error, "data: a\xFF" "b\n\n", 7, 1, "data: a\xC3\xA9" "b\n\n"},
        {c::line_too_long, severity::error, "data: ok\ndata: too long\n\n", 9, 2, "data: ok\n\n",
         with_line_limit(8)},
        {c::event_too_large, severity::error, "data: 1234\ndata: 5678\n\n", 11, 2,
         "data: 1234\n\ndata: 5678\n\n", with_event_limit(8)},
        {c::bom_not_at_start, severity::warning, "data: a\n\n\xEF\xBB\xBF" "data: b\n\n", 9, 3,
         "data: a\n\ndata: b\n\n"},
        {c::mixed_line_ends, severity::warning, "data: a\n\r\n", 8, 2, "data: a\r\n\r\n"},
        {c::whitespace_line, severity::warning, "data: a\n \n\n", 8, 2, "data: a\n\n"},
        {c::field_name_near_miss, severity::warning, "Data: a\n\n", 0, 1, "data: a\n\n"},
        {c::id_contains_nul, severity::warning, "id: a\0b\ndata: x\n\n"s, 5, 1,
         "id: ab\ndata: x\n\n"},
        {c::retry_not_digits, severity::warning, "retry: 3000ms\n\n", 7, 1, "retry: 3000\n\n"},
        {c::retry_empty, severity::warning, "retry:\n\n", 6, 1, "retry: 1\n\n"},
        {c::retry_too_large, severity::warning, "retry: 2147483648\n\n", 7, 1,
         "retry: 2147483647\n\n"},
        {c::event_type_whitespace, severity::warning, "event: add \ndata: x\n\n", 7, 1,
         "event: add\ndata: x\n\n"},
        {c::event_without_data, severity::warning, "data: a\n\nevent: ping\n\n", 9, 3,
         "event: ping\ndata:\n\n"},
        {c::unterminated_line, severity::warning, "data: a\n\n: hi", 9, 3, "data: a\n\n: hi\n"},
        {c::unterminated_event, severity::warning, "data: a\n\nid: 7\ndata: b\n", 9, 3,
         "data: a\n\nid: 7\ndata: b\n\n"},
        {c::bom_at_start, severity::info, "\xEF\xBB\xBF" "data: a\n\n", 0, 1, "data: a\n\n"},
        {c::cr_line_ends, severity::info, "data: a\r\r", 7, 1, "data: a\n\n"},
        {c::unknown_field, severity::info, "foo: bar\ndata: a\n\n", 0, 1, ": foo bar\ndata: a\n\n"},
        {c::no_colon, severity::info, "data\n\n", 0, 1, "data:\n\n"},
        {c::no_space_after_colon, severity::info, "data:a\n\n", 5, 1, "data: a\n\n"},
        {c::event_type_empty, severity::info, "event:\ndata: a\n\n", 6, 1,
         "event: x\ndata: a\n\n"},
        {c::id_only_block, severity::info, "data: a\n\nid: 5\n\n", 9, 3, "id: 5\ndata: a\n\n"},
        // The third no-space-after-colon (at "c") is suppressed.
        {c::suppressed, severity::info, "data:a\ndata:b\ndata:c\n\n", 19, 3,
         "data: a\ndata: b\ndata: c\n\n", with_cap(2)},
    };
    return cases;
}

class per_code : public testing::TestWithParam<code_case> {};

TEST_P(per_code, positive_reports_it_once_at_the_right_place_with_its_severity) {
    const code_case& k = GetParam();
    const auto obs = validate(k.positive, k.options);
    const auto hits = of_code(obs, k.code);
    ASSERT_EQ(hits.size(), 1u) << describe(obs);
    EXPECT_EQ(hits[0].offset, k.offset) << describe(obs);
    EXPECT_EQ(hits[0].line, k.line) << describe(obs);
    EXPECT_EQ(hits[0].severity, k.expected_severity);
    EXPECT_EQ(sse::severity_of(k.code), k.expected_severity);
    EXPECT_FALSE(hits[0].message.empty());
    EXPECT_TRUE(sse::detail::utf8_is_valid(hits[0].message));
}

TEST_P(per_code, negative_is_clean) {
    const code_case& k = GetParam();
    sse::validator v(k.options);
    std::vector<observation> obs;
    v.feed(k.negative, obs);
    v.finish(obs);
    EXPECT_TRUE(obs.empty()) << describe(obs);
    EXPECT_EQ(v.count(k.code), 0u);
}

TEST_P(per_code, positive_is_split_invariant) {
    const code_case& k = GetParam();
    expect_split_invariant(k.positive, k.options);
}

INSTANTIATE_TEST_SUITE_P(validator, per_code, testing::ValuesIn(code_cases()),
                         [](const testing::TestParamInfo<code_case>& param_info) {
                             std::string name(sse::to_string(param_info.param.code));
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(validator_codes, every_code_has_a_case) {
    std::set<observation_code> covered;
    for (const auto& k : code_cases()) covered.insert(k.code);
    for (std::size_t i = 0; i < sse::observation_code_count; ++i) {
        EXPECT_TRUE(covered.count(static_cast<observation_code>(i)))
            << "no test case for " << sse::to_string(static_cast<observation_code>(i));
    }
}

TEST(validator_codes, names_are_unique_and_round_trip) {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < sse::observation_code_count; ++i) {
        const auto c = static_cast<observation_code>(i);
        EXPECT_TRUE(names.insert(sse::to_string(c)).second) << sse::to_string(c);
        EXPECT_EQ(sse::parse_observation_code(sse::to_string(c)), c);
        EXPECT_FALSE(sse::spec_section(c).empty());
    }
    EXPECT_EQ(sse::parse_observation_code("Retry-Not-Digits"), std::nullopt);
    EXPECT_EQ(sse::to_string(observation_code::retry_not_digits), "retry-not-digits");
    EXPECT_EQ(sse::to_string(severity::warning), "warning");
    EXPECT_LT(severity::info, severity::warning);
    EXPECT_LT(severity::warning, severity::error);
}

// ---------------------------------------------------------------------------------------------
// Details of individual codes.

TEST(validator, near_miss_catches_case_and_spacing_but_not_other_names) {
    for (const char* line : {"DATA: x\n\n", "data : x\n\n", " id: 1\n\n", "Retry: 1\n\n",
                             "Event: x\n\n", "\tdata\t: x\n\n"}) {
        const auto obs = validate(line);
        EXPECT_EQ(of_code(obs, observation_code::field_name_near_miss).size(), 1u)
            << line << describe(obs);
        EXPECT_TRUE(of_code(obs, observation_code::unknown_field).empty());
    }
    const auto obs = validate("datum: x\ndata: y\n\n");
    EXPECT_TRUE(of_code(obs, observation_code::field_name_near_miss).empty());
    EXPECT_EQ(of_code(obs, observation_code::unknown_field).size(), 1u);
}

TEST(validator, a_line_of_whitespace_or_a_bom_does_not_dispatch) {
    sse::validator v;
    std::vector<observation> obs;
    v.feed("data: a\n \ndata: b\n\xEF\xBB\xBF\ndata: c\n\n", obs);
    v.finish(obs);
    EXPECT_EQ(v.events(), 1u) << "one event, data a\\nb\\nc";
    ASSERT_EQ(obs.size(), 2u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::whitespace_line);
    EXPECT_EQ(obs[1].code, observation_code::bom_not_at_start);
    EXPECT_EQ(obs[1].offset, 18u);
    EXPECT_EQ(obs[1].line, 4u);
}

TEST(validator, a_second_bom_at_the_start_is_reported_after_the_first) {
    const auto obs = validate("\xEF\xBB\xBF\xEF\xBB\xBF" "data: a\n\n");
    ASSERT_EQ(obs.size(), 2u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::bom_at_start);
    EXPECT_EQ(obs[1].code, observation_code::bom_not_at_start);
    EXPECT_EQ(obs[1].offset, 3u);
}

TEST(validator, invalid_utf8_is_reported_once_per_line_at_its_first_bad_byte) {
    const auto obs = validate("data: \xC3\xA9\xC3\n: \xFF\xFE\n\n");
    ASSERT_EQ(obs.size(), 2u) << describe(obs);
    EXPECT_EQ(obs[0].offset, 8u) << "the truncated sequence after the valid e-acute";
    EXPECT_EQ(obs[1].offset, 12u) << "comments must be UTF-8 too";
    EXPECT_EQ(obs[1].line, 2u);
    EXPECT_NE(obs[0].message.find("0xC3"), std::string::npos) << obs[0].message;
}

TEST(validator, a_utf16_bom_is_invalid_utf8) {
    sse::validator v;
    std::vector<observation> obs;
    v.feed("\xFF\xFE" "data: 1\n\ndata: 2\n\n", obs);
    v.finish(obs);
    ASSERT_EQ(obs.size(), 2u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::invalid_utf8);
    EXPECT_EQ(obs[0].offset, 0u);
    EXPECT_EQ(obs[1].code, observation_code::unknown_field) << "the field name is U+FFFD U+FFFD data";
    EXPECT_EQ(v.events(), 1u) << "only the second event is dispatched";
}

TEST(validator, retry_checks_follow_the_parser_rules) {
    EXPECT_EQ(of_code(validate("retry: -1\n\n"), observation_code::retry_not_digits).size(), 1u);
    EXPECT_EQ(of_code(validate("retry: 1.5\n\n"), observation_code::retry_not_digits).size(), 1u);
    EXPECT_EQ(of_code(validate("retry: 300 \n\n"), observation_code::retry_not_digits).size(), 1u);
    EXPECT_EQ(of_code(validate("retry:  300\n\n"), observation_code::retry_not_digits).size(), 1u)
        << "only one space is removed";
    const auto huge = validate("retry: 99999999999999999999999999\n\n");
    EXPECT_EQ(of_code(huge, observation_code::retry_too_large).size(), 1u) << describe(huge);
    sse::validator_options o;
    o.max_retry_ms = 60000;
    EXPECT_EQ(of_code(validate("retry: 60001\n\n", o), observation_code::retry_too_large).size(),
              1u);
    EXPECT_TRUE(validate("retry: 60000\n\n", o).empty());
    const auto bare = validate("retry\n\n");
    ASSERT_EQ(bare.size(), 2u) << describe(bare);
    EXPECT_EQ(bare[0].code, observation_code::no_colon);
    EXPECT_EQ(bare[1].code, observation_code::retry_empty);
}

TEST(validator, id_with_nul_points_at_the_nul_and_does_not_count_as_an_id) {
    const auto obs = validate("id: ab\0\n\n"s);
    ASSERT_EQ(obs.size(), 1u) << describe(obs) << "the ignored id makes no id-only block";
    EXPECT_EQ(obs[0].code, observation_code::id_contains_nul);
    EXPECT_EQ(obs[0].offset, 6u);
}

TEST(validator, a_block_with_type_and_id_but_no_data_is_one_warning) {
    const auto obs = validate("event: x\nid: 1\n\n");
    ASSERT_EQ(obs.size(), 1u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::event_without_data);
    EXPECT_EQ(obs[0].offset, 0u);
}

TEST(validator, event_type_reset_to_empty_is_not_an_event_without_data) {
    const auto obs = validate("event: x\nevent:\n\n");
    ASSERT_EQ(obs.size(), 1u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::event_type_empty);
}

TEST(validator, the_end_of_the_stream_loses_only_what_matters) {
    EXPECT_TRUE(validate("data: a\n\nretry: 5\n").empty()) << "retry already took effect";
    EXPECT_TRUE(validate("data: a\n\n: ping\n").empty()) << "a trailing heartbeat loses nothing";
    EXPECT_TRUE(validate("data: a\n\nfoo: 1\n").size() == 1u) << "only unknown-field";
    const auto both = validate("data: a\r\n\r\ndata: b\r\ndata: c");
    ASSERT_EQ(both.size(), 2u) << describe(both);
    EXPECT_EQ(both[0].code, observation_code::unterminated_line);
    EXPECT_EQ(both[0].offset, 20u);
    EXPECT_EQ(both[0].line, 4u);
    EXPECT_EQ(both[1].code, observation_code::unterminated_event);
    EXPECT_EQ(both[1].offset, 11u);
    EXPECT_EQ(both[1].line, 3u);
}

TEST(validator, a_partial_bom_at_the_end_is_an_unterminated_line_a_whole_one_is_not) {
    const auto partial = validate("\xEF\xBB");
    ASSERT_EQ(partial.size(), 1u) << describe(partial);
    EXPECT_EQ(partial[0].code, observation_code::unterminated_line);
    EXPECT_EQ(partial[0].offset, 0u);
    const auto whole = validate("\xEF\xBB\xBF");
    ASSERT_EQ(whole.size(), 1u) << describe(whole);
    EXPECT_EQ(whole[0].code, observation_code::bom_at_start);
    const auto after = validate("\xEF\xBB\xBF" "data");
    ASSERT_EQ(after.size(), 2u) << describe(after);
    EXPECT_EQ(after[1].code, observation_code::unterminated_line);
    EXPECT_EQ(after[1].offset, 3u) << "the stripped BOM belongs to no line";
}

TEST(validator, line_ends_are_judged_once_per_stream) {
    const auto cr = validate("data: a\rdata: b\r\r: x\r\r");
    ASSERT_EQ(cr.size(), 1u) << describe(cr);
    EXPECT_EQ(cr[0].code, observation_code::cr_line_ends);
    const auto mixed = validate("data: a\n\ndata: b\r\n\r\ndata: c\r\r");
    ASSERT_EQ(mixed.size(), 2u) << describe(mixed);
    EXPECT_EQ(mixed[0].code, observation_code::mixed_line_ends);
    EXPECT_EQ(mixed[0].offset, 16u);
    EXPECT_EQ(mixed[0].line, 3u);
    EXPECT_EQ(mixed[1].code, observation_code::cr_line_ends);
    EXPECT_EQ(mixed[1].offset, 27u);
    EXPECT_EQ(mixed[1].line, 5u);
}

TEST(validator, a_final_cr_is_a_cr_line_end) {
    const auto obs = validate("data: a\n\n: x\r");
    ASSERT_EQ(obs.size(), 2u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::cr_line_ends);
    EXPECT_EQ(obs[1].code, observation_code::mixed_line_ends);
    EXPECT_EQ(obs[1].offset, 12u);
}

TEST(validator, a_crlf_split_between_feeds_is_one_crlf) {
    sse::validator v;
    std::vector<observation> obs;
    v.feed("data: a\r", obs);
    v.feed("\n\r", obs);
    v.feed("\n", obs);
    v.finish(obs);
    EXPECT_TRUE(obs.empty()) << describe(obs);
    EXPECT_EQ(v.lines(), 2u);
    EXPECT_EQ(v.events(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Offsets, lines and order over a stream with many observations.

const std::string messy =
    "\xEF\xBB\xBF"       // 0: bom-at-start
    "data:hi\n"          // 3: no-space-after-colon @8
    "Event: x\n"         // 11: field-name-near-miss @11
    "id: 1\n"            // 20
    "\n"                 // 26: dispatch (data present)
    "event: ping\r\n"    // 27: mixed-line-ends @38 (judged before line 6)
    "\r\n"               // 40: event-without-data @27 line 5
    "retry: soon\n"      // 42: retry-not-digits @49
    " \n"                // 54: whitespace-line
    "caf\xC3\xA9\xFF\n"  // 56: invalid-utf8 @61, unknown-field @56 (no colon)
    "id: 9\n"            // 63
    "\n"                 // 69: id-only-block @63
    "data: tail";        // 70: unterminated-line

TEST(validator, offsets_lines_and_order_on_a_messy_stream) {
    const auto obs = validate(messy);
    struct expected {
        observation_code code;
        std::uint64_t offset;
        std::uint64_t line;
    };
    using c = observation_code;
    const std::vector<expected> want = {
        {c::bom_at_start, 0, 1},        {c::no_space_after_colon, 8, 1},
        {c::field_name_near_miss, 11, 2}, {c::mixed_line_ends, 38, 5},
        {c::event_without_data, 27, 5}, {c::retry_not_digits, 49, 7},
        {c::whitespace_line, 54, 8},    {c::invalid_utf8, 61, 9},
        {c::unknown_field, 56, 9},      {c::id_only_block, 63, 10},
        {c::unterminated_line, 70, 12},
    };
    ASSERT_EQ(obs.size(), want.size()) << describe(obs);
    for (std::size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(obs[i].code, want[i].code) << i << "\n" << describe(obs);
        EXPECT_EQ(obs[i].offset, want[i].offset) << obs[i].name();
        EXPECT_EQ(obs[i].line, want[i].line) << obs[i].name();
        EXPECT_EQ(obs[i].severity, sse::severity_of(obs[i].code));
    }
}

TEST(validator, messy_streams_are_split_invariant) {
    expect_split_invariant(messy);
    expect_split_invariant("data: a\r\n\r\ndata: b\r\rdata: c\n\n\r\xEF\xBB\xBF\r\n");
    expect_split_invariant("\xEF\xBB" "data: x\r\n\xE2\x82\xAC\xE2\x82\n id:\0\r\r\n"s);
    expect_split_invariant("\xEF\xBB\xBF\r\nevent:\t\r\r\nid\nretry: 1x\r\n\r\ndata:\xF0\x9F\x98");
    sse::validator_options small;
    small.limits.max_line_length = 12;
    small.limits.max_event_size = 20;
    expect_split_invariant("data: 0123\r\ndata: 45678\r\ndata: 9\r\n\r\n", small);
    expect_split_invariant("data: 0123\r\n\r\ndata: 0123456789abc\r\n", small);
    expect_split_invariant("event: \xFF\xFF\xFF\xFF\r\ndata: 01234567\r\n", small);
}

// Random streams from tokens that stress the edges (split CRLFs, BOMs, invalid and truncated
// UTF-8, NUL, near-miss names, small limits): every chunking gives the same observations, and the
// validator's dispatches and stops agree with sse::parser's. Fixed seed, so failures reproduce.
TEST(validator, random_streams_are_split_invariant_and_agree_with_the_parser) {
    static const std::string tokens[] = {
        "data", "data:", ": ", ":", " ", "\t", "\r", "\n", "\r\n", "\n\n", "\xEF\xBB\xBF", "\xEF\xBB",
        "\xFF", "\xC3\xA9", "\xE2\x82", "id:", "event:", "retry:", "Data:", "x", "12", "99999999999",
        std::string(1, '\0'), "\r\r", "foo"};
    std::mt19937 rng(20261121);
    const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    for (int round = 0; round < 400; ++round) {
        std::string input;
        const std::size_t count = pick(40);
        for (std::size_t i = 0; i < count; ++i) input += tokens[pick(std::size(tokens))];
        sse::validator_options o;
        if (round % 3 == 0) {
            o.limits.max_line_length = 4 + pick(12);
            o.limits.max_event_size = 4 + pick(12);
        }
        o.max_per_code = 1 + pick(3);
        const auto whole = validate(input, o);
        std::vector<std::size_t> cuts;
        for (std::size_t at = pick(5); at < input.size(); at += 1 + pick(6)) cuts.push_back(at);
        ASSERT_EQ(validate_cut(input, cuts, o), whole) << testing::PrintToString(input);
        ASSERT_EQ(validate_bytewise(input, o), whole) << testing::PrintToString(input);

        sse::validator v(o);
        std::vector<observation> ignored;
        v.feed(input, ignored);
        v.finish(ignored);
        const auto parsed = sse::test::parse_chunked(input, 0, o.limits);
        const auto events = std::count_if(parsed.records.begin(), parsed.records.end(),
                                          [](const auto& r) { return !r.is_retry; });
        ASSERT_EQ(v.events(), static_cast<std::uint64_t>(events)) << testing::PrintToString(input);
        ASSERT_EQ(v.has_stopped(), static_cast<bool>(parsed.error))
            << testing::PrintToString(input);
    }
}

// ---------------------------------------------------------------------------------------------
// Bounds.

TEST(validator, suppression_caps_the_report_but_not_the_count) {
    std::string stream;
    for (int i = 0; i < 1000; ++i) stream += "data: \xFF\nData: x\n\n";
    sse::validator v;
    std::vector<observation> obs;
    for (std::size_t at = 0; at < stream.size(); at += 777) v.feed(stream.substr(at, 777), obs);
    v.finish(obs);
    EXPECT_EQ(of_code(obs, observation_code::invalid_utf8).size(), 100u);
    EXPECT_EQ(of_code(obs, observation_code::field_name_near_miss).size(), 100u);
    const auto notes = of_code(obs, observation_code::suppressed);
    ASSERT_EQ(notes.size(), 2u) << "one note per suppressed code";
    EXPECT_NE(notes[0].message.find("\"invalid-utf8\""), std::string::npos) << notes[0].message;
    EXPECT_EQ(notes[0].line, 301u) << "the 101st invalid line";
    EXPECT_EQ(obs.size(), 202u);
    EXPECT_EQ(v.count(observation_code::invalid_utf8), 1000u);
    EXPECT_EQ(v.count(observation_code::field_name_near_miss), 1000u);
    EXPECT_EQ(v.count(severity::error), 1000u);
    EXPECT_EQ(v.count(severity::warning), 1000u);
    EXPECT_EQ(v.count(observation_code::suppressed), 2u);
    EXPECT_EQ(v.events(), 1000u);
}

TEST(validator, min_severity_hides_but_still_counts) {
    sse::validator_options o;
    o.min_severity = severity::warning;
    o.max_per_code = 1;
    sse::validator v(o);
    std::vector<observation> obs;
    v.feed("data:a\ndata:b\n\nevent: y\n\nevent: z\n\n", obs);
    v.finish(obs);
    ASSERT_EQ(obs.size(), 2u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::event_without_data);
    EXPECT_EQ(obs[1].code, observation_code::suppressed) << "shown despite being info";
    EXPECT_EQ(v.count(observation_code::no_space_after_colon), 2u);
    EXPECT_EQ(v.count(severity::info), 2u);
}

TEST(validator, messages_quote_hostile_names_as_printable_utf8) {
    const std::string name = "\x01\xFF\xC3\xA9\"\\" + std::string(100, 'n');
    const auto obs = validate(name + ": x\n\n");
    const auto hits = of_code(obs, observation_code::unknown_field);
    ASSERT_EQ(hits.size(), 1u) << describe(obs);
    const std::string& m = hits[0].message;
    EXPECT_TRUE(sse::detail::utf8_is_valid(m)) << m;
    EXPECT_TRUE(std::none_of(m.begin(), m.end(), [](char ch) {
        return static_cast<unsigned char>(ch) < 0x20;
    })) << m;
    EXPECT_NE(m.find("\\x01\\xFF\xC3\xA9\\\"\\\\"), std::string::npos) << m;
    EXPECT_NE(m.find("..."), std::string::npos) << "long names are cut: " << m;
    EXPECT_LT(m.size(), 300u);
}

TEST(validator, a_stream_past_the_line_limit_stops_being_validated) {
    sse::validator_options o;
    o.limits.max_line_length = 8;
    sse::validator v(o);
    std::vector<observation> obs;
    v.feed("data: a\n\ndata: far too long", obs);
    v.feed("\nData:x\n", obs);
    v.finish(obs);
    ASSERT_EQ(obs.size(), 1u) << describe(obs) << "nothing after the abandoned line";
    EXPECT_EQ(obs[0].code, observation_code::line_too_long);
    EXPECT_EQ(obs[0].offset, 9u);
    EXPECT_EQ(obs[0].line, 3u);
    EXPECT_TRUE(v.has_stopped());
    EXPECT_EQ(v.bytes(), 35u);
}

// ---------------------------------------------------------------------------------------------
// What a client does: the validator's idea of dispatches and limits matches sse::parser's.

TEST(validator, agrees_with_the_parser_on_events_and_limits) {
    sse::parser_limits limits;
    limits.max_line_length = 24;
    limits.max_event_size = 12;
    const std::vector<std::string> streams = {
        messy,
        "data: a\n \ndata: b\n\xEF\xBB\xBF\n\ndata\n\ndata:\n\nevent: x\n\nid: 1\n\n",
        "data: 12345\ndata: 12345\n\n",                // 6 + 6 = 12: fits
        "data: 12345\ndata: 123456\n\n",               // 13: too large
        "event: \xFF\xFF\xFF\xFF\ndata: 1\n\n",         // 12 bytes repaired (4 raw) + 2: too large
        "event: 1234567890abc\n\n",                   // the type alone is too large
        "data: 0123456789abcdefghijk\n\n",            // 27 bytes: line too long
        "data: 0123456789a\r\n\r\ndata: x\n\n",       // 17-byte line, 12-byte event: fits
        "Data: 123456789\nevent: 12\n\ndata: 1\r\rdata: 2\r\r",
    };
    for (const auto& s : streams) {
        sse::validator_options o;
        o.limits = limits;
        sse::validator v(o);
        std::vector<observation> obs;
        v.feed(s, obs);
        v.finish(obs);
        const auto parsed = sse::test::parse_chunked(s, 0, limits);
        const auto events = std::count_if(parsed.records.begin(), parsed.records.end(),
                                          [](const auto& r) { return !r.is_retry; });
        EXPECT_EQ(v.events(), static_cast<std::uint64_t>(events)) << s;
        EXPECT_EQ(v.has_stopped(), static_cast<bool>(parsed.error)) << s;
        EXPECT_EQ(v.count(observation_code::line_too_long) == 1,
                  parsed.error == sse::errc::line_too_long) << s;
        EXPECT_EQ(v.count(observation_code::event_too_large) == 1,
                  parsed.error == sse::errc::event_too_large) << s;
    }
}

// ---------------------------------------------------------------------------------------------
// A well-formed stream is clean, and the API contract.

TEST(validator, a_well_formed_stream_has_no_observations) {
    const std::string stream =
        ": welcome\n"
        "retry: 3000\n"
        "\n"
        "event: add\n"
        "id: 1\n"
        "data: {\"x\": 1}\n"
        "data: second line, caf\xC3\xA9 \xF0\x9F\x98\x80\n"
        "\n"
        ": heartbeat\n"
        "\n"
        "\n"
        "data:\n"
        "\n"
        "id:\n"
        "data: id reset\n"
        "\n";
    sse::validator v;
    std::vector<observation> obs;
    v.feed(stream, obs);
    v.finish(obs);
    EXPECT_TRUE(obs.empty()) << describe(obs);
    EXPECT_EQ(v.count(severity::error), 0u);
    EXPECT_EQ(v.count(severity::warning), 0u);
    EXPECT_EQ(v.count(severity::info), 0u);
    EXPECT_EQ(v.events(), 3u);
    EXPECT_EQ(v.lines(), 16u);
    EXPECT_EQ(v.bytes(), stream.size());
    expect_split_invariant(stream);
}

TEST(validator, observer_receives_the_same_as_the_vector) {
    struct printer final : sse::observer {
        std::vector<std::string> seen;
        void on_observation(const observation& o) override {
            seen.push_back(std::string(o.name()) + "@" + std::to_string(o.offset));
        }
    } p;
    sse::validator v;
    v.feed(messy, p);
    v.finish(p);
    const auto obs = validate(messy);
    ASSERT_EQ(p.seen.size(), obs.size());
    for (std::size_t i = 0; i < obs.size(); ++i) {
        EXPECT_EQ(p.seen[i], std::string(obs[i].name()) + "@" + std::to_string(obs[i].offset));
    }
}

TEST(validator, finish_is_final_until_reset) {
    sse::validator v;
    std::vector<observation> obs;
    v.feed("data:x\n", obs);
    v.finish(obs);
    ASSERT_EQ(obs.size(), 2u) << describe(obs);  // no-space-after-colon, unterminated-event
    EXPECT_TRUE(v.is_finished());
    v.finish(obs);
    v.feed("Data: y\n\n", obs);
    EXPECT_EQ(obs.size(), 2u) << "nothing after finish";
    v.reset();
    EXPECT_FALSE(v.is_finished());
    EXPECT_EQ(v.count(observation_code::no_space_after_colon), 0u);
    EXPECT_EQ(v.bytes(), 0u);
    obs.clear();
    v.feed("\xEF\xBB\xBF" "data: y\n\n", obs);
    v.finish(obs);
    ASSERT_EQ(obs.size(), 1u) << describe(obs);
    EXPECT_EQ(obs[0].code, observation_code::bom_at_start) << "a new stream re-arms the BOM";
}

}  // namespace
