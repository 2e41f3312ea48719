// Parser mode against sse-parse (everything passes) and against a parser that ignores CR line
// ends (the corpus and the generated streams catch it).
#include <gtest/gtest.h>

#include "parser_session.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/runner.hpp"

namespace sse::conformance {
namespace {

run_result run_parser(const std::string& cmd) {
    registry reg;
    register_parser_cases(reg);
    run_options o;
    o.parser_cmd = cmd;
    o.seed = 7;
    o.max_success = 60;
    o.timeout = std::chrono::milliseconds(10000);
    o.repro_prefix = "sse-conformance parser --cmd x";
    std::string error;
    auto s = reg.find_mode("parser")->open(o, error);
    EXPECT_TRUE(s) << error;
    if (!s) return {};
    return run(select(reg, {target::parser, {}, {}}), o, *s, nullptr, nullptr);
}

TEST(parser_mode, sse_parse_passes) {
    const auto r = run_parser(SSE_PARSE_PATH);
    ASSERT_EQ(r.cases.size(), 3u);
    for (const auto& c : r.cases) EXPECT_EQ(c.grade, verdict::pass) << c.spec->id << ": " << c.outcome.message << c.outcome.actual;
}

TEST(parser_mode, a_parser_blind_to_cr_fails) {
    const auto r = run_parser(std::string("tr -d '\\r' | ") + SSE_PARSE_PATH);
    ASSERT_EQ(r.cases.size(), 3u);
    for (const auto& c : r.cases) {
        EXPECT_EQ(c.grade, verdict::fail) << c.spec->id;
        EXPECT_FALSE(c.outcome.expected.empty());
    }
}

TEST(parser_mode, a_command_that_does_not_run_is_a_usage_error) {
    registry reg;
    register_parser_cases(reg);
    run_options o;
    o.parser_cmd = "exit 3";
    o.timeout = std::chrono::milliseconds(5000);
    std::string error;
    EXPECT_FALSE(reg.find_mode("parser")->open(o, error));
    EXPECT_NE(error.find("exited with status 3"), std::string::npos) << error;
}

TEST(parser_mode, a_hanging_command_is_killed_at_the_timeout) {
    registry reg;
    register_parser_cases(reg);
    run_options o;
    o.parser_cmd = "sleep 600";
    o.timeout = std::chrono::milliseconds(300);
    std::string error;
    EXPECT_FALSE(reg.find_mode("parser")->open(o, error));
    EXPECT_NE(error.find("did not finish"), std::string::npos) << error;
}

}  // namespace
}  // namespace sse::conformance
