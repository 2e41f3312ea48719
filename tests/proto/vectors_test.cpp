// The grind: every case of the shared corpus (tests/vectors/*.json) replayed through sse::parser
// whole, split in two at every offset, in chunks of every size, byte by byte, and with the handler
// pausing; and through the naive reference parser. All must produce the case's expectation.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "support/recorder.hpp"
#include "support/reference_parser.hpp"
#include "support/split_parse.hpp"
#include "support/vectors.hpp"

namespace sse::test {

// gtest prints parameters with this; keep it short so failure lines stay readable.
void PrintTo(const vector_case& v, std::ostream* os) { *os << v.id; }

inline void PrintTo(const parse_outcome& o, std::ostream* os) {
    *os << "{records [";
    for (std::size_t i = 0; i < o.records.size(); ++i) {
        if (i != 0) *os << ", ";
        *os << o.records[i];
    }
    *os << "], last_event_id \"" << o.last_event_id << "\", error \""
        << (o.error ? o.error.message() : "") << "\"}";
}

}  // namespace sse::test

namespace {

using sse::test::corpus;
using sse::test::escape_bytes;
using sse::test::parse_chunked;
using sse::test::parse_outcome;
using sse::test::parse_split;
using sse::test::vector_case;

// The whole corpus loads, follows the README contract, and covers what the shared suites rely on.
TEST(vector_corpus, loads_without_problems) {
    const auto& c = corpus();
    for (const auto& problem : c.problems) ADD_FAILURE() << problem;
    EXPECT_GE(c.files.size(), 8u) << "expected one file per area under " << SSE_VECTORS_DIR;
    EXPECT_GE(c.cases.size(), 80u);
}

TEST(vector_corpus, every_case_names_its_spec_section_and_area) {
    std::set<std::string> specs;
    for (const auto& v : corpus().cases) {
        specs.insert(v.spec);
        EXPECT_EQ(v.id.substr(0, v.id.find('/')), v.suite)
            << v.id << " in " << v.file << ": the id's area should be the file's suite";
        EXPECT_EQ(v.has_limits, v.spec == "ssekit")
            << v.id << ": limit cases, and only they, are ssekit's own rules";
    }
    EXPECT_EQ(specs, (std::set<std::string>{"9.2.5", "9.2.6", "ssekit"}));
}

TEST(vector_corpus, hex_decoding) {
    EXPECT_EQ(sse::test::decode_hex("64 61\n74 61 3a 0A 00 ff FF"),
              std::string("data:\n\0\xff\xff", 9));
    EXPECT_EQ(sse::test::decode_hex(""), std::string());
    EXPECT_FALSE(sse::test::decode_hex("6"));
    EXPECT_FALSE(sse::test::decode_hex("6 4"));
    EXPECT_FALSE(sse::test::decode_hex("zz"));
}

TEST(vector_corpus, loader_rejects_malformed_cases) {
    // The loader is the contract's enforcer for C++: point it at a directory of bad files.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("sse-vectors-bad-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    std::filesystem::create_directories(dir);
    const auto write = [&](const char* name, std::string_view text) {
        std::ofstream(dir / name) << text;
    };
    write("a.json", R"({"suite": "a", "cases": [
        {"id": "a/both", "spec": "9.2.6", "description": "d", "input": "x", "input_hex": "78",
         "expect": [], "last_event_id": ""},
        {"id": "a/bad-record", "spec": "9.2.6", "description": "d", "input": "x",
         "expect": [{"type": "message", "data": "x"}], "last_event_id": ""},
        {"id": "a/bad-error", "spec": "ssekit", "description": "d", "input": "x",
         "expect": [], "last_event_id": "", "error": "oops"},
        {"id": "a/extra", "spec": "9.2.7", "description": "d", "input": "x", "colour": 1,
         "expect": [], "last_event_id": ""},
        {"id": "a/half-limits", "spec": "ssekit", "description": "d", "input": "x",
         "limits": {"max_line_length": 3}, "expect": [], "last_event_id": ""},
        {"id": "a/bad-hex", "spec": "9.2.6", "description": "d", "input_hex": "0a 0",
         "expect": [], "last_event_id": ""},
        {"id": "a/ok", "spec": "9.2.6", "description": "d", "input_hex": "0a",
         "expect": [{"retry": 5}], "last_event_id": ""},
        {"id": "a/ok", "spec": "9.2.6", "description": "d", "input": "",
         "expect": [], "last_event_id": ""}
    ]})");
    write("b.json", "{ not json");
    write("ignored.txt", "not a vector file");
    const auto loaded = sse::test::load_vectors(dir.string());
    std::filesystem::remove_all(dir);
    EXPECT_EQ(loaded.files, (std::vector<std::string>{"a.json", "b.json"}));
    ASSERT_EQ(loaded.cases.size(), 2u);  // the two a/ok cases (then flagged as duplicates)
    EXPECT_EQ(loaded.cases[0].input, "\n");
    const auto mentions = [&](std::string_view needle) {
        for (const auto& p : loaded.problems) {
            if (p.find(needle) != std::string::npos) return true;
        }
        return false;
    };
    EXPECT_TRUE(mentions("a/both")) << "input and input_hex together";
    EXPECT_TRUE(mentions("a/bad-record")) << "event record without id";
    EXPECT_TRUE(mentions("unknown error \"oops\""));
    EXPECT_TRUE(mentions("unknown key \"colour\""));
    EXPECT_TRUE(mentions("spec must be"));
    EXPECT_TRUE(mentions("\"limits\" needs \"max_event_size\""));
    EXPECT_TRUE(mentions("a/bad-hex: \"input_hex\" is not hex bytes"));
    EXPECT_TRUE(mentions("duplicate id a/ok"));
    EXPECT_TRUE(mentions("b.json: not valid JSON"));
}

class vectors : public ::testing::TestWithParam<vector_case> {
protected:
    // Describes the case in failure messages: what it checks and its exact bytes.
    static std::string context(const vector_case& v) {
        return v.id + " (" + v.file + ", " + v.spec + "): " + v.description + "\n  input: \"" +
               escape_bytes(v.input) + "\"";
    }
};

TEST_P(vectors, whole_input) {
    const vector_case& v = GetParam();
    SCOPED_TRACE(context(v));
    EXPECT_EQ(parse_chunked(v.input, 0, v.limits), v.expected_outcome());
}

TEST_P(vectors, split_in_two_at_every_offset) {
    const vector_case& v = GetParam();
    SCOPED_TRACE(context(v));
    const parse_outcome expected = v.expected_outcome();
    for (std::size_t at = 0; at <= v.input.size(); ++at) {
        EXPECT_EQ(parse_split(v.input, {at}, v.limits), expected) << "split at offset " << at;
    }
}

TEST_P(vectors, split_in_three_at_every_pair_of_offsets) {
    const vector_case& v = GetParam();
    SCOPED_TRACE(context(v));
    const parse_outcome expected = v.expected_outcome();
    // Every pair for inputs up to 96 bytes; longer ones take every 2nd, 3rd ... first cut so the
    // work stays bounded (the second cut still goes everywhere after the first).
    const std::size_t stride = 1 + v.input.size() / 97;
    for (std::size_t a = 0; a <= v.input.size(); a += stride) {
        for (std::size_t b = a; b <= v.input.size(); ++b) {
            const auto got = parse_split(v.input, {a, b}, v.limits);
            if (got != expected) {
                ADD_FAILURE() << "split at offsets " << a << " and " << b << ": got "
                              << ::testing::PrintToString(got);
                return;  // one failure says enough
            }
        }
    }
}

TEST_P(vectors, every_chunk_size) {
    const vector_case& v = GetParam();
    SCOPED_TRACE(context(v));
    const parse_outcome expected = v.expected_outcome();
    EXPECT_EQ(parse_chunked(v.input, 1, v.limits), expected) << "byte by byte";
    for (std::size_t chunk = 2; chunk <= v.input.size(); ++chunk) {
        EXPECT_EQ(parse_chunked(v.input, chunk, v.limits), expected) << "chunks of " << chunk;
    }
}

TEST_P(vectors, pausing_after_records) {
    const vector_case& v = GetParam();
    SCOPED_TRACE(context(v));
    const parse_outcome expected = v.expected_outcome();
    for (std::size_t every = 1; every <= 3; ++every) {
        EXPECT_EQ(parse_chunked(v.input, 0, v.limits, every), expected)
            << "whole, pausing every " << every;
        EXPECT_EQ(parse_chunked(v.input, 1, v.limits, every), expected)
            << "byte by byte, pausing every " << every;
        EXPECT_EQ(parse_chunked(v.input, 7, v.limits, every), expected)
            << "chunks of 7, pausing every " << every;
    }
    for (std::size_t at = 0; at <= v.input.size(); ++at) {
        EXPECT_EQ(parse_split(v.input, {at}, v.limits, 1), expected)
            << "split at offset " << at << ", pausing after every record";
    }
}

std::string case_name(const ::testing::TestParamInfo<vector_case>& param) {
    return sse::test::test_name(param.param.id);
}

INSTANTIATE_TEST_SUITE_P(corpus, vectors, ::testing::ValuesIn(corpus().cases), case_name);

// The naive reference parser, held to the same expectations (it has no limits, so the limit cases
// are not given to it).
class reference_vectors : public vectors {};

TEST_P(reference_vectors, reference_parser_agrees) {
    const vector_case& v = GetParam();
    SCOPED_TRACE(context(v));
    EXPECT_EQ(sse::test::reference::parse(v.input), v.expected_outcome());
}

std::vector<vector_case> cases_without_limits() {
    std::vector<vector_case> out;
    for (const auto& v : corpus().cases) {
        if (!v.has_limits) out.push_back(v);
    }
    return out;
}

INSTANTIATE_TEST_SUITE_P(corpus, reference_vectors, ::testing::ValuesIn(cases_without_limits()),
                         case_name);

}  // namespace
