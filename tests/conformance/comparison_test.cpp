// The comparison report: two targets with different outcomes give the right table, JSON and
// JUnit; an unreachable target is a column, not an abort (in the model and as the tool runs);
// a targets file's errors name the line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "broken_server.hpp"
#include "child_process.hpp"
#include "comparison.hpp"

namespace sse::conformance {
namespace {

namespace fs = std::filesystem;

test_case make(std::string id, level l) {
    return {.id = std::move(id), .description = "d", .requirement = "r", .level = l, .target = target::server,
            .run = [](context&) { return outcome::passed(); }};
}

const test_case& case_a() {
    static const test_case c = make("server/headers/1", level::must);
    return c;
}
const test_case& case_b() {
    static const test_case c = make("server/headers/2", level::should);
    return c;
}

case_result result(const test_case& c, verdict v, std::string message) {
    case_result r;
    r.spec = &c;
    r.outcome.result = v;
    r.outcome.message = std::move(message);
    if (v == verdict::fail) r.outcome.raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    r.grade = v;
    return r;
}

target_result target(std::string name, verdict a, verdict b) {
    target_result t;
    t.name = std::move(name);
    t.url = "http://127.0.0.1:1/" + t.name;
    t.repro = "sse-conformance server " + t.url + " --seed 7";
    t.run.target = t.url;
    t.run.mode = "server";
    t.run.cases.push_back(result(case_a(), a, "Content-Type was " + std::string(a == verdict::fail ? "text/plain" : "text/event-stream")));
    t.run.cases.push_back(result(case_b(), b, "no Cache-Control"));
    return t;
}

comparison two_targets() {
    comparison c;
    c.seed = 7;
    c.started_at = "2026-12-06T00:00:00Z";
    c.targets.push_back(target("alpha", verdict::pass, verdict::pass));
    c.targets.push_back(target("beta", verdict::fail, verdict::warning));
    return c;
}

std::string line_of(const std::string& text, const std::string& start) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("  " + start, 0) == 0) return line;
    }
    return "(no line starting with " + start + ")";
}

TEST(comparison, the_table_has_a_column_per_target_and_a_row_per_case) {
    std::ostringstream out;
    write_comparison_table(out, two_targets());
    const auto text = out.str();
    const auto header = line_of(text, "case");
    EXPECT_LT(header.find("alpha"), header.find("beta")) << header;
    EXPECT_NE(line_of(text, "server/headers/1").find("pass     FAIL"), std::string::npos) << text;
    EXPECT_NE(line_of(text, "server/headers/2").find("pass     warn"), std::string::npos) << text;
    EXPECT_NE(line_of(text, "verdict").find("PASS     FAIL"), std::string::npos) << text;
    EXPECT_NE(text.find("beta: sse-conformance server http://127.0.0.1:1/beta --seed 7"), std::string::npos) << text;
    EXPECT_EQ(two_targets().exit_status(), 1);
}

TEST(comparison, the_table_marks_a_known_deviation_and_one_listed_differently) {
    auto c = two_targets();
    c.targets[1].run.cases[0].expectation = expectation_check{verdict::fail, "known", true};
    c.targets[1].run.cases[1].expectation = expectation_check{verdict::fail, "listed as fail", false};
    std::ostringstream out;
    write_comparison_table(out, c);
    EXPECT_NE(line_of(out.str(), "server/headers/1").find("pass     FAIL*"), std::string::npos) << out.str();
    EXPECT_NE(line_of(out.str(), "server/headers/2").find("pass     warn!"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("* a known deviation"), std::string::npos);
}

TEST(comparison, the_json_has_every_target_and_each_cases_outcome_by_target) {
    std::ostringstream out;
    write_comparison_json(out, two_targets());
    const auto doc = nlohmann::json::parse(out.str());
    EXPECT_EQ(doc["tool"], "sse-conformance");
    EXPECT_EQ(doc["mode"], "compare");
    EXPECT_EQ(doc["seed"], 7);
    EXPECT_EQ(doc["passed"], false);
    ASSERT_EQ(doc["targets"].size(), 2u);
    EXPECT_EQ(doc["targets"][0]["name"], "alpha");
    EXPECT_EQ(doc["targets"][0]["summary"]["pass"], 2);
    EXPECT_EQ(doc["targets"][1]["summary"]["fail"], 1);
    EXPECT_EQ(doc["targets"][1]["passed"], false);
    ASSERT_EQ(doc["cases"].size(), 2u);
    EXPECT_EQ(doc["cases"][0]["id"], "server/headers/1");
    EXPECT_EQ(doc["cases"][0]["level"], "MUST");
    EXPECT_EQ(doc["cases"][0]["requirement"], "r");
    EXPECT_EQ(doc["cases"][0]["results"]["alpha"], "pass");
    EXPECT_EQ(doc["cases"][0]["results"]["beta"], "fail");
    EXPECT_EQ(doc["cases"][0]["messages"]["beta"], "Content-Type was text/plain");
    EXPECT_EQ(doc["cases"][1]["results"]["beta"], "warning");
}

TEST(comparison, the_junit_has_one_testsuite_per_target) {
    std::ostringstream out;
    write_comparison_junit(out, two_targets());
    const auto xml = out.str();
    EXPECT_NE(xml.find("<testsuite name=\"alpha\" tests=\"2\" failures=\"0\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<testsuite name=\"beta\" tests=\"2\" failures=\"1\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("classname=\"beta.server/headers\" name=\"server/headers/1\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<failure type=\"fail\" message=\"Content-Type was text/plain\">"), std::string::npos) << xml;
    EXPECT_EQ(xml.find("<failure", xml.find("<testsuite name=\"alpha\"")), xml.find("<failure")) << xml;
}

TEST(comparison, the_html_has_a_coloured_cell_per_target_with_the_message_as_tooltip) {
    std::ostringstream out;
    write_comparison_html(out, two_targets());
    const auto html = out.str();
    EXPECT_NE(html.find("<th class=\"t\">alpha</th><th class=\"t\">beta</th>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"c fail\" title=\"Content-Type was text/plain\">fail<details>"), std::string::npos);
    EXPECT_NE(html.find("<tr class=\"sec\"><th colspan=\"5\">server/headers</th></tr>"), std::string::npos);
    EXPECT_NE(html.find("Content-Type: text/plain\\r"), std::string::npos);  // the raw bytes, escaped
}

TEST(comparison, an_unreachable_target_is_a_column_not_an_abort) {
    auto c = two_targets();
    target_result down;
    down.name = "gamma";
    down.url = "http://127.0.0.1:1/";
    down.error = "cannot connect to http://127.0.0.1:1: Connection refused (is the server running?)";
    c.targets.insert(c.targets.begin(), down);
    EXPECT_EQ(c.exit_status(), 2);
    EXPECT_EQ(c.rows().size(), 2u);
    comparison all_down;
    all_down.targets.push_back(down);
    all_down.cases = {&case_b()};
    ASSERT_EQ(all_down.rows().size(), 1u);  // the selected cases are rows even with no run
    EXPECT_EQ(all_down.targets[0].outcome_of(case_b().id), "unreachable");

    std::ostringstream json, junit, html, table;
    write_comparison_json(json, c);
    const auto doc = nlohmann::json::parse(json.str());
    EXPECT_EQ(doc["targets"][0]["reachable"], false);
    EXPECT_EQ(doc["targets"][0]["error"], down.error);
    EXPECT_EQ(doc["cases"][0]["results"]["gamma"], "unreachable");
    EXPECT_EQ(doc["cases"][0]["results"]["beta"], "fail");
    write_comparison_junit(junit, c);
    EXPECT_NE(junit.str().find("<testsuite name=\"gamma\" tests=\"1\" failures=\"0\" errors=\"1\""), std::string::npos);
    EXPECT_NE(junit.str().find("<testsuite name=\"beta\""), std::string::npos);
    write_comparison_html(html, c);
    EXPECT_NE(html.str().find("<td class=\"c unreachable\" title=\"cannot connect"), std::string::npos);
    write_comparison_table(table, c);
    EXPECT_NE(line_of(table.str(), "server/headers/1").find("unreach  pass     FAIL"), std::string::npos) << table.str();
    EXPECT_NE(table.str().find("gamma (http://127.0.0.1:1/) was not reached: cannot connect"), std::string::npos);
}

bool parse(const std::string& text, std::vector<target_spec>& out, std::string& error) {
    std::istringstream in(text);
    return parse_targets(in, "targets.txt", out, error);
}

TEST(comparison, a_targets_file_gives_names_urls_shell_words_and_expectations) {
    std::vector<target_spec> t;
    std::string error;
    ASSERT_TRUE(parse("# peers\n\nsse-server http://127.0.0.1:8080/events  --publish 'http://h/p?a=1&data={data}'\n"
                      "  nchan https://localhost:9/e -H \"Authorization: Bearer x\\\"y\" expect=nchan.json # trailing\n"
                      "h3 http://h/e -H 'X-Tag: #1' -H X-A:a#b \\#c #-H 'X-Gone: 1' the rest\n",
                      t, error))
        << error;
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0].name, "sse-server");
    EXPECT_EQ(t[0].line, 3u);
    EXPECT_EQ(t[0].args, (std::vector<std::string>{"--publish", "http://h/p?a=1&data={data}"}));
    EXPECT_EQ(t[1].url, "https://localhost:9/e");
    // An unquoted # starting a word starts a comment to the end of the line (not extra words);
    // quoted, escaped or inside a word it is text.
    EXPECT_EQ(t[1].args, (std::vector<std::string>{"-H", "Authorization: Bearer x\"y"}));
    EXPECT_EQ(t[1].expect_file, "nchan.json");
    EXPECT_EQ(t[2].args, (std::vector<std::string>{"-H", "X-Tag: #1", "-H", "X-A:a#b", "#c"}));
}

TEST(comparison, targets_file_errors_name_the_line) {
    auto error_of = [](const std::string& text) {
        std::vector<target_spec> t;
        std::string error;
        EXPECT_FALSE(parse(text, t, error));
        return error;
    };
    EXPECT_EQ(error_of("a http://x/\nb\n"), "targets.txt:2: a target needs a name and a URL: NAME URL [OPTIONS...]");
    EXPECT_EQ(error_of("# c\na http://x/ -H 'open\n"), "targets.txt:2: unterminated ' quote");
    EXPECT_EQ(error_of("a http://x/\na http://y/\n"), "targets.txt:2: the name 'a' is used twice");
    EXPECT_EQ(error_of("a ftp://x/\n"), "targets.txt:1: the URL of 'a' must start with http:// or https:// (got 'ftp://x/')");
    EXPECT_EQ(error_of("a/b http://x/\n"), "targets.txt:1: the name 'a/b' may use only letters, digits, '.', '_' and '-'");
    EXPECT_EQ(error_of("\n\na http://x/ --json out.json\n"), "targets.txt:3: --json is for the whole comparison, not one target");
    EXPECT_EQ(error_of("# nothing\n"), "targets.txt: no target (one NAME URL [OPTIONS...] per line)");
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// As a user runs it: a correct server, one with a wrong Content-Type, and a port nobody listens
// on; every reachable target runs, the report has all three columns, the exit status is 2 and
// names the unreachable target.
TEST(comparison, the_tool_compares_targets_from_a_file_and_reports_an_unreachable_one) {
    test::broken_server good(test::flaw::none);
    test::broken_server bad(test::flaw::wrong_content_type);
    const auto dir = fs::temp_directory_path() / ("sse-comparison-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::ofstream f(dir / "targets.txt");
        f << "# three servers\n"
          << "good http://127.0.0.1:" << good.port() << "/events -H 'X-Token: secret-good-1234'\n"
          << "down http://127.0.0.1:1/events\n"
          << "bad http://127.0.0.1:" << bad.port() << "/events\n";
    }
    std::string error;
    auto child = child_process::start(std::string(SSE_CONFORMANCE_PATH) + " server --targets " + (dir / "targets.txt").string() +
                                          " --case 'server/content-type/*' --seed 5 -q --json " + (dir / "c.json").string() +
                                          " --junit " + (dir / "c.xml").string() + " --html " + (dir / "c.html").string(),
                                      {{"NO_COLOR", "1"}}, error);
    ASSERT_TRUE(child) << error;
    child->close_stdin();
    const auto r = child->wait(child_process::clock::now() + std::chrono::minutes(2));
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("down (http://127.0.0.1:1/events) could not be reached"), std::string::npos) << r.err;
    const auto doc = nlohmann::json::parse(slurp(dir / "c.json"));
    ASSERT_EQ(doc["targets"].size(), 3u);
    EXPECT_EQ(doc["targets"][1]["reachable"], false);
    ASSERT_FALSE(doc["cases"].empty());
    EXPECT_EQ(doc["cases"][0]["id"], "server/content-type/1");
    EXPECT_EQ(doc["cases"][0]["results"]["good"], "pass");
    EXPECT_EQ(doc["cases"][0]["results"]["down"], "unreachable");
    EXPECT_EQ(doc["cases"][0]["results"]["bad"], "fail");
    EXPECT_NE(doc["targets"][0]["repro"].get<std::string>().find("--seed 5"), std::string::npos);
    for (const auto* file : {"c.json", "c.xml", "c.html"}) {
        const auto text = slurp(dir / file);
        EXPECT_NE(text.find("bad"), std::string::npos) << file;
        EXPECT_EQ(text.find("secret-good-1234"), std::string::npos) << file << " shows the header value";
    }
    EXPECT_EQ((r.out + r.err).find("secret-good-1234"), std::string::npos);
    fs::remove_all(dir);
}

struct tool_run {
    int exit_code = -1;
    std::string out, err;
};

tool_run run_tool(const std::string& args) {
    std::string error;
    auto child = child_process::start(std::string(SSE_CONFORMANCE_PATH) + " " + args, {{"NO_COLOR", "1"}}, error);
    if (!child) return {-1, "", error};
    child->close_stdin();
    const auto r = child->wait(child_process::clock::now() + std::chrono::minutes(2));
    return {r.timed_out ? -2 : r.exit_code, r.out, r.err};
}

fs::path fresh_dir(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("sse-comparison-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// A target's options after the common ones: its -d replaces the common body and its -b the common
// cookies (neither is "given twice" nor joined), its -H replaces the common header of that name,
// --case adds; the repro lists exactly the -H headers, wherever --header-file lines came between.
TEST(comparison, a_targets_own_options_replace_or_add_to_the_common_ones) {
    const auto dir = fresh_dir("override");
    std::ofstream(dir / "hdr.txt") << "X-File: file-secret-1\nX-Both: file-secret-2\n";
    std::ofstream(dir / "targets.txt")
        << "own http://127.0.0.1:1/a -d '{\"own\":1}' -b own=own-cookie-1 -H 'X-Both: inline-secret-3' "
           "--case 'server/status/*'\n"
        << "plain http://127.0.0.1:1/b\n";
    const auto r = run_tool("server --targets " + (dir / "targets.txt").string() + " --header-file " +
                            (dir / "hdr.txt").string() +
                            " -H 'X-Inline: inline-secret-4' -d '{\"common\":1}' -b common=common-cookie-2"
                            " --case 'server/content-type/*' --seed 5 -q --json " + (dir / "c.json").string());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    ASSERT_NE(r.err.find("own (http://127.0.0.1:1/a) could not be reached"), std::string::npos) << r.err;
    const auto doc = nlohmann::json::parse(slurp(dir / "c.json"));
    ASSERT_EQ(doc["targets"].size(), 2u);
    const auto own = doc["targets"][0]["repro"].get<std::string>();
    const auto plain = doc["targets"][1]["repro"].get<std::string>();
    EXPECT_NE(own.find("-d '{\"own\":1}'"), std::string::npos) << own;
    EXPECT_EQ(own.find("common\":1"), std::string::npos) << own;
    EXPECT_NE(own.find("-b 'own=***'"), std::string::npos) << own;
    EXPECT_EQ(own.find("common="), std::string::npos) << own;
    EXPECT_NE(own.find("-H 'X-Inline: ***' -H 'X-Both: ***' --header-file"), std::string::npos) << own;
    EXPECT_EQ(own.find("-H 'X-File"), std::string::npos) << own;
    EXPECT_NE(plain.find("-H 'X-Inline: ***' --header-file"), std::string::npos) << plain;
    EXPECT_EQ(plain.find("-H 'X-File"), std::string::npos) << plain;
    EXPECT_EQ(plain.find("-H 'X-Both"), std::string::npos) << plain;
    EXPECT_NE(plain.find("-d '{\"common\":1}'"), std::string::npos) << plain;
    EXPECT_NE(plain.find("-b 'common=***'"), std::string::npos) << plain;
    bool status = false, content_type = false;
    for (const auto& c : doc["cases"]) {
        status = status || c["id"].get<std::string>().rfind("server/status/", 0) == 0;
        content_type = content_type || c["id"].get<std::string>().rfind("server/content-type/", 0) == 0;
    }
    EXPECT_TRUE(status && content_type) << doc["cases"].dump();
    for (const auto* secret : {"file-secret-1", "file-secret-2", "inline-secret-3", "inline-secret-4", "own-cookie-1",
                               "common-cookie-2"}) {
        EXPECT_EQ((r.out + r.err + slurp(dir / "c.json")).find(secret), std::string::npos) << secret;
    }
    fs::remove_all(dir);
}

// A word that is neither an option nor its value would be a second URL: the target's line is a
// usage error naming it (not a comparison inside the target, nor "--expect is per target"); a
// # comment after the options is no such word.
TEST(comparison, a_target_line_with_a_stray_word_is_a_usage_error_naming_the_line) {
    const auto dir = fresh_dir("stray");
    const auto file = (dir / "targets.txt").string();
    std::ofstream(file) << "ok http://127.0.0.1:1/a -H 'X-A: 1' # the first, with words after\n"
                        << "b http://127.0.0.1:1/b extra expect=x.json\n";
    const auto r = run_tool("server --targets " + file + " --case 'server/content-type/*' -q");
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("target b (" + file + ":2): one URL per target, but 'extra' is not an option or an option's value"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("could not be reached"), std::string::npos) << r.err;  // nothing ran
    fs::remove_all(dir);
}

}  // namespace
}  // namespace sse::conformance
