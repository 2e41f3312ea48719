// The server suite against sse-server (everything passes, strictly), and against broken_server:
// the correct variant passes, and each flaw makes exactly the case that claims to catch it fail.
#include <gtest/gtest.h>

#include <iostream>

#include "broken_server.hpp"
#include "embedded.hpp"
#include "server_session.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/runner.hpp"

namespace sse::conformance {
namespace {

run_options test_options() {
    run_options o;
    o.seed = 20261121;
    o.max_success = 10;
    o.timeout = std::chrono::milliseconds(2000);  // hang guard only: flawed servers hit it
    o.strict = true;                               // SHOULD misses fail too
    o.verbosity = 0;
    o.repro_prefix = "sse-conformance";
    return o;
}

registry& server_registry() {
    static registry r = [] {
        registry reg;
        register_server_cases(reg);
        return reg;
    }();
    return r;
}

std::string failures(const run_result& r) {
    std::string s;
    for (const auto& c : r.cases) {
        if (c.grade == verdict::fail || c.grade == verdict::skipped)
            s += c.spec->id + " " + std::string(to_string(c.grade)) + ": " + c.outcome.message + "\n" + c.outcome.actual + "\n";
    }
    return s;
}

run_result run_against(const std::string& origin, const std::vector<std::string>& include, run_options o) {
    o.url = origin + "/events";
    o.publish_url = origin + "/publish?data={data}&type={type}";
    std::string error;
    auto s = open_server_session(o, error);
    EXPECT_TRUE(s) << error;
    if (!s) return {};
    return run(select(server_registry(), {target::server, include, {}}), o, *s, nullptr, nullptr);
}

TEST(conformance_suite, passes_strictly_against_the_embedded_sse_server) {
    auto o = test_options();
    o.timeout = std::chrono::milliseconds(5000);
    std::string error;
    auto s = open_embedded_session(o, error);
    ASSERT_TRUE(s) << error;
    const auto r = run(select(server_registry(), {target::server, {}, {}}), o, *s, nullptr, nullptr);
    ASSERT_EQ(r.cases.size(), server_registry().cases().size());
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    EXPECT_EQ(r.count(verdict::skipped), 0u) << failures(r);  // the active cases all ran
    EXPECT_EQ(r.exit_status(), 0);
}

TEST(conformance_suite, the_correct_broken_server_variant_passes) {
    test::broken_server server(test::flaw::none);
    const auto r = run_against("http://127.0.0.1:" + std::to_string(server.port()), {}, test_options());
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    EXPECT_EQ(r.count(verdict::skipped), 0u) << failures(r);
}

struct row {
    const char* case_id;
    test::flaw flaw;
};

void PrintTo(const row& r, std::ostream* os) { *os << r.case_id << " vs " << test::to_string(r.flaw); }

class detects : public ::testing::TestWithParam<row> {};

// Every server case that can fail (INFO cases cannot), and the flaw that must make it fail.
const row rows[] = {
    {"server/status/1", test::flaw::status_202},
    {"server/content-type/1", test::flaw::wrong_content_type},
    {"server/content-length/1", test::flaw::content_length},
    {"server/cache-control/1", test::flaw::no_cache_control},
    {"server/utf8/1", test::flaw::invalid_utf8},
    {"server/syntax/1", test::flaw::whitespace_line},
    {"server/id/1", test::flaw::nul_in_id},
    {"server/retry/1", test::flaw::bad_retry},
    {"server/flush/1", test::flaw::buffered_head},
    {"server/flush/2", test::flaw::buffered_events},
    {"server/fanout/1", test::flaw::fanout_skip},
    {"server/slow-reader/1", test::flaw::lossy_under_load},
    {"server/resume/1", test::flaw::resume_repeat},
    {"server/echo/1", test::flaw::echo_drops_last_line},
    {"server/resume/2", test::flaw::count_ignores_resume},
    {"server/publish/1", test::flaw::publish_drops_type},
};

TEST_P(detects, its_flaw) {
    const row& r = GetParam();
    test::broken_server server(r.flaw);
    const auto result = run_against("http://127.0.0.1:" + std::to_string(server.port()), {r.case_id}, test_options());
    ASSERT_EQ(result.cases.size(), 1u);
    const auto& c = result.cases.front();
    EXPECT_EQ(c.grade, verdict::fail) << c.outcome.message;
    // It fails for the flaw, not because the harness could not talk to the server.
    for (const char* harness : {"publishing failed", "sync failed", "no stream", "cannot connect"})
        EXPECT_EQ(c.outcome.message.find(harness), std::string::npos) << c.outcome.message;
    std::cout << "  " << r.case_id << " vs " << test::to_string(r.flaw) << ": " << c.outcome.message.substr(0, 160) << "\n";
    if (c.spec->active && c.outcome.seed) {
        // A failing property carries what is needed to reproduce it.
        EXPECT_FALSE(c.outcome.counterexample.empty());
        EXPECT_NE(c.outcome.repro.find("--seed 20261121"), std::string::npos) << c.outcome.repro;
    }
}

INSTANTIATE_TEST_SUITE_P(server_cases, detects, ::testing::ValuesIn(rows), [](const ::testing::TestParamInfo<row>& p) {
    std::string name = p.param.case_id;
    for (auto& ch : name) if (ch == '/' || ch == '-') ch = '_';
    return name;
});

TEST(conformance_suite, resume_accepts_only_the_truncation_signal_it_is_told_about) {
    // The server answers a resume with `event: sse-history-truncated` and skips the missed events.
    test::broken_server server(test::flaw::resume_signals_loss);
    const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
    const auto grade_with = [&](const std::string& type) {
        auto o = test_options();
        o.truncation_event = type;
        const auto r = run_against(origin, {"server/resume/1"}, o);
        EXPECT_EQ(r.cases.size(), 1u);
        return r.cases.empty() ? verdict::skipped : r.cases.front().grade;
    };
    EXPECT_EQ(grade_with(""), verdict::pass);  // default: any type containing "truncat"
    EXPECT_EQ(grade_with("sse-history-truncated"), verdict::pass);
    EXPECT_EQ(grade_with("resync"), verdict::fail);  // another signal is a silent gap
}

TEST(conformance_suite, every_gradable_server_case_has_a_flaw) {
    for (const auto& c : server_registry().cases()) {
        if (c.level == level::info) continue;
        bool found = false;
        for (const auto& r : rows) found = found || c.id == r.case_id;
        EXPECT_TRUE(found) << c.id << " can fail but no broken variant shows it";
    }
}

}  // namespace
}  // namespace sse::conformance
