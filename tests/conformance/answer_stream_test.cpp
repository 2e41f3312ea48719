// answer_stream (the LLM profiles' one answer) against a server that never ends its stream and
// writes as fast as it can: reading stops at the body cap, and the events, the event: fields and
// the body all describe the same bytes.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "answer_stream.hpp"
#include "http_probe.hpp"
#include "server_session.hpp"

namespace sse::conformance {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Answers one connection with a text/event-stream head and then `event: x` / JSON data frames as
// fast as the socket takes them, and never ends the stream.
class endless_server {
public:
    endless_server() : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~endless_server() {
        boost::system::error_code ec;
        acceptor_.close(ec);
        thread_.join();
    }
    unsigned short port() const { return acceptor_.local_endpoint().port(); }

private:
    void serve() {
        boost::system::error_code ec;
        tcp::socket s(io_);
        acceptor_.accept(s, ec);
        if (ec) return;
        char request[4096];
        (void)s.read_some(asio::buffer(request), ec);
        asio::write(s, asio::buffer(std::string("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                                "Connection: close\r\n\r\n")), ec);
        const std::string frame = "event: x\ndata: {\"type\":\"x\",\"text\":\"" + std::string(100, 'a') + "\"}\n\n";
        std::string batch;
        for (int i = 0; i < 40; ++i) batch += frame;
        // 4 MiB, far past the cap, then the stream stays open until the client closes it: without
        // the cap the reader would parse all of it and wait for --timeout (bounded, so a regression
        // fails the test instead of exhausting memory).
        for (std::size_t sent = 0; !ec && sent < 4 * 1024 * 1024; sent += batch.size()) asio::write(s, asio::buffer(batch), ec);
        (void)s.read_some(asio::buffer(request), ec);  // returns when the client closes
    }

    asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

TEST(answer_stream, stops_reading_an_endless_answer_at_the_body_cap) {
    endless_server server;
    server_session s;
    ASSERT_FALSE(net::parse_url("http://127.0.0.1:" + std::to_string(server.port()) + "/v1/stream", s.stream));
    s.timeout = std::chrono::milliseconds(5000);  // the cap, not this, must end the read
    const auto a = read_answer(s);
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_TRUE(a.truncated);
    EXPECT_FALSE(a.cap.ended);
    EXPECT_FALSE(a.cap.stalled);
    EXPECT_GE(a.cap.body.size(), http_probe::max_raw);
    // Every event parsed came from the body kept: as many events as complete frames in the body.
    std::size_t frames = 0;
    for (std::size_t at = 0; (at = a.cap.body.find("\n\n", at)) != std::string::npos; at += 2) ++frames;
    EXPECT_EQ(a.events.size(), frames);
    std::size_t fields = 0;
    for (std::size_t at = 0; (at = a.cap.body.find("event: x\n", at)) != std::string::npos; at += 9) ++fields;
    EXPECT_EQ(a.event_fields.size(), fields);
    EXPECT_GE(a.event_fields.size(), a.events.size());
    EXPECT_LE(a.event_fields.size(), a.events.size() + 1);  // at most the cut frame's
    EXPECT_TRUE(a.cap.events.empty());  // moved into a.events, not copied
    EXPECT_EQ(cap_note(a).find("; graded on the first 256 KiB"), 0u) << cap_note(a);
}

}  // namespace
}  // namespace sse::conformance
