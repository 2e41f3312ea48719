// The scenario server: scripted responses in order, held until armed, callbacks reordered.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "scenario_server.hpp"

namespace sse::conformance::client {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;
using namespace std::chrono_literals;

// One request on its own connection; returns the whole response (head and body) as received
// until the server closes, or until `limit` bytes. Bounded by a 10 s hang guard.
std::string fetch(const std::string& port, const std::string& head, std::size_t limit = 1 << 16) {
    boost::asio::io_context io;
    beast::tcp_stream s(io);
    s.expires_after(10s);
    s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), std::uint16_t(std::stoi(port))));
    boost::asio::write(s, boost::asio::buffer(head));
    std::string out;
    char buf[4096];
    beast::error_code ec;
    while (out.size() < limit) {
        std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
        out.append(buf, n);
        if (ec) break;
    }
    return out;
}

std::string port_of(const scenario_server& server) {
    std::string url = server.base_url();
    return url.substr(url.rfind(':') + 1);
}

response_step step(std::vector<std::string> chunks, body_end end) {
    response_step s;
    s.chunks = std::move(chunks);
    s.end = end;
    return s;
}

TEST(ScenarioServer, PlaysStepsInOrderAndRecordsRequests) {
    scenario_server server;
    scenario s;
    s.steps = {step({"data: a\n", "\n"}, body_end::clean)};
    response_step plain = step({"data: b\n\n"}, body_end::clean);
    plain.chunked = false;
    plain.content_type = "text/plain";
    s.steps.push_back(plain);
    int id = server.add(s);
    server.arm(id);
    const std::string port = port_of(server);
    std::string first = fetch(port, "GET /scenario/" + std::to_string(id) + "/x HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_NE(first.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
    EXPECT_NE(first.find("Transfer-Encoding: chunked"), std::string::npos);
    EXPECT_NE(first.find("8\r\ndata: a\n\r\n1\r\n\n\r\n0\r\n\r\n"), std::string::npos);
    std::string second = fetch(port, "GET /scenario/" + std::to_string(id) +
                                         "/x HTTP/1.1\r\nHost: h\r\nLast-Event-ID: 7\r\n\r\n");
    EXPECT_NE(second.find("Content-Type: text/plain"), std::string::npos);
    EXPECT_EQ(second.substr(second.size() - 9), "data: b\n\n");
    std::string third = fetch(port, "GET /scenario/" + std::to_string(id) + "/x HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(third.rfind("HTTP/1.1 204", 0), 0u);

    scenario_state st = server.state(id);
    ASSERT_EQ(st.requests.size(), 3u);
    EXPECT_FALSE(st.requests[0].last_event_id.has_value());
    EXPECT_EQ(st.requests[1].last_event_id, std::optional<std::string>("7"));
    EXPECT_FALSE(st.requests[1].beyond_script);
    EXPECT_TRUE(st.requests[2].beyond_script);
}

TEST(ScenarioServer, HoldsTheResponseUntilArmed) {
    scenario_server server;
    scenario s;
    s.steps = {step({"data: a\n\n"}, body_end::clean)};
    int id = server.add(s);
    std::string got;
    std::atomic<bool> answered{false};
    std::thread client([&] {
        got = fetch(port_of(server), "GET /scenario/" + std::to_string(id) + "/ HTTP/1.1\r\n\r\n");
        answered = true;
    });
    // The request arrives, but nothing is answered before arm().
    auto st = server.wait_until(id, [](const scenario_state& x) { return !x.requests.empty(); },
                                std::chrono::steady_clock::now() + 10s);
    ASSERT_EQ(st.requests.size(), 1u);
    std::this_thread::sleep_for(50ms);  // a wrong early answer would (usually) have arrived by now
    EXPECT_FALSE(answered);
    server.arm(id);
    client.join();
    EXPECT_NE(got.find("data: a"), std::string::npos);
}

TEST(ScenarioServer, ReordersCallbacksAndReportsDuplicates) {
    scenario_server server;
    int id = server.add({});
    const std::string port = port_of(server);
    auto post = [&](int n, const std::string& body) {
        std::string r = fetch(port, "POST /callback/" + std::to_string(id) + "/" + std::to_string(n) +
                                        " HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: " +
                                        std::to_string(body.size()) + "\r\n\r\n" + body);
        EXPECT_EQ(r.rfind("HTTP/1.1 202", 0), 0u) << r;
    };
    post(2, "{\"kind\":\"error\"}");
    EXPECT_TRUE(server.state(id).callbacks.empty());  // 1 has not arrived: nothing usable yet
    post(1, "{\"kind\":\"open\"}");
    post(1, "{\"kind\":\"open\"}");
    scenario_state st = server.state(id);
    ASSERT_EQ(st.callbacks.size(), 2u);
    EXPECT_EQ(st.callbacks[0], "{\"kind\":\"open\"}");
    EXPECT_EQ(st.callbacks[1], "{\"kind\":\"error\"}");
    ASSERT_EQ(st.callback_problems.size(), 1u);
    EXPECT_NE(st.callback_problems[0].find("sent twice"), std::string::npos);
}

TEST(ScenarioServer, FinishReleasesHeldConnections) {
    scenario_server server;
    scenario s;
    s.steps = {step({"data: a\n\n"}, body_end::hold)};
    int id = server.add(s);
    server.arm(id);
    std::string got;
    std::thread client([&] { got = fetch(port_of(server), "GET /scenario/" + std::to_string(id) + "/ HTTP/1.1\r\n\r\n"); });
    server.wait_until(id, [](const scenario_state& x) { return !x.requests.empty(); },
                      std::chrono::steady_clock::now() + 10s);
    server.finish(id);
    client.join();  // returns only because finish() closed the held connection
    EXPECT_NE(got.find("data: a"), std::string::npos);
    EXPECT_EQ(got.find("0\r\n\r\n"), std::string::npos);  // held, then closed: no terminator
}

TEST(ScenarioServer, OtherPathsAre404) {
    scenario_server server;
    std::string r = fetch(port_of(server), "GET /favicon.ico HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(r.rfind("HTTP/1.1 404", 0), 0u);
}

}  // namespace
}  // namespace sse::conformance::client
