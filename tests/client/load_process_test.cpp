// sse-load as a process against the in-process sse-server: every published event reaches every
// subscriber (counts, not timings), and a subscribe URL that does not stream is counted as errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "server_fixture.hpp"

namespace {

// Runs sse-load with `args` and returns its --json report (null on failure).
nlohmann::json run_load(const std::string& args) {
    const std::string command = std::string(SSE_LOAD_BINARY) + " --quiet --json " + args + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return nullptr;
    std::string out;
    char buf[4096];
    while (const auto n = std::fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
    const auto start = out.find('{');
    auto j = nlohmann::json::parse(start == std::string::npos ? std::string() : out.substr(start), nullptr, false);
    if (j.is_discarded()) ADD_FAILURE() << "sse-load printed no report:\n" << out;
    return j.is_discarded() ? nlohmann::json() : j;
}

struct LoadProcess : sse::test::server_fixture {
    void SetUp() override { start(); }
    std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
};

TEST_F(LoadProcess, EveryPublishedEventReachesEverySubscriber) {
    const auto j = run_load("--url '" + origin() + "/events?topic=load' --publish-url " + origin() +
                            "/publish --connections 20 --rate 20 --duration 1 --drain 2");
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["connections"]["open_at_end"], 20);
    EXPECT_GT(j["publish"]["published"].get<int>(), 0);
    EXPECT_EQ(j["deliveries"]["total"], j["deliveries"]["expected"]);
    EXPECT_EQ(j["deliveries"]["untimed"], 0);
    for (const char* e : {"closed", "connect", "parse", "status"}) EXPECT_EQ(j["errors"][e], 0) << e;
}

TEST_F(LoadProcess, AStreamThatIsNotThereIsAStatusError) {
    const auto j = run_load("--url '" + origin() + "/no-such-route' --idle --connections 5 --duration 0.5 --drain 0");
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j["errors"]["status"], 5);
    EXPECT_EQ(j["connections"]["open_at_end"], 0);
}

}  // namespace
