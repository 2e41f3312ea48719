// sse-parse as a user runs it: every corpus vector through the real executable, at several chunk
// sizes, its JSON lines compared with the vector's records; plus its exit codes and --help.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/vectors.hpp"

namespace {

using sse::test::record;

struct run_result {
    int exit_code = -1;
    std::string out;
};

// Runs `args` (a shell command line) and captures standard output.
run_result run(const std::string& args) {
    run_result r;
    std::FILE* pipe = ::popen((std::string(SSE_PARSE_PATH) + " " + args + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return r;
    char buf[4096];
    while (const std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) r.out.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::vector<record> records_from(const std::string& out) {
    std::vector<record> records;
    std::size_t at = 0;
    while (at < out.size()) {
        const std::size_t eol = out.find('\n', at);
        const nlohmann::json j = nlohmann::json::parse(out.substr(at, eol - at));
        if (j.contains("retry")) {
            records.push_back(record::make_retry(j["retry"].get<std::uint64_t>()));
        } else {
            records.push_back(record::make_event(j["type"].get<std::string>(),
                                                 j["data"].get<std::string>(),
                                                 j["id"].get<std::string>()));
        }
        at = eol == std::string::npos ? out.size() : eol + 1;
    }
    return records;
}

std::string write_temp(const std::string& name, const std::string& bytes) {
    const std::string path = ::testing::TempDir() + "sse_parse_" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

TEST(sse_parse, prints_every_vector_exactly_at_every_chunk_size) {
    const auto& corpus = sse::test::corpus();
    ASSERT_TRUE(corpus.problems.empty());
    ASSERT_GT(corpus.cases.size(), 100u);
    for (const auto& v : corpus.cases) {
        const std::string file = write_temp(sse::test::test_name(v.id), v.input);
        std::string limits;
        if (v.has_limits) {
            // sse-parse takes positive limits only; a zero limit is a parser-only case.
            if (v.limits.max_line_length == 0 || v.limits.max_event_size == 0) continue;
            limits = " --max-line-length " + std::to_string(v.limits.max_line_length) +
                     " --max-event-size " + std::to_string(v.limits.max_event_size);
        }
        for (const int chunk : {1, 3, 65536}) {
            SCOPED_TRACE(v.id + " --chunk " + std::to_string(chunk));
            const run_result r = run("--chunk " + std::to_string(chunk) + limits + " " + file);
            EXPECT_EQ(r.exit_code, v.error ? 1 : 0);
            EXPECT_EQ(records_from(r.out), v.expect);
        }
        std::remove(file.c_str());
    }
}

TEST(sse_parse, count_reports_totals_and_the_last_event_id) {
    const std::string file = write_temp("count", "retry: 5\nid: 9\ndata: a\n\n: c\ndata: b\n\n");
    const run_result r = run("--count " + file);
    ASSERT_EQ(r.exit_code, 0);
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["events"], 2);
    EXPECT_EQ(j["retries"], 1);
    EXPECT_EQ(j["comments"], 1);
    EXPECT_EQ(j["bytes"], 37);
    EXPECT_EQ(j["last_event_id"], "9");
}

TEST(sse_parse, validate_prints_observations_and_fails_on_errors) {
    const std::string clean = write_temp("clean", "data: fine\n\n");
    const run_result ok = run("--validate " + clean);
    EXPECT_EQ(ok.exit_code, 0);
    EXPECT_EQ(ok.out, "");

    const std::string bad = write_temp("bad", "retry: soon\ndata: \xff\n\n");
    const run_result r = run("--validate --chunk 1 " + bad);
    EXPECT_EQ(r.exit_code, 1) << "invalid UTF-8 is an error-severity observation";
    ASSERT_NE(r.out.find("\"code\":\"retry-not-digits\""), std::string::npos) << r.out;
    ASSERT_NE(r.out.find("\"code\":\"invalid-utf8\""), std::string::npos) << r.out;
    ASSERT_NE(r.out.find("\"severity\":\"error\""), std::string::npos) << r.out;
}

TEST(sse_parse, comments_are_printed_only_when_asked) {
    const std::string file = write_temp("comments", ": hi\ndata: x\n\n");
    EXPECT_EQ(run(file).out, "{\"type\":\"message\",\"data\":\"x\",\"id\":\"\"}\n");
    EXPECT_EQ(run("--comments " + file).out,
              "{\"comment\":\" hi\"}\n{\"type\":\"message\",\"data\":\"x\",\"id\":\"\"}\n");
}

TEST(sse_parse, usage_errors_exit_2_and_help_exits_0) {
    EXPECT_EQ(run("--chunk 0 /dev/null").exit_code, 2);
    EXPECT_EQ(run("--chunk x /dev/null").exit_code, 2);
    EXPECT_EQ(run("--no-such-flag").exit_code, 2);
    EXPECT_EQ(run("/no/such/file").exit_code, 2);
    EXPECT_EQ(run("--count --validate /dev/null").exit_code, 2);
    const run_result help = run("--help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("usage: sse-parse"), std::string::npos);
}

}  // namespace
