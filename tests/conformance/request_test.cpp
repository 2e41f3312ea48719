// sse-conformance's request side against broken_server over HTTPS (the test certificates): an
// LLM-style POST stream with a bearer token and a JSON body, the 401 without it, redirects with and
// without -L, TLS failures named by cause, -k, and the redactor.
#include <algorithm>

#include <gtest/gtest.h>

#include "broken_server.hpp"
#include "endpoint_request.hpp"
#include "publisher.hpp"
#include "redactor.hpp"
#include "server_session.hpp"
#include "sse/conformance/registry.hpp"
#include "sse/conformance/runner.hpp"
#include "support/scripted_peer.hpp"

namespace sse::conformance {
namespace {

const std::string token = "sk-test-4f9c2e7a1b";
const std::string publish_token = "pub-8d3e6b0c5a";

registry& cases() {
    static registry r = [] {
        registry reg;
        register_server_cases(reg);
        return reg;
    }();
    return r;
}

std::string ca(const std::string& file = "ca.pem") { return test::tls_dir() + "/" + file; }

struct tls_server {
    explicit tls_server(const std::string& cert = "server")
        : server(test::flaw::none, {test::server_tls(cert), token, publish_token}) {}
    std::string origin(const std::string& host = "localhost") const {
        return "https://" + host + ":" + std::to_string(server.port());
    }
    test::broken_server server;
};

// The LLM-style request: POST, the bearer token, a JSON body; publishing with its own token.
run_options llm_options(const tls_server& s) {
    run_options o;
    o.seed = 20261121;
    o.max_success = 5;
    o.timeout = std::chrono::milliseconds(2000);
    o.strict = true;
    o.verbosity = 0;
    o.repro_prefix = "sse-conformance";
    o.url = s.origin() + "/llm";
    o.request.method = "POST";
    o.request.headers = {{"Authorization", "Bearer " + token}};
    o.request.body = R"({"model":"m","stream":true})";
    o.request.content_type = "application/json";
    o.request.ca_file = ca();
    o.publish_url = s.origin() + "/llm/publish?data={data}&type={type}";
    o.request.publish_headers = {{"Authorization", "Bearer " + publish_token}};
    o.soak = std::chrono::milliseconds(1500);  // broken_server's heartbeat is 300 ms
    o.heartbeat_max = std::chrono::milliseconds(1000);
    return o;
}

run_result run_with(const run_options& o, const std::vector<std::string>& include, std::string& error) {
    auto s = open_server_session(o, error);
    if (!s) return {};
    // server/burst/1 is left out: 10,000 publishes, each a TLS handshake here, test the load
    // the server takes (suite_test runs it), not the request options these tests are about. The
    // server/h2 cases skip over HTTP/1.1 (suite_h2_test runs them).
    return run(select(cases(), {target::server, include, {"server/burst/1", "server/h2/*"}}), o, *s, nullptr, nullptr);
}

std::string failures(const run_result& r) {
    std::string s;
    for (const auto& c : r.cases)
        if (c.grade == verdict::fail || c.grade == verdict::skipped)
            s += c.spec->id + " " + std::string(to_string(c.grade)) + ": " + c.outcome.message + "\n";
    return s;
}

// Every text of a result, as a reporter would see it.
std::string everything(const run_result& r) {
    std::string all = r.target + "\n";
    for (const auto& c : r.cases)
        all += c.outcome.message + "\n" + c.outcome.expected + "\n" + c.outcome.actual + "\n" + c.outcome.raw + "\n" +
               c.outcome.counterexample + "\n" + c.outcome.repro + "\n";
    return all;
}

TEST(conformance_request, an_llm_style_post_stream_over_https_passes_strictly) {
    tls_server s;
    std::string error;
    const auto r = run_with(llm_options(s), {}, error);
    ASSERT_TRUE(error.empty()) << error;
    // Every base case but the burst (profile cases run only under --profile).
    const auto& all = cases().cases();
    ASSERT_EQ(r.cases.size(), static_cast<std::size_t>(std::count_if(all.begin(), all.end(), [](const test_case& c) {
                                  return c.profile.empty() && c.id != "server/burst/1" && c.id.rfind("server/h2/", 0) != 0;
                              })));
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    EXPECT_EQ(r.count(verdict::skipped), 0u) << failures(r);
    EXPECT_NE(r.target.find("request: POST with a 27 bytes body"), std::string::npos) << r.target;
    EXPECT_NE(r.target.find("TLS verified against --cacert"), std::string::npos) << r.target;
    EXPECT_EQ(everything(r).find(token), std::string::npos);
    EXPECT_EQ(everything(r).find(publish_token), std::string::npos);
}

TEST(conformance_request, without_the_token_the_401_fails_status_and_no_secret_is_reported) {
    tls_server s;
    auto o = llm_options(s);
    o.request.headers = {{"Authorization", "Bearer sk-wrong-93a1f0c2"}};
    o.request.cookie = "session=sess-71c0de55";
    std::string error;
    const auto r = run_with(o, {"server/status/1", "server/publish/1"}, error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(r.cases.size(), 2u);
    const auto& status = r.cases[0];
    EXPECT_EQ(status.spec->id, "server/status/1");
    EXPECT_EQ(status.grade, verdict::fail);
    EXPECT_NE(status.outcome.message.find("401"), std::string::npos) << status.outcome.message;
    // The request dump in the failure shows the header and the cookie, masked.
    EXPECT_NE(status.outcome.actual.find("Authorization: Bearer ***"), std::string::npos) << status.outcome.actual;
    EXPECT_NE(status.outcome.actual.find("Cookie: session=***"), std::string::npos) << status.outcome.actual;
    const std::string all = everything(r);
    for (const std::string& secret : {std::string("sk-wrong-93a1f0c2"), std::string("sess-71c0de55"), publish_token})
        EXPECT_EQ(all.find(secret), std::string::npos) << secret << " leaked:\n" << all;
    o.request.headers.clear();
    const auto bare = run_with(o, {"server/status/1"}, error);
    ASSERT_EQ(bare.cases.size(), 1u);
    EXPECT_EQ(bare.cases[0].grade, verdict::fail);
    EXPECT_NE(bare.cases[0].outcome.message.find("401"), std::string::npos);
}

TEST(conformance_request, a_redirect_is_reported_without_location_and_followed_with_it) {
    tls_server s;
    auto o = llm_options(s);
    o.url = s.origin() + "/r307/llm";
    std::string error;
    const auto reported = run_with(o, {"server/status/1"}, error);
    ASSERT_EQ(reported.cases.size(), 1u) << error;
    EXPECT_EQ(reported.cases[0].grade, verdict::fail);
    EXPECT_NE(reported.cases[0].outcome.message.find("307"), std::string::npos);
    EXPECT_NE(reported.cases[0].outcome.message.find("/llm"), std::string::npos);
    EXPECT_NE(reported.cases[0].outcome.message.find("-L"), std::string::npos);

    // -L: 307 keeps POST and its body (the endpoint needs both), for every case.
    o.request.follow_redirects = true;
    const auto followed = run_with(o, {}, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(followed.count(verdict::fail), 0u) << failures(followed);
    EXPECT_EQ(followed.count(verdict::skipped), 0u) << failures(followed);
    EXPECT_NE(followed.cases[0].outcome.message.find("after 307 -> /llm"), std::string::npos)
        << followed.cases[0].outcome.message;

    // 301 turns the POST into a GET (fetch), which the endpoint refuses: the run shows it.
    o.url = s.origin() + "/r301/llm";
    const auto rewritten = run_with(o, {"server/status/1"}, error);
    ASSERT_EQ(rewritten.cases.size(), 1u);
    EXPECT_EQ(rewritten.cases[0].grade, verdict::fail);
    EXPECT_NE(rewritten.cases[0].outcome.message.find("405"), std::string::npos) << rewritten.cases[0].outcome.message;
    // 303 to a GET stream is what 303 is for.
    o.url = s.origin() + "/r303/events";
    const auto see_other = run_with(o, {"server/status/1", "server/content-type/1"}, error);
    EXPECT_EQ(see_other.count(verdict::fail), 0u) << failures(see_other);
}

TEST(conformance_request, tls_failures_name_their_cause_and_k_turns_verification_off) {
    struct row {
        const char* cert;
        std::string ca_file;
        const char* host;
        const char* says;
    };
    const row rows[] = {
        {"server", "", "localhost", "unknown certificate authority"},
        {"server", ca("other-ca.pem"), "localhost", "unknown certificate authority"},
        {"wrongname", ca(), "localhost", "does not match the host name"},
        {"wrongname", ca(), "127.0.0.1", "does not match the host name"},  // an IP address SAN
        {"expired", ca(), "localhost", "has expired"},
        {"selfsigned", ca(), "localhost", "self-signed"},
    };
    for (const auto& rw : rows) {
        tls_server s(rw.cert);
        auto o = llm_options(s);
        o.url = s.origin(rw.host) + "/llm";
        o.request.ca_file = rw.ca_file;
        std::string error;
        EXPECT_EQ(open_server_session(o, error), nullptr) << rw.cert;
        EXPECT_NE(error.find("TLS handshake with"), std::string::npos) << error;
        EXPECT_NE(error.find(rw.says), std::string::npos) << rw.cert << " as " << rw.host << ": " << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << "one line: " << error;

        o.request.insecure = true;  // -k
        auto session = open_server_session(o, error);
        ASSERT_NE(session, nullptr) << rw.cert << ": " << error;
        EXPECT_NE(session->describe().find("TLS verification OFF"), std::string::npos) << session->describe();
    }
    // -k: the whole suite runs against a certificate nobody vouches for.
    tls_server s("selfsigned");
    auto o = llm_options(s);
    o.request.ca_file.clear();
    o.request.insecure = true;
    std::string error;
    const auto r = run_with(o, {}, error);
    ASSERT_TRUE(error.empty()) << error;
    EXPECT_EQ(r.count(verdict::fail), 0u) << failures(r);
    EXPECT_NE(r.target.find("TLS verification OFF"), std::string::npos);
}

TEST(conformance_redactor, masks_header_lines_values_and_cookies) {
    request_options q;
    q.headers = {{"Authorization", "Bearer abc123xyz"}, {"X-Api-Key", "k-998877"}, {"X-Short", "ab"}};
    q.cookie = "session=s3cr3t-1; theme=dark";
    q.publish_headers = {{"Authorization", "Basic dXNlcjpwYXNz"}};
    const redactor r(q);
    EXPECT_EQ(redactor::mask("Authorization", "Bearer abc"), "Bearer ***");
    EXPECT_EQ(redactor::mask("X-Api-Key", "k-998877"), "***");
    EXPECT_EQ(redactor::mask("Cookie", "a=1; b=2"), "a=***; b=***");
    const std::string dump = "POST /llm HTTP/1.1\r\nauthorization: Bearer abc123xyz\r\nX-Short: ab\r\nX-Api-Key: k-998877\r\n"
                             "Cookie: session=s3cr3t-1; theme=dark\r\n\r\n{}";
    EXPECT_EQ(r.apply(dump), "POST /llm HTTP/1.1\r\nauthorization: Bearer ***\r\nX-Short: ***\r\nX-Api-Key: ***\r\n"
                             "Cookie: session=***; theme=***\r\n\r\n{}");
    // Elsewhere (an echo in a body, a message), values of 4 bytes or more are masked too.
    EXPECT_EQ(r.apply("token abc123xyz, key k-998877, basic dXNlcjpwYXNz, ab stays"),
              "token ***, key ***, basic ***, ab stays");
    EXPECT_EQ(redactor(request_options{}).apply("Authorization: Bearer x"), "Authorization: Bearer x");
}

// The profiles' shared helpers: one status_line (was two copies), one percent_encode (was two),
// and the read cap the profiles stop at.
TEST(endpoint_request, status_line_percent_encode_and_the_cap) {
    response_head h;
    h.status = 200;
    h.reason = "OK";
    EXPECT_EQ(status_line(h), "200 OK");
    h.headers.emplace_back("Content-Type", "text/event-stream");
    EXPECT_EQ(status_line(h), "200 OK; text/event-stream");
    EXPECT_EQ(percent_encode("{ a_b.c~-Z9 }/?&=\xff"), "%7B%20a_b.c~-Z9%20%7D%2F%3F%26%3D%FF");
    capture c;
    c.body.assign(http_probe::max_raw - 1, 'x');
    EXPECT_FALSE(at_cap(c));
    c.body += 'x';
    EXPECT_TRUE(at_cap(c));
    EXPECT_EQ(cap_text(), "256 KiB");
}

}  // namespace
}  // namespace sse::conformance
