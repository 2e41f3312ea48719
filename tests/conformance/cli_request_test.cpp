// sse-conformance as a user runs it, against broken_server over HTTPS: the "POST + bearer + JSON"
// command passes; no secret appears in the terminal output, the JSON, JUnit and HTML reports or the
// reproduction command (as text or as hex); a redirect is reported; TLS failures exit 2 with the
// cause; -k says verification is off.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "broken_server.hpp"
#include "child_process.hpp"
#include "support/scripted_peer.hpp"

namespace sse::conformance {
namespace {

namespace fs = std::filesystem;

const std::string token = "sk-cli-4f9c2e7a1b";
const std::string publish_token = "pub-cli-8d3e6b0c5a";
const std::string cookie_value = "sess-cli-71c0de55";
const std::string body = R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})";

struct run_output {
    int exit_code = -1;
    std::string out, err;
};

run_output run_cli(const std::string& args) {
    std::string error;
    auto child = child_process::start(std::string(SSE_CONFORMANCE_PATH) + " " + args, {{"NO_COLOR", "1"}}, error);
    if (!child) return {-1, "", error};
    child->close_stdin();
    auto r = child->wait(child_process::clock::now() + std::chrono::minutes(3));
    return {r.timed_out ? -2 : r.exit_code, r.out, r.err};
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string hex(std::string_view s) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

// The bytes of every hex dump in `text` (lines "00000010  41 42 ...  |AB..|"), joined, so a secret
// split across dump lines is still found.
std::string from_hex_dumps(const std::string& text) {
    std::string bytes;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.size() < 12 || line.substr(8, 2) != "  " || line.find(" |") == std::string::npos) continue;
        std::istringstream cells(line.substr(10, line.find(" |") - 10));
        std::string cell;
        while (cells >> cell)
            if (cell.size() == 2) bytes += static_cast<char>(std::stoi(cell, nullptr, 16));
    }
    return bytes;
}

// Where `secret` shows up in `text`: as is, as continuous hex (JSON raw), or in hex dumps.
bool leaks(const std::string& text, const std::string& secret) {
    return text.find(secret) != std::string::npos || text.find(hex(secret)) != std::string::npos ||
           from_hex_dumps(text).find(secret) != std::string::npos;
}

struct cli_request : ::testing::Test {
    test::broken_server server{test::flaw::none, {test::server_tls("server"), token, publish_token}};
    fs::path dir = fs::temp_directory_path() / ("sse-cli-request-" + std::to_string(::getpid()));
    void SetUp() override { fs::create_directories(dir); }
    void TearDown() override { fs::remove_all(dir); }
    std::string origin() const { return "https://localhost:" + std::to_string(server.port()); }
    std::string cacert() const { return " --cacert " + test::tls_dir() + "/ca.pem"; }
    std::string reports(const std::string& stem) const {
        const auto p = (dir / stem).string();
        return " --json " + p + ".json --junit " + p + ".xml --html " + p + ".html";
    }
    // Every output of a run: terminal (stdout, stderr) and the three report files.
    std::string all_outputs(const run_output& r, const std::string& stem) const {
        return r.out + r.err + slurp(dir / (stem + ".json")) + slurp(dir / (stem + ".xml")) +
               slurp(dir / (stem + ".html"));
    }
};

TEST_F(cli_request, the_llm_style_command_passes_over_https_and_reports_no_secret) {
    // The secrets come from a header file (out of shell history), the cookie from -b.
    const auto headers = dir / "headers.txt";
    std::ofstream(headers) << "# the API key\nAuthorization: Bearer " << token << "\r\n";
    const auto r = run_cli("server " + origin() + "/llm --header-file " + headers.string() + " -d '" + body + "' -b session=" +
                           cookie_value + cacert() + " --publish '" + origin() +
                           "/llm/publish?data={data}&type={type}' --publish-header 'Authorization: Bearer " + publish_token +
                           "' --strict --seed 7 --max-success 5 --timeout 2s --soak 1500ms --heartbeat-max 1s"
                           " --skip server/burst/1" +  // 10,000 TLS publishes: a load case, run in suite_test
                           " --skip 'server/h2/*'" +   // HTTP/2 only: skipped over HTTP/1.1 (suite_h2_test)

                           reports("pass"));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("request: POST"), std::string::npos) << r.err;  // the run header
    const auto all = all_outputs(r, "pass");
    for (const auto& secret : {token, publish_token, cookie_value}) EXPECT_FALSE(leaks(all, secret)) << secret;
    const auto json = nlohmann::json::parse(slurp(dir / "pass.json"));
    ASSERT_FALSE(json["cases"].empty());
    for (const auto& c : json["cases"])
        EXPECT_TRUE(c["outcome"] == "pass" || c["outcome"] == "info") << c["id"] << ": " << c["message"];
}

TEST_F(cli_request, a_wrong_token_fails_status_and_every_report_masks_it) {
    const std::string wrong = "sk-wrong-cli-93a1f0c2";
    const auto r = run_cli("server " + origin() + "/llm -H 'Authorization: Bearer " + wrong + "' -d '" + body +
                           "' -b session=" + cookie_value + cacert() + " --publish '" + origin() +
                           "/llm/publish?data={data}&type={type}' --publish-header 'Authorization: Bearer " +
                           publish_token + "' --case server/status/1 --case server/publish/1 --seed 7 --max-success 2"
                           " --timeout 1s" + reports("fail"));
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const auto json = nlohmann::json::parse(slurp(dir / "fail.json"));
    ASSERT_EQ(json["cases"].size(), 2u);
    EXPECT_EQ(json["cases"][0]["id"], "server/status/1");
    EXPECT_EQ(json["cases"][0]["outcome"], "fail");
    EXPECT_NE(json["cases"][0]["message"].get<std::string>().find("401"), std::string::npos);
    EXPECT_NE(json["cases"][0]["actual"].get<std::string>().find("Authorization: Bearer ***"), std::string::npos);
    // The failing property carries a reproduction command, with the header masked.
    const std::string repro = json["cases"][1].value("repro", "");
    EXPECT_NE(repro.find("-H 'Authorization: Bearer ***'"), std::string::npos) << repro;
    EXPECT_NE(repro.find("--publish-header 'Authorization: Bearer ***'"), std::string::npos) << repro;
    EXPECT_NE(repro.find("-b 'session=***'"), std::string::npos) << repro;
    const auto all = all_outputs(r, "fail");
    for (const auto& secret : {wrong, publish_token, cookie_value}) EXPECT_FALSE(leaks(all, secret)) << secret;
    EXPECT_NE(all.find("Bearer ***"), std::string::npos);

    // No header at all: the 401 is server/status/1 failing.
    const auto bare = run_cli("server " + origin() + "/llm -d '" + body + "'" + cacert() + " --case server/status/1");
    EXPECT_EQ(bare.exit_code, 1);
    EXPECT_NE(bare.out.find("401"), std::string::npos) << bare.out;
}

TEST_F(cli_request, a_redirect_is_a_case_outcome_unless_location_is_given) {
    const std::string auth = " -H 'Authorization: Bearer " + token + "' -d '" + body + "'" + cacert();
    const auto reported = run_cli("server " + origin() + "/r307/llm" + auth + " --case server/status/1");
    EXPECT_EQ(reported.exit_code, 1);
    EXPECT_NE(reported.out.find("307"), std::string::npos) << reported.out;
    EXPECT_NE(reported.out.find("/llm"), std::string::npos) << reported.out;
    const auto followed = run_cli("server " + origin() + "/r307/llm" + auth + " -L --case 'server/status/1' "
                                  "--case 'server/content-type/1' --case 'server/resume/1' --publish '" + origin() +
                                  "/llm/publish?data={data}&type={type}' --publish-header 'Authorization: Bearer " +
                                  publish_token + "'");
    EXPECT_EQ(followed.exit_code, 0) << followed.out << followed.err;
}

TEST_F(cli_request, tls_failures_exit_2_naming_the_cause_and_k_is_reported) {
    const auto unknown = run_cli("server " + origin() + "/llm -H 'Authorization: Bearer " + token + "' -d '{}'");
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown certificate authority"), std::string::npos) << unknown.err;
    EXPECT_NE(unknown.err.find("--cacert"), std::string::npos) << unknown.err;
    EXPECT_FALSE(leaks(unknown.err + unknown.out, token));

    const auto insecure = run_cli("server " + origin() + "/llm -H 'Authorization: Bearer " + token +
                                  "' -d '{}' -k --case server/status/1 --case server/content-type/1");
    EXPECT_EQ(insecure.exit_code, 0) << insecure.out << insecure.err;
    EXPECT_NE(insecure.err.find("TLS verification OFF"), std::string::npos) << insecure.err;

    test::broken_server expired(test::flaw::none, {test::server_tls("expired"), token, publish_token});
    const auto old = run_cli("server https://localhost:" + std::to_string(expired.port()) + "/events" + cacert());
    EXPECT_EQ(old.exit_code, 2);
    EXPECT_NE(old.err.find("has expired"), std::string::npos) << old.err;

    test::broken_server wrongname(test::flaw::none, {test::server_tls("wrongname"), token, publish_token});
    const auto mismatch = run_cli("server https://localhost:" + std::to_string(wrongname.port()) + "/events" + cacert());
    EXPECT_EQ(mismatch.exit_code, 2);
    EXPECT_NE(mismatch.err.find("does not match the host name"), std::string::npos) << mismatch.err;
}

TEST(cli_request_options, are_checked_before_anything_runs) {
    for (const auto& [args, says] : std::vector<std::pair<std::string, std::string>>{
             {"server http://127.0.0.1:1/ -H 'no colon secret-value'", "expected 'Name: value'"},
             {"server http://127.0.0.1:1/ -X 'GET /x'", "-X needs an HTTP method"},
             {"server http://127.0.0.1:1/ -b nocookie", "'name=value'"},
             {"server http://127.0.0.1:1/ -d a -d b", "given twice"},
             {"server http://127.0.0.1:1/ --data-file /nonexistent/body", "cannot read"},
             {"server http://127.0.0.1:1/ --connect-timeout 0", "--connect-timeout needs a duration"},
             {"parser --cmd cat -H 'A: b'", "are for server mode"},
         }) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 2) << args;
        EXPECT_NE(r.err.find(says), std::string::npos) << args << ": " << r.err;
        EXPECT_EQ(r.err.find("secret-value"), std::string::npos) << r.err;
    }
    const auto help = run_cli("--help");
    for (const char* option : {"-H, --header", "--header-file", "-X, --method", "-d, --data", "--data-file", "-k, --insecure",
                               "--cacert", "-L, --location", "-b, --cookie", "--connect-timeout", "--first-byte-timeout",
                               "--idle-timeout", "--publish-header", "Mercure", "LLM"})
        EXPECT_NE(help.out.find(option), std::string::npos) << option;
}

}  // namespace
}  // namespace sse::conformance
