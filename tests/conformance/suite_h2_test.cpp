// The server suite over HTTP/2 against broken_server's HTTP/2 mode: the correct variant passes
// (h2c and TLS with ALPN), the existing flaws still fail their cases over h2, and each HTTP/2 flaw
// (a Connection field, a reset that ends every stream, a 5-stream limit) fails its server/h2 case.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "broken_server.hpp"
#include "server_session.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/runner.hpp"
#include "support/scripted_peer.hpp"

namespace sse::conformance {
namespace {

run_options h2_options(http_protocol p = http_protocol::h2c) {
    run_options o;
    o.seed = 20261207;
    o.max_success = 10;
    o.timeout = std::chrono::milliseconds(2000);  // hang guard only: flawed servers hit it
    o.strict = true;
    o.verbosity = 0;
    o.repro_prefix = "sse-conformance";
    o.soak = std::chrono::milliseconds(1500);  // broken_server's heartbeat is 300 ms
    o.heartbeat_max = std::chrono::milliseconds(1000);
    o.request.protocol = p;
    return o;
}

registry& h2_registry() {
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
            s += c.spec->id + " " + std::string(to_string(c.grade)) + ": " + c.outcome.message + "\n";
    }
    return s;
}

std::unique_ptr<server_session> open(const std::string& origin, run_options& o, const std::string& path = "/events") {
    o.url = origin + path;
    o.publish_url = origin + "/publish?data={data}&type={type}";
    std::string error;
    auto s = open_server_session(o, error);
    EXPECT_TRUE(s) << error;
    return s;
}

run_result run_h2(const std::string& origin, const std::vector<std::string>& include, run_options o) {
    auto s = open(origin, o);
    if (!s) return {};
    EXPECT_TRUE(s->h2) << s->describe();
    return run(select(h2_registry(), {target::server, include, {}}), o, *s, nullptr, nullptr);
}

std::string h2c_origin(const test::broken_server& s) { return "http://127.0.0.1:" + std::to_string(s.port()); }

test::broken_server::options h2_server() {
    test::broken_server::options o;
    o.h2 = true;
    return o;
}

// Every case but the HTTP/1.x-only one (skipped, with its reason) passes over h2c.
TEST(conformance_suite_h2, the_correct_variant_passes_over_h2c) {
    test::broken_server server(test::flaw::none, h2_server());
    const auto r = run_h2(h2c_origin(server), {}, h2_options());
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    for (const auto& c : r.cases) {
        if (c.grade != verdict::skipped) continue;
        EXPECT_EQ(c.spec->id, "server/http10/1") << c.outcome.message;
        EXPECT_NE(c.outcome.message.find("HTTP/1.x only"), std::string::npos) << c.outcome.message;
    }
    const auto ran_h2 = std::count_if(r.cases.begin(), r.cases.end(), [](const case_result& c) {
        return c.spec->id.rfind("server/h2/", 0) == 0 && c.grade == verdict::pass;
    });
    EXPECT_EQ(ran_h2, 3);
}

// Over HTTPS, ALPN agrees h2 by default and with --http2; --http1.1 runs over HTTP/1.1, where
// the server/h2 cases skip with a reason. The run header names the protocol.
TEST(conformance_suite_h2, alpn_chooses_the_protocol_over_https) {
    auto tls = h2_server();
    tls.tls = test::server_tls("server");
    test::broken_server server(test::flaw::none, tls);
    const std::string origin = "https://localhost:" + std::to_string(server.port());
    for (auto p : {http_protocol::automatic, http_protocol::http2, http_protocol::http1_1}) {
        auto o = h2_options(p);
        o.request.ca_file = test::tls_dir() + "/ca.pem";
        auto s = open(origin, o);
        ASSERT_TRUE(s);
        EXPECT_EQ(s->h2, p != http_protocol::http1_1) << s->describe();
        EXPECT_NE(s->describe().find(p == http_protocol::http1_1 ? "HTTP/1.1" : "HTTP/2 (ALPN h2"), std::string::npos)
            << s->describe();
        const auto r = run(select(h2_registry(), {target::server, {"server/h2/*", "server/content-type/1"}, {}}), o, *s,
                           nullptr, nullptr);
        ASSERT_EQ(r.cases.size(), 4u);
        for (const auto& c : r.cases) {
            const bool h2_case = c.spec->id.rfind("server/h2/", 0) == 0;
            EXPECT_EQ(c.grade, h2_case && !s->h2 ? verdict::skipped : verdict::pass)
                << to_string(p) << " " << c.spec->id << ": " << c.outcome.message;
        }
    }
}

// --http2 against a server that does not select h2 stops the run with the reason.
TEST(conformance_suite_h2, http2_fails_clearly_when_the_server_does_not_select_h2) {
    test::broken_server server(test::flaw::none, {test::server_tls("server"), {}, {}});  // no ALPN answer
    auto o = h2_options(http_protocol::http2);
    o.request.ca_file = test::tls_dir() + "/ca.pem";
    o.url = "https://localhost:" + std::to_string(server.port()) + "/events";
    std::string error;
    EXPECT_FALSE(open_server_session(o, error));
    EXPECT_NE(error.find("did not select h2"), std::string::npos) << error;
}

// --h2c against a server that speaks only HTTP/1.1: no SETTINGS answer the connection preface, so
// the run stops with the reason (exit 2, not reached) instead of grading an HTTP/1.1 answer.
TEST(conformance_suite_h2, h2c_fails_clearly_when_the_server_does_not_speak_h2c) {
    test::broken_server server(test::flaw::none);  // HTTP/1.1 only
    auto o = h2_options(http_protocol::h2c);
    o.url = h2c_origin(server) + "/events";
    std::string error;
    EXPECT_FALSE(open_server_session(o, error));
    EXPECT_NE(error.find("no HTTP/2 SETTINGS in answer to the preface (does the server speak h2c?)"), std::string::npos)
        << error;
}

// The request options over h2: a bearer token, a JSON body by POST, a publish header; a wrong
// token is the server's 401, graded by server/status/1 as over HTTP/1.1.
TEST(conformance_suite_h2, request_options_travel_over_h2) {
    auto tls = h2_server();
    tls.tls = test::server_tls("server");
    tls.token = "tok-h2-secret";
    tls.publish_token = "pub-h2-secret";
    test::broken_server server(test::flaw::none, tls);
    const std::string origin = "https://localhost:" + std::to_string(server.port());
    const auto run_llm = [&](const std::string& token) {
        auto o = h2_options(http_protocol::http2);
        o.request.ca_file = test::tls_dir() + "/ca.pem";
        o.request.method = "POST";
        o.request.headers = {{"Authorization", "Bearer " + token}};
        o.request.body = R"({"model":"m","stream":true})";
        o.request.content_type = "application/json";
        o.request.publish_headers = {{"Authorization", "Bearer pub-h2-secret"}};
        o.url = origin + "/llm";
        o.publish_url = origin + "/llm/publish?data={data}&type={type}";
        std::string error;
        auto s = open_server_session(o, error);
        EXPECT_TRUE(s && s->h2) << error;
        if (!s) return run_result{};
        return run(select(h2_registry(), {target::server, {"server/status/1", "server/publish/1", "server/h2/*"}, {}}), o,
                   *s, nullptr, nullptr);
    };
    const auto good = run_llm("tok-h2-secret");
    ASSERT_EQ(good.cases.size(), 5u);
    EXPECT_EQ(good.count(verdict::pass), 5u) << failures(good);
    const auto bad = run_llm("wrong");
    ASSERT_FALSE(bad.cases.empty());
    EXPECT_EQ(bad.cases.front().spec->id, "server/status/1");
    EXPECT_EQ(bad.cases.front().grade, verdict::fail);
    EXPECT_NE(bad.cases.front().outcome.message.find("401"), std::string::npos) << bad.cases.front().outcome.message;
}

struct h2_row {
    const char* case_id;
    test::flaw flaw;
    verdict expected = verdict::fail;
};

void PrintTo(const h2_row& r, std::ostream* os) { *os << r.case_id << " vs " << test::to_string(r.flaw); }

class detects_over_h2 : public ::testing::TestWithParam<h2_row> {};

// The HTTP/2 flaws, and existing flaws that mean the same over HTTP/2.
const h2_row h2_rows[] = {
    {"server/h2/connection-header/1", test::flaw::h2_connection_header},
    {"server/h2/reset/1", test::flaw::h2_reset_disturbs_others},
    // A limit of 5: the 5 streams allowed work, and the low limit is RFC 9113 6.5.2's recommendation.
    {"server/h2/streams/1", test::flaw::h2_stream_limit, verdict::warning},
    {"server/h2/streams/1", test::flaw::fanout_skip},
    {"server/status/1", test::flaw::status_202},
    {"server/content-type/1", test::flaw::wrong_content_type},
    {"server/content-length/1", test::flaw::content_length},
    {"server/cache-control/1", test::flaw::no_cache_control},
    {"server/utf8/1", test::flaw::invalid_utf8},
    {"server/id/1", test::flaw::nul_in_id},
    {"server/flush/1", test::flaw::buffered_head},
    {"server/accept/1", test::flaw::requires_accept},
    {"server/fanout/1", test::flaw::fanout_skip},
    {"server/resume/1", test::flaw::resume_repeat},
    {"server/echo/1", test::flaw::echo_drops_last_line},
    {"server/publish/1", test::flaw::publish_drops_type},
    {"server/compression/1", test::flaw::gzip_buffered},
};

TEST_P(detects_over_h2, its_flaw) {
    const h2_row& r = GetParam();
    test::broken_server server(r.flaw, h2_server());
    const auto result = run_h2(h2c_origin(server), {r.case_id}, h2_options());
    ASSERT_EQ(result.cases.size(), 1u);
    const auto& c = result.cases.front();
    EXPECT_EQ(c.grade, r.expected) << c.outcome.message;
    for (const char* harness : {"publishing failed", "cannot connect", "not all live", "first stream got no"})
        EXPECT_EQ(c.outcome.message.find(harness), std::string::npos) << c.outcome.message;
    std::cout << "  " << r.case_id << " vs " << test::to_string(r.flaw) << " (h2c): " << c.outcome.message.substr(0, 200)
              << "\n";
}

INSTANTIATE_TEST_SUITE_P(server_cases, detects_over_h2, ::testing::ValuesIn(h2_rows),
                         [](const ::testing::TestParamInfo<h2_row>& p) {
                             std::string name = std::string(p.param.case_id) + "_" + std::string(test::to_string(p.param.flaw));
                             for (auto& ch : name) if (ch == '/' || ch == '-') ch = '_';
                             return name;
                         });

TEST(conformance_suite_h2, every_h2_case_has_a_flaw) {
    for (const auto& c : h2_registry().cases()) {
        if (c.id.rfind("server/h2/", 0) != 0 || c.level == level::info) continue;
        bool found = false;
        for (const auto& r : h2_rows) found = found || c.id == r.case_id;
        EXPECT_TRUE(found) << c.id << " can fail but no broken variant shows it";
    }
}

}  // namespace
}  // namespace sse::conformance
