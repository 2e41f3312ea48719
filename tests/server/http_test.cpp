// HTTP hygiene: every malformed-request class gets its 4xx and the server stays up.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "server_fixture.hpp"

namespace {

using namespace sse::test;
using http_test = server_fixture;

void expect_still_up(std::uint16_t port) {
    const auto r = http_request(port, "GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
}

TEST_F(http_test, healthz_and_metrics) {
    start();
    const auto h = http_request(port(), "GET", "/healthz");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    EXPECT_EQ(h->body, "ok\n");
    server->publish("news", "x");
    const auto m = http_request(port(), "GET", "/metrics");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->status, 200);
    EXPECT_NE(m->header("content-type").find("version=0.0.4"), std::string::npos);
    for (const char* name : {"sse_connections_open ", "sse_subscribers ", "sse_events_published_total 1",
                             "sse_events_delivered_total ", "sse_stream_bytes_sent_total ",
                             "sse_slow_client_drops_total ", "sse_replay_hits_total ",
                             "sse_replay_misses_total ", "sse_topic_subscribers{topic=\"news\"} 0"})
        EXPECT_NE(m->body.find(name), std::string::npos) << name;
}

TEST_F(http_test, head_and_options) {
    start();
    const auto head = http_request(port(), "HEAD", "/healthz");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->header("content-length"), "3");
    EXPECT_TRUE(head->body.empty());

    const auto head_events = http_request(port(), "HEAD", "/events?topic=a");
    ASSERT_TRUE(head_events);
    EXPECT_EQ(head_events->status, 200);
    EXPECT_EQ(head_events->header("content-type"), "text/event-stream");
    EXPECT_EQ(server->stats().subscribers.load(), 0u);

    const auto opt = http_request(port(), "OPTIONS", "/publish");
    ASSERT_TRUE(opt);
    EXPECT_EQ(opt->status, 204);
    EXPECT_EQ(opt->header("allow"), "POST, OPTIONS");
    const auto star = http_request(port(), "OPTIONS", "*");
    ASSERT_TRUE(star);
    EXPECT_EQ(star->status, 204);
}

TEST_F(http_test, keep_alive_serves_several_requests_on_one_connection) {
    start();
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string post =
        "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 14\r\n\r\ntopic=a&data=x";
    const auto replies = http_pipeline(port(), {get, post, get});
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0].status, 200);
    EXPECT_EQ(replies[1].status, 200);
    EXPECT_EQ(replies[2].status, 200);
    EXPECT_EQ(server->stats().connections_total.load(), 1u);
}

TEST_F(http_test, not_found_and_method_not_allowed) {
    start();
    const auto nf = http_request(port(), "GET", "/nope");
    ASSERT_TRUE(nf);
    EXPECT_EQ(nf->status, 404);
    const auto get_publish = http_request(port(), "GET", "/publish");
    ASSERT_TRUE(get_publish);
    EXPECT_EQ(get_publish->status, 405);
    EXPECT_EQ(get_publish->header("allow"), "POST, OPTIONS");
    const auto post_events = http_request(port(), "POST", "/events?topic=a", {}, "x");
    ASSERT_TRUE(post_events);
    EXPECT_EQ(post_events->status, 405);
    EXPECT_EQ(post_events->header("allow"), "GET, HEAD, OPTIONS");
    expect_still_up(port());
}

TEST_F(http_test, bad_requests_are_400) {
    start();
    for (const std::string& raw : {std::string("GARBAGE\r\n\r\n"),
                                  std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
                                  std::string("GET / HTTP/9.9\r\n\r\n")}) {
        const auto r = http_raw(port(), raw);
        ASSERT_TRUE(r) << raw;
        EXPECT_EQ(r->status, 400) << raw;
    }
    for (const char* target : {"/events", "/events?topic=", "/events?topic=%zz"}) {
        const auto r = http_request(port(), "GET", target);
        ASSERT_TRUE(r) << target;
        EXPECT_EQ(r->status, 400) << target;
    }
    const std::pair<std::string, std::string> json{"Content-Type", "application/json"};
    for (const char* body : {"{", "[]", R"({"data":"no topic"})", R"({"topic":1})",
                                   R"({"topic":"a","type":"two\nlines","data":"x"})"}) {
        const auto r = http_request(port(), "POST", "/publish", {json}, body);
        ASSERT_TRUE(r) << body;
        EXPECT_EQ(r->status, 400) << body;
    }
    const auto r = http_request(port(), "POST", "/publish", {{"Content-Type", "text/plain"}}, "x");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 415);
    EXPECT_EQ(server->stats().events_published.load(), 0u);
    expect_still_up(port());
}

TEST_F(http_test, limits_give_413_414_and_431) {
    sse::server::config c = test_config();
    c.max_body_size = 1024;
    c.max_header_size = 2048;
    c.max_target_size = 256;
    start(c);
    const auto big_body = http_request(port(), "POST", "/publish",
                                       {{"Content-Type", "application/x-www-form-urlencoded"}},
                                       "topic=a&data=" + std::string(2000, 'x'));
    ASSERT_TRUE(big_body);
    EXPECT_EQ(big_body->status, 413);

    const auto long_target = http_request(port(), "GET", "/events?topic=" + std::string(500, 'a'));
    ASSERT_TRUE(long_target);
    EXPECT_EQ(long_target->status, 414);

    const auto big_header = http_request(port(), "GET", "/healthz", {{"X-Big", std::string(4000, 'h')}});
    ASSERT_TRUE(big_header);
    EXPECT_EQ(big_header->status, 431);

    EXPECT_EQ(server->stats().events_published.load(), 0u);
    expect_still_up(port());
}

TEST_F(http_test, expect_100_continue_gets_the_interim_response_before_the_body) {
    start();
    event_stream conn;
    ASSERT_TRUE(conn.connect(port()));
    const std::string body = "topic=a&data=" + std::string(2000, 'x');
    ASSERT_TRUE(conn.send("POST /publish HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
    ASSERT_TRUE(conn.wait_raw("HTTP/1.1 100 Continue\r\n\r\n"));
    EXPECT_EQ(server->stats().events_published.load(), 0u);
    ASSERT_TRUE(conn.send(body));
    ASSERT_TRUE(conn.wait_raw("{\"id\":\"1\"}"));
    EXPECT_EQ(conn.raw().find("HTTP/1.1 200 OK"), conn.raw().find("\r\n\r\n") + 4);
}

TEST_F(http_test, cors_allows_listed_origins_only) {
    sse::server::config c = test_config();
    c.cors_origins = {"https://app.example"};
    start(c);
    const auto pre = http_request(port(), "OPTIONS", "/publish",
                                  {{"Origin", "https://app.example"},
                                   {"Access-Control-Request-Method", "POST"},
                                   {"Access-Control-Request-Headers", "authorization"}});
    ASSERT_TRUE(pre);
    EXPECT_EQ(pre->status, 204);
    EXPECT_EQ(pre->header("access-control-allow-origin"), "https://app.example");
    EXPECT_EQ(pre->header("access-control-allow-methods"), "POST, OPTIONS");
    EXPECT_NE(pre->header("access-control-allow-headers").find("Authorization"), std::string::npos);
    EXPECT_EQ(pre->header("vary"), "Origin");

    const auto other = http_request(port(), "GET", "/healthz", {{"Origin", "https://evil.example"}});
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 200);
    EXPECT_FALSE(other->has("access-control-allow-origin"));
    EXPECT_EQ(other->header("vary"), "Origin");

    event_stream allowed, refused;
    ASSERT_TRUE(allowed.open(port(), "/events?topic=a", {{"Origin", "https://app.example"}}));
    EXPECT_EQ(allowed.head().header("access-control-allow-origin"), "https://app.example");
    ASSERT_TRUE(refused.open(port(), "/events?topic=a", {{"Origin", "https://evil.example"}}));
    EXPECT_FALSE(refused.head().has("access-control-allow-origin"));
    // Both streams work: CORS is enforced by the browser, the head only tells it what to allow.
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 2; }));
    server->publish("a", "x");
    EXPECT_TRUE(allowed.wait_events(1));
    EXPECT_TRUE(refused.wait_events(1));
}

TEST_F(http_test, without_cors_configured_no_cors_headers_are_sent) {
    start();
    const auto r = http_request(port(), "GET", "/healthz", {{"Origin", "https://app.example"}});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has("access-control-allow-origin"));
    EXPECT_FALSE(r->has("vary"));
}

TEST_F(http_test, static_files_with_mime_types_and_no_way_out_of_the_root) {
    namespace fs = std::filesystem;
    const fs::path base = fs::temp_directory_path() /
                          ("sse-static-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                           "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(base / "www" / "sub");
    const auto write = [](const fs::path& p, const std::string& text) {
        std::ofstream(p, std::ios::binary) << text;
    };
    write(base / "www" / "index.html", "<h1>demo</h1>");
    write(base / "www" / "sub" / "m.wasm", std::string("\0asm", 4));
    write(base / "www" / "a+b c.js", "js");
    write(base / "secret.txt", "do not serve");
    fs::create_symlink(base / "secret.txt", base / "www" / "link.txt");

    sse::server::config c = test_config();
    c.static_dir = (base / "www").string();
    start(c);
    const auto get = [&](const std::string& target) { return http_request(port(), "GET", target); };

    const auto index = get("/");
    ASSERT_TRUE(index);
    EXPECT_EQ(index->status, 200);
    EXPECT_EQ(index->body, "<h1>demo</h1>");
    EXPECT_EQ(index->header("content-type"), "text/html; charset=utf-8");
    const auto wasm = get("/sub/m.wasm");
    ASSERT_TRUE(wasm);
    EXPECT_EQ(wasm->status, 200);
    EXPECT_EQ(wasm->header("content-type"), "application/wasm");
    EXPECT_EQ(wasm->body.size(), 4u);
    const auto encoded = get("/a+b%20c.js");
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->status, 200);
    EXPECT_EQ(encoded->body, "js");

    for (const char* escape : {"/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                               "/sub/%2E%2E/%2e%2e/secret.txt", "/..%2fsecret.txt",
                               "/sub/..\\..\\secret.txt", "/link.txt", "/index.html%00.txt",
                               "/missing.html", "/sub"}) {
        const auto r = get(escape);
        ASSERT_TRUE(r) << escape;
        EXPECT_EQ(r->status, 404) << escape;
        EXPECT_EQ(r->body.find("do not serve"), std::string::npos) << escape;
    }
    // The API routes win over files.
    const auto health = get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->body, "ok\n");
    std::error_code ignored;
    fs::remove_all(base, ignored);
}

}  // namespace
