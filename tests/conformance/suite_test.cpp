// The server suite against sse-server (everything passes, strictly), and against broken_server:
// the correct variant passes, and each flaw makes exactly the case that claims to catch it fail.
#include <algorithm>
#include <gtest/gtest.h>

#include <algorithm>
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
    // A short soak against servers whose heartbeat is 300 ms (broken_server): server/heartbeat/2 runs.
    o.soak = std::chrono::milliseconds(1500);
    o.heartbeat_max = std::chrono::milliseconds(1000);
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

// Skipped cases, but for the HTTP/2-only ones (server/h2/*), which skip over HTTP/1.1.
std::size_t skipped_over_http11(const run_result& r) {
    return static_cast<std::size_t>(std::count_if(r.cases.begin(), r.cases.end(), [](const case_result& c) {
        return c.grade == verdict::skipped && c.spec->id.rfind("server/h2/", 0) != 0;
    }));
}

std::string failures(const run_result& r) {
    std::string s;
    for (const auto& c : r.cases) {
        if (c.grade == verdict::fail || c.grade == verdict::skipped)
            s += c.spec->id + " " + std::string(to_string(c.grade)) + ": " + c.outcome.message + "\n" + c.outcome.actual + "\n";
    }
    return s;
}

// The suite against `origin + path`; with `hook`, published through the broken server's /publish.
run_result run_against(const std::string& origin, const std::vector<std::string>& include, run_options o,
                       const std::string& path = "/events", bool hook = true) {
    o.url = origin + path;
    if (hook) o.publish_url = origin + "/publish?data={data}&type={type}";
    std::string error;
    auto s = open_server_session(o, error);
    EXPECT_TRUE(s) << error;
    if (!s) return {};
    return run(select(server_registry(), {target::server, include, {}}), o, *s, nullptr, nullptr);
}

TEST(conformance_suite, passes_strictly_against_the_embedded_sse_server) {
    auto o = test_options();
    o.timeout = std::chrono::milliseconds(5000);
    o.soak = std::chrono::milliseconds(3000);  // the embedded server's heartbeat is 1 s
    o.heartbeat_max = std::chrono::milliseconds(2500);
    std::string error;
    auto s = open_embedded_session(o, error);
    ASSERT_TRUE(s) << error;
    const auto r = run(select(server_registry(), {target::server, {}, {}}), o, *s, nullptr, nullptr);
    // Profile cases run only under --profile (their example servers: ctest conformance_profile_*).
    const auto& all = server_registry().cases();
    ASSERT_EQ(r.cases.size(), static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [](const test_case& c) {
                  return c.profile.empty();
              })));
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    EXPECT_EQ(skipped_over_http11(r), 0u) << failures(r);  // the active cases all ran
    EXPECT_EQ(r.exit_status(), 0);
}

TEST(conformance_suite, the_correct_broken_server_variant_passes) {
    test::broken_server server(test::flaw::none);
    const auto r = run_against("http://127.0.0.1:" + std::to_string(server.port()), {}, test_options());
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    EXPECT_EQ(skipped_over_http11(r), 0u) << failures(r);
}

struct row {
    const char* case_id;
    test::flaw flaw;
    const char* path = "/events";  ///< the stream under test
    bool hook = true;              ///< with the publish hook (false: the stream publishes on its own)
    int timeout_ms = 0;            ///< --timeout when the flaw needs longer than test_options' 2 s
};

void PrintTo(const row& r, std::ostream* os) {
    *os << r.case_id << " vs " << test::to_string(r.flaw) << " at " << r.path << (r.hook ? "" : " (no hook)");
}

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
    {"server/flush/1", test::flaw::head_delayed, "/events", true, 5000},  // 3 s: held back, not lost
    {"server/heartbeat/2", test::flaw::no_heartbeat},
    {"server/accept/1", test::flaw::requires_accept},
    {"server/last-event-id/1", test::flaw::rejects_unknown_id},
    {"server/last-event-id/2", test::flaw::rejects_long_id},
    {"server/http10/1", test::flaw::chunked_to_http10},
    {"server/large-event/1", test::flaw::truncates_large_events},
    {"server/fanout/2", test::flaw::fanout_skip},
    {"server/burst/1", test::flaw::reorders_bursts},
    {"server/burst/1", test::flaw::lossy_under_load},
    {"server/compression/1", test::flaw::gzip_buffered},
    {"server/flush/2", test::flaw::buffered_events},
    {"server/fanout/1", test::flaw::fanout_skip},
    {"server/slow-reader/1", test::flaw::lossy_under_load},
    {"server/resume/1", test::flaw::resume_repeat},
    {"server/echo/1", test::flaw::echo_drops_last_line},
    {"server/resume/2", test::flaw::count_ignores_resume},
    {"server/publish/1", test::flaw::publish_drops_type},
    // Resume without a hook: a ticker that publishes on its own, left by the client or closed by
    // the server; and the hook-fed variant on a quiet stream.
    {"server/resume/3", test::flaw::ticker_ignores_resume, "/ticker", false},
    {"server/resume/3", test::flaw::ticker_skips_on_resume, "/ticker", false},
    {"server/resume/3", test::flaw::resume_repeat},
    {"server/resume/4", test::flaw::ticker_ignores_resume, "/ticker?close_after=3", false},
    {"server/resume/4", test::flaw::ticker_skips_on_resume, "/ticker?close_after=3", false},
    {"server/resume/4", test::flaw::count_ignores_resume},
};

TEST_P(detects, its_flaw) {
    const row& r = GetParam();
    test::broken_server server(r.flaw);
    auto o = test_options();
    if (r.timeout_ms != 0) o.timeout = std::chrono::milliseconds(r.timeout_ms);
    const auto result = run_against("http://127.0.0.1:" + std::to_string(server.port()), {r.case_id}, o, r.path, r.hook);
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
    std::string name = std::string(p.param.case_id) + "_" + std::string(test::to_string(p.param.flaw));
    if (!p.param.hook) name += "_no_hook";
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

TEST(conformance_suite, a_ticker_that_resumes_right_passes_without_a_hook) {
    test::broken_server server(test::flaw::none);
    const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
    for (const char* path : {"/ticker", "/ticker?close_after=3"}) {
        const auto r = run_against(origin, {"server/resume/3", "server/resume/4"}, test_options(), path, false);
        ASSERT_EQ(r.cases.size(), 2u);
        for (const auto& c : r.cases) {
            // The ticker that stays open has no server-side close: resume/4 falls back to the
            // conformance route /conformance/count, which does.
            EXPECT_EQ(c.grade, verdict::pass) << path << " " << c.spec->id << ": " << c.outcome.message;
            EXPECT_NE(c.outcome.message.find("consecutive, no repeat, no gap"), std::string::npos) << c.outcome.message;
        }
    }
}

TEST(conformance_suite, id_order_decides_how_a_resume_is_graded) {
    // The ticker that skips two events on resume: a gap with integer ids, only reported as opaque.
    test::broken_server server(test::flaw::ticker_skips_on_resume);
    const std::string origin = "http://127.0.0.1:" + std::to_string(server.port());
    const auto grade_with = [&](const std::string& order, const char* path = "/ticker") {
        auto o = test_options();
        o.id_order = order;
        const auto r = run_against(origin, {"server/resume/3"}, o, path, false);
        EXPECT_EQ(r.cases.size(), 1u);
        return r.cases.empty() ? verdict::skipped : r.cases.front().grade;
    };
    // Skipping ids is no repeat in byte order (ids padded to one width, so "10" follows "09").
    EXPECT_EQ(grade_with("lexical", "/ticker?width=8"), verdict::pass);
    EXPECT_EQ(grade_with(""), verdict::fail);
    EXPECT_EQ(grade_with("int"), verdict::fail);
    EXPECT_EQ(grade_with("opaque"), verdict::info);
}

TEST(conformance_suite, a_held_head_is_graded_against_head_timeout_warn_and_timings_are_reported) {
    test::broken_server held(test::flaw::head_delayed);  // the head comes after 3 s
    auto o = test_options();
    o.timeout = std::chrono::milliseconds(8000);
    o.head_warn = std::chrono::milliseconds(6000);
    auto r = run_against("http://127.0.0.1:" + std::to_string(held.port()), {"server/flush/1"}, o);
    ASSERT_EQ(r.cases.size(), 1u);
    EXPECT_EQ(r.cases.front().grade, verdict::pass) << r.cases.front().outcome.message;
    const auto metric = [](const case_result& c, const std::string& name) -> std::int64_t {
        for (const auto& [n, v] : c.outcome.metrics)
            if (n == name) return v;
        return -1;
    };
    EXPECT_GE(metric(r.cases.front(), "head_ms"), 3000);  // the server's own delay, measured
    // Non-strict, the default 1 s threshold makes it a warning, with the diagnosis.
    o.strict = false;
    o.head_warn = std::chrono::milliseconds(1000);
    r = run_against("http://127.0.0.1:" + std::to_string(held.port()), {"server/flush/1"}, o);
    ASSERT_EQ(r.cases.size(), 1u);
    EXPECT_EQ(r.cases.front().grade, verdict::warning);
    EXPECT_NE(r.cases.front().outcome.message.find("head held back"), std::string::npos);

    test::broken_server good(test::flaw::none);
    r = run_against("http://127.0.0.1:" + std::to_string(good.port()), {"server/flush/1", "server/latency/1"},
                    test_options());
    ASSERT_EQ(r.cases.size(), 2u);
    EXPECT_GE(metric(r.cases[0], "head_ms"), 0);
    EXPECT_GE(metric(r.cases[0], "first_body_byte_ms"), metric(r.cases[0], "head_ms"));
    EXPECT_EQ(metric(r.cases[1], "latency_samples"), 20);
    EXPECT_GE(metric(r.cases[1], "latency_p99_ms"), metric(r.cases[1], "latency_p50_ms"));
}

TEST(conformance_suite, without_soak_the_graded_heartbeat_case_is_skipped) {
    test::broken_server server(test::flaw::no_heartbeat);
    auto o = test_options();
    o.soak = std::chrono::milliseconds(0);
    const auto r = run_against("http://127.0.0.1:" + std::to_string(server.port()), {"server/heartbeat/*"}, o);
    ASSERT_EQ(r.cases.size(), 2u);
    for (const auto& c : r.cases)
        EXPECT_EQ(c.grade, c.spec->id == "server/heartbeat/1" ? verdict::info : verdict::skipped) << c.spec->id;
}

TEST(conformance_suite, every_gradable_server_case_has_a_flaw) {
    for (const auto& c : server_registry().cases()) {
        // Profile cases have their broken variants in their example servers (run-profile --broken).
        if (c.level == level::info || !c.profile.empty()) continue;
        if (c.id.rfind("server/h2/", 0) == 0) continue;  // HTTP/2 only: suite_h2_test.cpp's rows
        bool found = false;
        for (const auto& r : rows) found = found || c.id == r.case_id;
        EXPECT_TRUE(found) << c.id << " can fail but no broken variant shows it";
    }
}

}  // namespace
}  // namespace sse::conformance
