// The framework: ids, grading by level, expectations, globs, reports.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "sse/conformance/expectations.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/reporter.hpp"
#include "sse/conformance/runner.hpp"

namespace sse::conformance {
namespace {

test_case make(std::string id, level l, verdict v) {
    return {.id = std::move(id), .description = "d", .requirement = "r", .level = l, .target = target::server,
            .run = [v](context&) {
                outcome o;
                o.result = v;
                o.message = "a message";
                if (v == verdict::fail) o.raw = std::string("da\xff\0ta", 6);
                return o;
            }};
}

struct null_session : session {
    std::string describe() const override { return "nothing"; }
};

TEST(registry, rejects_bad_and_duplicate_ids) {
    registry r;
    r.add(make("server/a/1", level::must, verdict::pass));
    EXPECT_THROW(r.add(make("server/a/1", level::must, verdict::pass)), std::invalid_argument);
    EXPECT_THROW(r.add(make("server/A/1", level::must, verdict::pass)), std::invalid_argument);
    EXPECT_THROW(r.add(make("server/a", level::must, verdict::pass)), std::invalid_argument);
    EXPECT_THROW(r.add(make("client/a/1", level::must, verdict::pass)), std::invalid_argument);  // target mismatch
}

TEST(registry, profile_cases_are_server_cases_under_their_profile_name) {
    registry r;
    auto c = make("openai-chat/done/1", level::must, verdict::pass);
    c.profile = "openai-chat";
    r.add(c);
    auto wrong_prefix = make("server/done/1", level::must, verdict::pass);
    wrong_prefix.profile = "openai-chat";
    EXPECT_THROW(r.add(wrong_prefix), std::invalid_argument);
    auto no_profile = make("openai-chat/done/2", level::must, verdict::pass);
    EXPECT_THROW(r.add(no_profile), std::invalid_argument);  // not a target name, and no profile
    EXPECT_EQ(r.profiles(), std::vector<std::string>{"openai-chat"});
}

TEST(selection, a_profile_case_runs_only_when_its_profile_is_named) {
    registry r;
    r.add(make("server/a/1", level::must, verdict::pass));
    auto c = make("mcp/session/1", level::must, verdict::pass);
    c.profile = "mcp";
    r.add(c);
    auto ids = [&](const selection& s) {
        std::vector<std::string> out;
        for (const auto* t : select(r, s)) out.push_back(t->id);
        return out;
    };
    EXPECT_EQ(ids({target::server, {}, {}}), std::vector<std::string>{"server/a/1"});
    EXPECT_EQ(ids({target::server, {"*"}, {}}), std::vector<std::string>{"server/a/1"});
    EXPECT_EQ(ids({target::server, {}, {}, {"mcp"}}), (std::vector<std::string>{"server/a/1", "mcp/session/1"}));
    EXPECT_EQ(ids({target::server, {"mcp/*"}, {}, {"mcp"}}), std::vector<std::string>{"mcp/session/1"});
    EXPECT_TRUE(ids({target::server, {}, {}, {"graphql-sse"}}) == std::vector<std::string>{"server/a/1"});
}

TEST(glob, matches_ids) {
    EXPECT_TRUE(glob_match("server/*", "server/content-type/1"));
    EXPECT_TRUE(glob_match("*/resume/?", "server/resume/2"));
    EXPECT_FALSE(glob_match("server/resume/?", "server/resume/10"));
    EXPECT_FALSE(glob_match("client/*", "server/a/1"));
}

TEST(grading, should_warns_unless_strict_and_info_never_fails) {
    const auto should = make("server/a/1", level::should, verdict::fail);
    const auto info = make("server/b/1", level::info, verdict::fail);
    const auto must = make("server/c/1", level::must, verdict::fail);
    const outcome f = outcome::failed("x", "y", "z");
    EXPECT_EQ(grade(should, f, false), verdict::warning);
    EXPECT_EQ(grade(should, f, true), verdict::fail);
    EXPECT_EQ(grade(info, f, true), verdict::info);
    EXPECT_EQ(grade(must, f, false), verdict::fail);
}

run_result run_three(const expectations* e) {
    static registry r = [] {
        registry reg;
        reg.add(make("server/a/1", level::must, verdict::pass));
        reg.add(make("server/b/1", level::must, verdict::fail));
        reg.add(make("server/c/1", level::should, verdict::fail));
        return reg;
    }();
    run_options o;
    null_session s;
    return run(select(r, {target::server, {}, {}}), o, s, e, nullptr);
}

TEST(expectations, known_deviations_pass_and_unexpected_outcomes_fail) {
    EXPECT_EQ(run_three(nullptr).exit_status(), 1);  // server/b/1 fails
    expectations e;
    std::string error;
    ASSERT_TRUE(e.parse(R"({"cases":{"server/b/*":{"outcome":"fail","reason":"known"}}})", "t", error)) << error;
    EXPECT_EQ(run_three(&e).exit_status(), 0);
    // Listing a case that passes as failing is an unexpected pass, which blocks.
    expectations stale;
    ASSERT_TRUE(stale.parse(R"({"cases":{"server/a/1":{"outcome":"fail","reason":"old"},
                                 "server/b/1":{"outcome":"fail","reason":"known"}}})", "t", error));
    const auto r = run_three(&stale);
    EXPECT_EQ(r.exit_status(), 1);
    EXPECT_EQ(r.unexpected(), 1u);
}

TEST(expectations, malformed_files_are_rejected_with_a_reason) {
    expectations e;
    std::string error;
    EXPECT_FALSE(e.parse("[]", "f.json", error));
    EXPECT_NE(error.find("f.json"), std::string::npos);
    EXPECT_FALSE(e.parse(R"({"cases":{"x":{"outcome":"bad","reason":"r"}}})", "f.json", error));
    EXPECT_NE(error.find("unknown outcome"), std::string::npos);
    EXPECT_FALSE(e.parse(R"({"cases":{"x":{"outcome":"fail"}}})", "f.json", error));
    EXPECT_NE(error.find("reason"), std::string::npos);
}

TEST(reports, json_junit_and_html_carry_the_failure_and_its_bytes) {
    const auto r = run_three(nullptr);
    std::ostringstream json, junit, html;
    write_json(json, r);
    write_junit(junit, r);
    write_html(html, r);
    const auto doc = nlohmann::json::parse(json.str());
    EXPECT_EQ(doc["summary"]["fail"], 1);
    EXPECT_EQ(doc["summary"]["warning"], 1);
    EXPECT_EQ(doc["cases"][1]["raw"]["hex"], "6461ff007461");
    EXPECT_NE(junit.str().find("<failure"), std::string::npos);
    EXPECT_EQ(junit.str().find(std::string(1, '\0')), std::string::npos);  // XML cannot carry NUL
    EXPECT_NE(html.str().find("64 61 ff 00 74 61"), std::string::npos);     // hex dump of the raw bytes
    EXPECT_NE(html.str().find("<section><h2>server/b"), std::string::npos); // grouped by section
}

}  // namespace
}  // namespace sse::conformance
