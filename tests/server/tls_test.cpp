// The in-process server over TLS: every route works unchanged over https (streams, publish,
// resume, conformance routes, static files, keep-alive), TLS 1.1 is refused, plain HTTP on the TLS
// port gets a readable 400, a handshake that never completes is timed out, slow readers and big
// events go through the TLS write path intact, streams end with close_notify, plain and TLS
// listeners share one hub, and a reload changes the certificate of new connections only.
#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "server_fixture.hpp"
#include "test_client.hpp"

namespace {

using namespace sse::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string tls_file(const std::string& name) { return std::string(SSE_TEST_TLS_DIR) + "/" + name; }

const std::vector<std::pair<std::string, std::string>> form = {
    {"Content-Type", "application/x-www-form-urlencoded"}};

// A directory of its own under the temp dir, removed with the object.
struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() /
               ("sse-tls-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

struct tls_test : server_fixture {
    /// The test CA, verified against "localhost".
    static tls_options trusted() {
        tls_options t;
        t.ca_file = tls_file("ca.pem");
        return t;
    }
    /// The server certificate (a chain file) and its key, HTTPS on the one port.
    static sse::server::config tls_config() {
        sse::server::config c = test_config();
        c.tls_cert_file = tls_file("server-chain.pem");
        c.tls_key_file = tls_file("server.key");
        return c;
    }
    event_stream& open_stream(event_stream& s, const std::string& target,
                              const std::vector<std::pair<std::string, std::string>>& headers = {},
                              std::optional<int> receive_buffer = std::nullopt) {
        s.use_tls(trusted());
        EXPECT_TRUE(s.open(port(), target, headers, receive_buffer));
        return s;
    }
    std::optional<http_reply> publish(const std::string& body) {
        return https_request(port(), trusted(), "POST", "/publish", form, body);
    }
};

TEST_F(tls_test, a_stream_publish_and_a_resume_work_over_https) {
    start(tls_config());
    EXPECT_EQ(server->tls_port(), port());
    event_stream s;
    open_stream(s, "/events?topic=t");
    EXPECT_EQ(s.status(), 200);
    EXPECT_EQ(s.head().header("content-type"), "text/event-stream");
    const auto one = publish("topic=t&data=one");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->status, 200);
    ASSERT_TRUE(s.wait_events(1));
    EXPECT_EQ(s.events()[0].data, "one");
    const std::string id = s.events()[0].id;
    s.close();
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 0; }));

    ASSERT_TRUE(publish("topic=t&data=two"));
    event_stream again;
    open_stream(again, "/events?topic=t", {{"Last-Event-ID", id}});
    ASSERT_TRUE(again.wait_events(1));
    EXPECT_EQ(again.events()[0].data, "two");
    EXPECT_EQ(server->stats().replay_hits.load(), 1u);
}

TEST_F(tls_test, conformance_routes_send_their_exact_bytes_and_end_with_close_notify) {
    start(tls_config());
    // https_request() takes a body that runs to the connection's end only after a close_notify.
    const auto count = https_request(port(), trusted(), "GET", "/conformance/count?n=3");
    ASSERT_TRUE(count);
    EXPECT_EQ(count->body, "id: 1\ndata: 1\n\nid: 2\ndata: 2\n\nid: 3\ndata: 3\n\n");
    // One byte per write: one TLS record each.
    const auto raw = https_request(port(), trusted(), "GET",
                                   "/conformance/raw?bytes=ZGF0YTogYQ0KDQo&chunk=1");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->body, "data: a\r\n\r\n");
    const auto echo = https_request(port(), trusted(), "POST", "/conformance/echo",
                                    {{"Content-Type", "application/json"}},
                                    R"([{"event":"x","data":"y"},{"comment":" c"}])");
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->body, "event: x\ndata: y\n\n: c\n");

    event_stream held;
    open_stream(held, "/conformance/count?n=2&then=hold");
    ASSERT_TRUE(held.wait_events(2));
    server->stop();  // the goodbye comment, then close_notify
    ASSERT_TRUE(held.wait_closed());
    ASSERT_FALSE(held.comments().empty());
    EXPECT_EQ(held.comments().back(), " server shutting down");
    EXPECT_TRUE(held.tls_closed_cleanly());
}

TEST_F(tls_test, static_files_health_and_metrics_share_a_keep_alive_connection) {
    temp_dir dir;
    std::ofstream(dir.file("index.html")) << "<h1>over tls</h1>";
    sse::server::config c = tls_config();
    c.static_dir = dir.path.string();
    start(c);
    const std::string keep = " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    const auto replies = https_pipeline(port(), trusted(),
                                        {"GET /" + keep, "GET /healthz" + keep, "GET /metrics" + keep});
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0].body, "<h1>over tls</h1>");
    EXPECT_EQ(replies[0].header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(replies[1].body, "ok\n");
    EXPECT_NE(replies[2].body.find("sse_tls_handshake_failures_total 0\n"), std::string::npos);
}

TEST_F(tls_test, tls_1_1_and_1_0_are_refused_while_1_2_and_1_3_are_served) {
    start(tls_config());
    tls_options old = trusted();
    old.legacy = true;  // the client can offer them: the refusal below is the server's
    for (const int version : {TLS1_VERSION, TLS1_1_VERSION}) {
        old.min_version = old.max_version = version;
        const tls_handshake h = tls_probe(port(), old);
        EXPECT_FALSE(h.ok) << version;
        EXPECT_NE(h.error.find("alert protocol version"), std::string::npos) << h.error;
    }
    old.max_version = TLS1_2_VERSION;
    const tls_handshake v12 = tls_probe(port(), old);
    ASSERT_TRUE(v12.ok) << v12.error;
    EXPECT_EQ(v12.version, "TLSv1.2");
    const tls_handshake v13 = tls_probe(port(), trusted());
    ASSERT_TRUE(v13.ok) << v13.error;
    EXPECT_EQ(v13.version, "TLSv1.3");
    EXPECT_EQ(v13.peer_sha256, pem_sha256(tls_file("server.pem")));
    EXPECT_EQ(server->stats().tls_handshake_failures.load(), 2u);
}

TEST_F(tls_test, plain_http_on_the_tls_port_gets_a_readable_400_and_a_close) {
    start(tls_config());
    const auto r = http_request(port(), "GET", "/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->body, "this port speaks HTTPS: use an https:// URL\n");
    EXPECT_EQ(r->header("connection"), "close");
    // A request split over several writes: the rest is read and dropped, the answer still arrives.
    event_stream slow;
    ASSERT_TRUE(slow.connect(port()));
    ASSERT_TRUE(slow.send("GET /events?topic=t HTTP/1.1\r\n"));
    ASSERT_TRUE(slow.wait_raw("HTTP/1.1 400 Bad Request"));
    ASSERT_TRUE(slow.send("Host: localhost\r\n\r\n"));
    EXPECT_TRUE(slow.wait_closed());
    slow.close();  // the server drops what it still reads until the client leaves
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
    EXPECT_EQ(server->stats().tls_handshake_failures.load(), 2u);
    const auto ok = https_request(port(), trusted(), "GET", "/healthz");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
}

TEST_F(tls_test, a_handshake_that_never_completes_is_closed_by_the_request_timeout) {
    sse::server::config c = tls_config();
    c.request_timeout = 300ms;
    start(c);
    event_stream silent, partial;
    ASSERT_TRUE(silent.connect(port()));  // TCP only: no ClientHello ever
    ASSERT_TRUE(partial.connect(port()));
    ASSERT_TRUE(partial.send(std::string("\x16\x03\x01\x02\x00", 5)));  // a record header, no body
    // The bound is the request timeout; 10 s is only the test's hang guard.
    EXPECT_TRUE(silent.wait_closed(10s));
    EXPECT_TRUE(partial.wait_closed(10s));
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
    EXPECT_EQ(server->stats().tls_handshake_failures.load(), 2u);
}

TEST_F(tls_test, a_slow_reader_gets_small_and_record_sized_events_complete_and_in_order) {
    start(tls_config());
    event_stream s;
    open_stream(s, "/events?topic=t", {}, 4096);  // a small window: writes go asynchronous
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    // Many small frames per write (coalesced into records), frames larger than a record (sent
    // in pieces), and writes the socket cannot take at once.
    std::vector<std::string> sent;
    for (int i = 0; i < 400; ++i) {
        std::string data = std::to_string(i) + ":" + std::string(static_cast<std::size_t>(i % 7) * 300, 'y');
        if (i % 100 == 50) data += std::string(100'000, 'x');
        ASSERT_FALSE(server->publish("t", data).error);
        sent.push_back(std::move(data));
    }
    ASSERT_TRUE(s.wait_events(sent.size(), 30s));
    const auto events = s.events();
    ASSERT_EQ(events.size(), sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(events[i].data, sent[i]) << i;
    EXPECT_EQ(server->stats().slow_client_drops.load(), 0u);
}

TEST_F(tls_test, a_tls_peer_that_stops_reading_is_closed_by_the_write_timeout) {
    sse::server::config c = tls_config();
    c.queue_budget = std::size_t{256} << 20;  // the budget must not be what ends it
    c.write_timeout = 200ms;
    start(c);
    event_stream dead;
    open_stream(dead, "/events?topic=t", {}, 4096);  // then never reads
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    expect_the_write_timeout_to_close_the_stalled_subscriber();
}

TEST_F(tls_test, a_peer_that_leaves_is_noticed_while_idle) {
    start(tls_config());
    event_stream s;
    open_stream(s, "/events?topic=t");
    ASSERT_TRUE(eventually([&] { return server->stats().subscribers.load() == 1; }));
    s.close();  // TCP close, no close_notify
    EXPECT_TRUE(eventually([&] { return server->stats().subscribers.load() == 0; }));
    EXPECT_TRUE(eventually([&] { return server->stats().connections_open.load() == 0; }));
}

TEST_F(tls_test, plain_and_tls_listeners_share_one_hub) {
    sse::server::config c = tls_config();
    c.tls_port = 0;
    start(c);
    ASSERT_NE(server->tls_port(), 0);
    ASSERT_NE(server->tls_port(), port());
    event_stream plain, secure;
    ASSERT_TRUE(plain.open(port(), "/events?topic=t"));
    secure.use_tls(trusted());
    ASSERT_TRUE(secure.open(server->tls_port(), "/events?topic=t"));
    const auto r = http_request(port(), "POST", "/publish", form, "topic=t&data=both");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    ASSERT_TRUE(plain.wait_events(1));
    ASSERT_TRUE(secure.wait_events(1));
    EXPECT_EQ(plain.events()[0].data, "both");
    EXPECT_EQ(secure.events()[0].data, "both");
    // Each port speaks only its own protocol.
    EXPECT_FALSE(tls_probe(port(), trusted()).ok);
    const auto wrong = http_request(server->tls_port(), "GET", "/healthz");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 400);
}

TEST_F(tls_test, a_reload_serves_the_new_certificate_to_new_connections_only) {
    temp_dir dir;
    const std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
    fs::copy_file(tls_file("server-chain.pem"), cert);
    fs::copy_file(tls_file("server.key"), key);
    // Shared with the sink: the server outlives this function's locals (the fixture stops it).
    auto log = std::make_shared<std::string>();
    sse::server::config c = tls_config();
    c.tls_cert_file = cert;
    c.tls_key_file = key;
    c.logging.sink = [log](std::string_view line) { *log += line; };
    start(c);
    event_stream before;
    open_stream(before, "/events?topic=t");
    tls_options any;  // no verification: the fingerprint is what is compared
    EXPECT_EQ(tls_probe(port(), any).peer_sha256, pem_sha256(tls_file("server.pem")));

    fs::copy_file(tls_file("wrongname.pem"), cert, fs::copy_options::overwrite_existing);
    fs::copy_file(tls_file("wrongname.key"), key, fs::copy_options::overwrite_existing);
    ASSERT_FALSE(server->reload_tls());
    EXPECT_EQ(tls_probe(port(), any).peer_sha256, pem_sha256(tls_file("wrongname.pem")));
    server->publish("t", "after reload");
    ASSERT_TRUE(before.wait_events(1));
    EXPECT_EQ(before.events()[0].data, "after reload");

    std::ofstream(cert, std::ios::trunc) << "not a certificate\n";
    EXPECT_EQ(server->reload_tls(), sse::server::tls_errc::bad_certificate);
    EXPECT_NE(log->find("msg=\"tls reload failed\""), std::string::npos) << *log;
    EXPECT_EQ(tls_probe(port(), any).peer_sha256, pem_sha256(tls_file("wrongname.pem")));
    server->publish("t", "after a failed reload");
    ASSERT_TRUE(before.wait_events(2));
    EXPECT_EQ(before.events()[1].data, "after a failed reload");
}

TEST_F(tls_test, start_refuses_bad_tls_files_with_an_error_that_names_the_file) {
    struct bad_case {
        std::string cert, key;
        sse::server::tls_errc expected;
        std::string in_log;
    };
    temp_dir dir;
    std::ofstream(dir.file("garbage.pem")) << "-----BEGIN NOTHING-----\n";
    const std::vector<bad_case> cases = {
        {dir.file("missing.pem"), tls_file("server.key"), sse::server::tls_errc::cert_unreadable,
         "cannot read the TLS certificate file '" + dir.file("missing.pem") + "'"},
        {tls_file("server.pem"), dir.file("missing.key"), sse::server::tls_errc::key_unreadable,
         "cannot read the TLS private key file"},
        {dir.file("garbage.pem"), tls_file("server.key"), sse::server::tls_errc::bad_certificate,
         "no usable PEM certificate in"},
        {tls_file("server.pem"), dir.file("garbage.pem"), sse::server::tls_errc::bad_key,
         "no usable PEM private key in"},
        {tls_file("server.pem"), tls_file("wrongname.key"), sse::server::tls_errc::key_mismatch,
         "does not match the certificate"},
        // The CA first in the file: its key is not the one given.
        {tls_file("ca.pem"), tls_file("server.key"), sse::server::tls_errc::key_mismatch,
         "server's own certificate first"},
    };
    for (const bad_case& b : cases) {
        std::string log;
        sse::server::config c = test_config();
        c.tls_cert_file = b.cert;
        c.tls_key_file = b.key;
        c.logging.sink = [&log](std::string_view line) { log += line; };
        sse::server::server s(c);
        EXPECT_EQ(s.start(), b.expected) << b.cert << " " << b.key;
        EXPECT_NE(log.find(b.in_log), std::string::npos) << log;
        EXPECT_EQ(s.port(), 0);
    }
}

}  // namespace
