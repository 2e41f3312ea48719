// sse::net::h2_session against a minimal nghttp2 server session, sans-I/O: the bytes each side
// writes are handed to the other in memory, no sockets, no clocks. Heads, bodies, END_STREAM,
// RST_STREAM, GOAWAY, many streams, flow control past the default window, HTTP/2's forbidden
// connection-specific fields (reset unless lenient) and the server's concurrent-stream limit.
#include <gtest/gtest.h>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sse/net/error.hpp"
#include "sse/net/h2_session.hpp"

namespace {

namespace net = sse::net;

// What a stream handler heard.
struct recorder final : net::h2_session::stream_handler {
    std::optional<net::response_head> head;
    std::string body;
    std::optional<std::uint32_t> closed;
    std::optional<net::h2_session::closed_by> by;
    int closes = 0;
    std::size_t stop_after = SIZE_MAX;  // on_body returns false once body reaches this size
    void on_head(net::response_head& h) override { head = h; }
    bool on_body(std::string_view b) override {
        EXPECT_FALSE(closed) << "body after close";
        body.append(b);
        return body.size() < stop_after;
    }
    void on_close(std::uint32_t code, net::h2_session::closed_by who) override {
        closed = code;
        by = who;
        ++closes;
    }
};

// A minimal HTTP/2 server: records requests, answers when the test says so.
class test_server {
public:
    struct request {
        std::map<std::string, std::string> fields;  // pseudo-headers included
        std::vector<std::string> names;             // in order
        std::string body;
        bool complete = false;
        std::optional<std::uint32_t> reset_code;    // RST_STREAM received
    };

    explicit test_server(std::vector<nghttp2_settings_entry> settings = {}) {
        nghttp2_session_callbacks* cb = nullptr;
        nghttp2_session_callbacks_new(&cb);
        nghttp2_session_callbacks_set_on_begin_headers_callback(cb, [](nghttp2_session*, const nghttp2_frame* f, void* u) {
            static_cast<test_server*>(u)->requests[f->hd.stream_id];
            return 0;
        });
        nghttp2_session_callbacks_set_on_header_callback(
            cb, [](nghttp2_session*, const nghttp2_frame* f, const uint8_t* n, size_t nl, const uint8_t* v, size_t vl,
                   uint8_t, void* u) {
                auto& r = static_cast<test_server*>(u)->requests[f->hd.stream_id];
                std::string name(reinterpret_cast<const char*>(n), nl);
                r.names.push_back(name);
                r.fields[name] = std::string(reinterpret_cast<const char*>(v), vl);
                return 0;
            });
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
            cb, [](nghttp2_session*, uint8_t, int32_t id, const uint8_t* d, size_t n, void* u) {
                static_cast<test_server*>(u)->requests[id].body.append(reinterpret_cast<const char*>(d), n);
                return 0;
            });
        nghttp2_session_callbacks_set_on_frame_recv_callback(cb, [](nghttp2_session*, const nghttp2_frame* f, void* u) {
            auto* self = static_cast<test_server*>(u);
            if (f->hd.type == NGHTTP2_RST_STREAM) self->requests[f->hd.stream_id].reset_code = f->rst_stream.error_code;
            if (f->hd.type == NGHTTP2_GOAWAY) self->goaway_code = f->goaway.error_code;
            if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) && (f->hd.flags & NGHTTP2_FLAG_END_STREAM))
                self->requests[f->hd.stream_id].complete = true;
            return 0;
        });
        nghttp2_session_server_new(&session_, cb, this);
        nghttp2_session_callbacks_del(cb);
        nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    }
    ~test_server() { nghttp2_session_del(session_); }
    test_server(const test_server&) = delete;
    test_server& operator=(const test_server&) = delete;

    nghttp2_session* session() { return session_; }

    // Bytes from the client; false on a connection error.
    bool feed(std::string_view bytes) {
        const auto n = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        return n == static_cast<ssize_t>(bytes.size());
    }
    std::string output() {
        std::string out;
        for (;;) {
            const uint8_t* data = nullptr;
            const auto n = nghttp2_session_mem_send(session_, &data);
            if (n <= 0) break;
            out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
        }
        return out;
    }

    // A response head: ":status" then `fields` (sent as given, even fields HTTP/2 forbids).
    void respond(int32_t id, int status, std::vector<std::pair<std::string, std::string>> fields, bool end) {
        std::vector<std::string> keep{":status", std::to_string(status)};
        for (auto& [n, v] : fields) {
            keep.push_back(n);
            keep.push_back(v);
        }
        std::vector<nghttp2_nv> nva;
        for (size_t i = 0; i < keep.size(); i += 2)
            nva.push_back({reinterpret_cast<uint8_t*>(keep[i].data()), reinterpret_cast<uint8_t*>(keep[i + 1].data()),
                           keep[i].size(), keep[i + 1].size(), NGHTTP2_NV_FLAG_NONE});
        ASSERT_EQ(nghttp2_submit_headers(session_, end ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE, id, nullptr,
                                         nva.data(), nva.size(), nullptr),
                  0);
    }
    // One DATA payload (sent as flow control allows), END_STREAM with it when `end`.
    void data(int32_t id, std::string bytes, bool end) {
        auto& p = pending_.emplace_back(std::make_unique<std::pair<std::string, size_t>>(std::move(bytes), 0));
        nghttp2_data_provider prd{};
        prd.source.ptr = p.get();
        prd.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t len, uint32_t* flags,
                               nghttp2_data_source* src, void*) -> ssize_t {
            auto* s = static_cast<std::pair<std::string, size_t>*>(src->ptr);
            const size_t n = std::min(len, s->first.size() - s->second);
            std::memcpy(buf, s->first.data() + s->second, n);
            s->second += n;
            if (s->second == s->first.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
            return static_cast<ssize_t>(n);
        };
        ASSERT_EQ(nghttp2_submit_data(session_, end ? NGHTTP2_FLAG_END_STREAM : NGHTTP2_FLAG_NONE, id, &prd), 0);
    }

    std::map<int32_t, request> requests;
    std::optional<uint32_t> goaway_code;

private:
    nghttp2_session* session_ = nullptr;
    std::vector<std::unique_ptr<std::pair<std::string, size_t>>> pending_;
};

// Passes bytes both ways until neither side has any; `chunk` splits what the client is fed.
void pump(net::h2_session& client, test_server& server, size_t chunk = SIZE_MAX) {
    for (int round = 0; round < 1000; ++round) {
        const std::string to_server(client.output());
        client.consume(to_server.size());
        if (!to_server.empty()) {
            EXPECT_TRUE(server.feed(to_server));
        }
        const std::string to_client = server.output();
        for (size_t i = 0; i < to_client.size(); i += chunk)
            client.feed(std::string_view(to_client).substr(i, std::min(chunk, to_client.size() - i)));
        if (to_server.empty() && to_client.empty()) return;
    }
    ADD_FAILURE() << "the sessions never went quiet";
}

net::url test_url(std::string target = "/events") {
    net::url u;
    u.host = "example.test";
    u.port = 8443;
    u.tls = true;
    u.target = std::move(target);
    return u;
}

TEST(NetH2Session, SendsARequestAndReportsHeadBodyAndEndStream) {
    for (size_t chunk : {size_t{1}, size_t{7}, SIZE_MAX}) {
        SCOPED_TRACE(chunk);
        net::h2_session client;
        test_server server;
        recorder r;
        const net::header_list headers{{"Accept", "text/event-stream"},
                                       {"Last-Event-ID", "42"},
                                       {"Connection", "keep-alive"},
                                       {"Host", "other.test:1"}};
        const int32_t id = client.submit("GET", test_url("/events?x=1"), headers, "", r);
        ASSERT_EQ(id, 1);
        pump(client, server, chunk);
        ASSERT_TRUE(server.requests.count(id));
        auto& req = server.requests[id];
        EXPECT_TRUE(req.complete);
        EXPECT_EQ(req.fields[":method"], "GET");
        EXPECT_EQ(req.fields[":scheme"], "https");
        EXPECT_EQ(req.fields[":authority"], "other.test:1");  // Host wins, as :authority
        EXPECT_EQ(req.fields[":path"], "/events?x=1");
        EXPECT_EQ(req.fields["accept"], "text/event-stream");  // lower-cased
        EXPECT_EQ(req.fields["last-event-id"], "42");
        EXPECT_FALSE(req.fields.count("connection"));
        EXPECT_FALSE(req.fields.count("host"));

        server.respond(id, 200, {{"content-type", "text/event-stream"}, {"cache-control", "no-store"}}, false);
        pump(client, server, chunk);
        ASSERT_TRUE(r.head);
        EXPECT_EQ(r.head->status, 200);
        EXPECT_EQ(r.head->version, 20);
        EXPECT_EQ(r.head->header("content-type"), "text/event-stream");
        ASSERT_EQ(r.head->headers.size(), 2u);
        EXPECT_EQ(r.head->headers[1].first, "cache-control");
        EXPECT_EQ(r.head->raw, "HTTP/2 200\r\ncontent-type: text/event-stream\r\ncache-control: no-store\r\n\r\n");
        EXPECT_FALSE(r.head->content_length);
        EXPECT_FALSE(r.closed);

        server.data(id, "data: one\n\n", false);
        pump(client, server, chunk);
        EXPECT_EQ(r.body, "data: one\n\n");
        EXPECT_FALSE(r.closed);
        EXPECT_EQ(client.open_streams(), 1u);

        server.data(id, "data: two\n\n", true);
        pump(client, server, chunk);
        EXPECT_EQ(r.body, "data: one\n\ndata: two\n\n");
        ASSERT_TRUE(r.closed);
        EXPECT_EQ(*r.closed, 0u);
        EXPECT_EQ(r.closes, 1);
        EXPECT_EQ(client.open_streams(), 0u);
        EXPECT_TRUE(client.is_open());
    }
}

TEST(NetH2Session, SendsABodyAndReadsContentLength) {
    net::h2_session client;
    test_server server;
    recorder r;
    const std::string body(100000, 'b');  // more than one DATA frame and the default window
    const int32_t id = client.submit("POST", test_url("/publish"), {{"Content-Type", "text/plain"}}, body, r);
    ASSERT_GT(id, 0);
    pump(client, server);
    EXPECT_TRUE(server.requests[id].complete);
    EXPECT_EQ(server.requests[id].body, body);
    server.respond(id, 200, {{"content-length", "2"}}, false);
    server.data(id, "ok", true);
    pump(client, server);
    ASSERT_TRUE(r.head);
    EXPECT_EQ(r.head->status, 200);
    EXPECT_EQ(r.head->content_length, 2u);
    EXPECT_EQ(r.body, "ok");
    EXPECT_EQ(r.closed, 0u);
}

TEST(NetH2Session, InterimResponsesAreNotTheHead) {
    net::h2_session client;
    test_server server;
    recorder r;
    const int32_t id = client.submit("GET", test_url(), {}, "", r);
    pump(client, server);
    server.respond(id, 103, {{"link", "</a>; rel=preload"}}, false);
    server.respond(id, 200, {{"content-type", "text/event-stream"}}, false);
    pump(client, server);
    ASSERT_TRUE(r.head);
    EXPECT_EQ(r.head->status, 200);
    EXPECT_FALSE(r.head->has_header("link"));
}

TEST(NetH2Session, ALargeBodyFlowsPastTheWindows) {
    net::h2_session::options o;
    o.window = 65535;  // the protocol's default: WINDOW_UPDATEs must keep it flowing
    net::h2_session client(o);
    test_server server;
    recorder r;
    const int32_t id = client.submit("GET", test_url(), {}, "", r);
    pump(client, server);
    server.respond(id, 200, {}, false);
    std::string big;
    for (int i = 0; i < 300000; ++i) big.push_back(static_cast<char>('a' + i % 26));
    server.data(id, big, true);
    pump(client, server, 1000);
    EXPECT_EQ(r.body, big);
    EXPECT_EQ(r.closed, 0u);
}

TEST(NetH2Session, RstStreamFromTheServerClosesOneStreamWithItsCode) {
    net::h2_session client;
    test_server server;
    recorder a, b;
    const int32_t ida = client.submit("GET", test_url("/a"), {}, "", a);
    const int32_t idb = client.submit("GET", test_url("/b"), {}, "", b);
    pump(client, server);
    server.respond(ida, 200, {}, false);
    server.respond(idb, 200, {}, false);
    pump(client, server);
    nghttp2_submit_rst_stream(server.session(), NGHTTP2_FLAG_NONE, ida, NGHTTP2_ENHANCE_YOUR_CALM);
    server.data(idb, "data: b\n\n", false);
    pump(client, server);
    EXPECT_EQ(a.closed, uint32_t{NGHTTP2_ENHANCE_YOUR_CALM});
    EXPECT_EQ(a.by, net::h2_session::closed_by::peer);
    EXPECT_FALSE(b.closed);
    EXPECT_EQ(b.body, "data: b\n\n");
    EXPECT_EQ(client.open_streams(), 1u);
    EXPECT_TRUE(client.is_open());
}

TEST(NetH2Session, AHandlerThatStopsResetsItsStreamWithCancel) {
    net::h2_session client;
    test_server server;
    recorder a, b;
    a.stop_after = 3;
    const int32_t ida = client.submit("GET", test_url("/a"), {}, "", a);
    const int32_t idb = client.submit("GET", test_url("/b"), {}, "", b);
    pump(client, server);
    server.respond(ida, 200, {}, false);
    server.respond(idb, 200, {}, false);
    server.data(ida, "abcdef", false);
    server.data(idb, "xyz", false);
    std::string in_flight = server.output();
    server.data(ida, "more", false);  // already sent when the client stops: ignored
    in_flight += server.output();
    client.feed(in_flight);
    EXPECT_EQ(a.body, "abcdef");  // one DATA frame, delivered whole
    EXPECT_EQ(a.closed, uint32_t{NGHTTP2_CANCEL});
    pump(client, server);
    EXPECT_EQ(server.requests[ida].reset_code, uint32_t{NGHTTP2_CANCEL});
    server.data(idb, "!", false);
    pump(client, server);
    EXPECT_EQ(a.body, "abcdef");
    EXPECT_EQ(a.closes, 1);
    EXPECT_EQ(b.body, "xyz!");
    EXPECT_FALSE(b.closed);
}

TEST(NetH2Session, ResetByTheClientClosesAtOnceAndTellsTheServer) {
    net::h2_session client;
    test_server server;
    recorder a, b;
    const int32_t ida = client.submit("GET", test_url("/a"), {}, "", a);
    const int32_t idb = client.submit("GET", test_url("/b"), {}, "", b);
    pump(client, server);
    client.reset(ida);
    EXPECT_EQ(a.closed, uint32_t{NGHTTP2_CANCEL});
    EXPECT_EQ(a.by, net::h2_session::closed_by::local);
    client.reset(ida);  // already closed: nothing
    EXPECT_EQ(a.closes, 1);
    pump(client, server);
    EXPECT_EQ(server.requests[ida].reset_code, uint32_t{NGHTTP2_CANCEL});
    EXPECT_FALSE(server.requests[idb].reset_code);
    server.respond(idb, 200, {}, true);
    pump(client, server);
    EXPECT_EQ(b.closed, 0u);
}

TEST(NetH2Session, GoawayRefusesTheStreamsItDidNotProcess) {
    net::h2_session client;
    test_server server;
    recorder a, b;
    const int32_t ida = client.submit("GET", test_url("/a"), {}, "", a);
    const int32_t idb = client.submit("GET", test_url("/b"), {}, "", b);
    pump(client, server);
    server.respond(ida, 200, {}, false);
    nghttp2_submit_goaway(server.session(), NGHTTP2_FLAG_NONE, ida, NGHTTP2_NO_ERROR, nullptr, 0);
    pump(client, server);
    EXPECT_FALSE(client.is_open());
    EXPECT_FALSE(a.closed);  // processed: it carries on
    EXPECT_EQ(b.closed, uint32_t{NGHTTP2_REFUSED_STREAM});
    EXPECT_EQ(b.by, net::h2_session::closed_by::peer);
    recorder c;
    EXPECT_LT(client.submit("GET", test_url(), {}, "", c), 0);
    server.data(ida, "last", true);
    pump(client, server);
    EXPECT_EQ(a.body, "last");
    EXPECT_EQ(a.closed, 0u);
    EXPECT_EQ(a.by, net::h2_session::closed_by::peer);
    (void)idb;
}

TEST(NetH2Session, GoawayWithAnErrorCodeIsReportedToTheStreams) {
    net::h2_session client;
    test_server server;
    recorder a, b;
    const int32_t ida = client.submit("GET", test_url("/a"), {}, "", a);
    client.submit("GET", test_url("/b"), {}, "", b);
    pump(client, server);
    const std::string why = "shedding load";
    nghttp2_submit_goaway(server.session(), NGHTTP2_FLAG_NONE, ida, NGHTTP2_ENHANCE_YOUR_CALM,
                          reinterpret_cast<const uint8_t*>(why.data()), why.size());
    pump(client, server);
    EXPECT_EQ(b.closed, uint32_t{NGHTTP2_ENHANCE_YOUR_CALM});
    EXPECT_FALSE(a.closed);
    EXPECT_NE(client.last_error().find("shedding load"), std::string_view::npos) << client.last_error();
    client.finish();  // the server closes the connection
    EXPECT_EQ(a.closed, uint32_t{NGHTTP2_ENHANCE_YOUR_CALM});
    EXPECT_EQ(a.by, net::h2_session::closed_by::connection);
}

TEST(NetH2Session, FinishClosesOpenStreamsWithInternalError) {
    net::h2_session client;
    test_server server;
    recorder a;
    client.submit("GET", test_url(), {}, "", a);
    pump(client, server);
    client.finish();
    EXPECT_EQ(a.closed, uint32_t{NGHTTP2_INTERNAL_ERROR});
    EXPECT_EQ(a.by, net::h2_session::closed_by::connection);
    EXPECT_FALSE(client.is_open());
    EXPECT_EQ(client.open_streams(), 0u);
}

// "data: <i>\n\n", built with append() (GCC 12 -O3 warns falsely on "literal" + std::string).
std::string numbered(size_t i) { return std::string("data: ").append(std::to_string(i)).append("\n\n"); }

TEST(NetH2Session, ManyStreamsEachGetTheirOwnResponse) {
    net::h2_session client;
    test_server server;
    std::vector<recorder> r(60);
    std::vector<int32_t> ids;
    for (auto& h : r) ids.push_back(client.submit("GET", test_url(), {}, "", h));
    EXPECT_EQ(client.open_streams(), 60u);
    pump(client, server);
    ASSERT_EQ(server.requests.size(), 60u);
    for (size_t i = 0; i < ids.size(); ++i) {
        server.respond(ids[i], 200, {}, false);
        server.data(ids[i], numbered(i), i % 2 == 0);
    }
    pump(client, server, 13);
    for (size_t i = 0; i < r.size(); ++i) {
        EXPECT_EQ(r[i].body, numbered(i));
        EXPECT_EQ(r[i].closed.has_value(), i % 2 == 0);
    }
    EXPECT_EQ(client.open_streams(), 30u);
}

TEST(NetH2Session, MaxConcurrentStreamsIsTheServers) {
    net::h2_session client;
    test_server server({{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 2}});
    EXPECT_FALSE(client.has_remote_settings());
    EXPECT_EQ(client.max_concurrent_streams(), 100u);  // nghttp2's assumption until SETTINGS
    pump(client, server);
    EXPECT_TRUE(client.has_remote_settings());
    EXPECT_EQ(client.max_concurrent_streams(), 2u);
    recorder a, b, c;
    const int32_t ida = client.submit("GET", test_url(), {}, "", a);
    EXPECT_GT(client.submit("GET", test_url(), {}, "", b), 0);
    EXPECT_EQ(client.submit("GET", test_url(), {}, "", c), net::h2_session::too_many_streams);
    EXPECT_FALSE(client.last_error().empty());
    pump(client, server);
    server.respond(ida, 200, {}, true);
    pump(client, server);
    EXPECT_EQ(a.closed, 0u);
    const int32_t idc = client.submit("GET", test_url(), {}, "", c);
    EXPECT_GT(idc, 0);
    pump(client, server);
    EXPECT_TRUE(server.requests[idc].complete);
}

TEST(NetH2Session, ConnectionSpecificFieldsResetTheStreamUnlessLenient) {
    const std::vector<std::pair<std::string, std::string>> bad{{"content-type", "text/event-stream"},
                                                               {"connection", "keep-alive"}};
    {
        net::h2_session client;
        test_server server;
        recorder a, b;
        const int32_t ida = client.submit("GET", test_url(), {}, "", a);
        const int32_t idb = client.submit("GET", test_url(), {}, "", b);
        pump(client, server);
        server.respond(ida, 200, bad, false);
        server.respond(idb, 200, {}, false);
        pump(client, server);
        EXPECT_FALSE(a.head);
        EXPECT_EQ(a.closed, uint32_t{NGHTTP2_PROTOCOL_ERROR});
        // nghttp2 reset it, not the server: the caller must not blame the server's RST_STREAM.
        EXPECT_EQ(a.by, net::h2_session::closed_by::local);
        EXPECT_NE(client.last_error().find("malformed"), std::string_view::npos) << client.last_error();
        EXPECT_EQ(server.requests[ida].reset_code, uint32_t{NGHTTP2_PROTOCOL_ERROR});
        EXPECT_TRUE(b.head);  // the other stream is not disturbed
        EXPECT_FALSE(b.closed);
        EXPECT_TRUE(client.is_open());
    }
    {
        net::h2_session::options o;
        o.lenient_messaging = true;
        net::h2_session client(o);
        test_server server;
        recorder a;
        const int32_t ida = client.submit("GET", test_url(), {}, "", a);
        pump(client, server);
        server.respond(ida, 200, bad, false);
        pump(client, server);
        ASSERT_TRUE(a.head);
        EXPECT_EQ(a.head->header("connection"), "keep-alive");
        EXPECT_FALSE(a.closed);
    }
}

TEST(NetH2Session, GarbageIsAStickyConnectionError) {
    net::h2_session client;
    recorder a;
    client.submit("GET", test_url(), {}, "", a);
    client.consume(client.output().size());
    const std::error_code ec = client.feed("HTTP/1.1 400 Bad Request\r\n\r\n");
    EXPECT_EQ(ec, net::errc::h2_protocol);
    EXPECT_EQ(client.feed("more"), net::errc::h2_protocol);
    EXPECT_FALSE(client.last_error().empty());
    EXPECT_FALSE(client.is_open());
    EXPECT_EQ(a.closed, uint32_t{NGHTTP2_INTERNAL_ERROR});
    EXPECT_EQ(a.by, net::h2_session::closed_by::connection);
    recorder b;
    EXPECT_LT(client.submit("GET", test_url(), {}, "", b), 0);
}

TEST(NetH2Session, OutputStartsWithThePrefaceAndShutdownSendsGoaway) {
    net::h2_session client;
    const std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    EXPECT_EQ(client.output().substr(0, preface.size()), preface);
    test_server server;
    pump(client, server);
    EXPECT_TRUE(client.output().empty());
    client.shutdown();
    EXPECT_FALSE(client.is_open());
    EXPECT_FALSE(client.output().empty());
    pump(client, server);
    EXPECT_EQ(server.goaway_code, uint32_t{NGHTTP2_NO_ERROR});
}

TEST(NetH2Session, AHandlerMayDestroyItselfInOnClose) {
    net::h2_session client;
    test_server server;
    struct self_owned final : net::h2_session::stream_handler {
        std::unique_ptr<self_owned>* owner = nullptr;
        int* closes = nullptr;
        void on_head(net::response_head&) override {}
        bool on_body(std::string_view) override { return true; }
        void on_close(std::uint32_t, net::h2_session::closed_by) override {
            ++*closes;
            owner->reset();  // deletes this
        }
    };
    int closes = 0;
    auto h = std::make_unique<self_owned>();
    h->owner = &h;
    h->closes = &closes;
    const int32_t id = client.submit("GET", test_url(), {}, "", *h);
    pump(client, server);
    server.respond(id, 200, {}, false);
    server.data(id, "x", true);
    nghttp2_submit_rst_stream(server.session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    pump(client, server);
    EXPECT_FALSE(h);
    EXPECT_EQ(closes, 1);
    client.finish();
    EXPECT_EQ(closes, 1);
}

// A handler may reset its own stream (or open another) from inside its callbacks: the frames go
// out with the next output(), nghttp2 is not re-entered.
TEST(NetH2Session, HandlersMayResetAndSubmitFromInsideCallbacks) {
    net::h2_session client;
    test_server server;
    struct rejecting final : net::h2_session::stream_handler {
        net::h2_session* session = nullptr;
        net::h2_session::stream_handler* next = nullptr;
        std::int32_t id = 0, next_id = 0;
        std::optional<std::uint32_t> closed;
        void on_head(net::response_head& h) override {
            if (h.status == 200) return;
            session->reset(id);
            next_id = session->submit("GET", test_url("/next"), {}, "", *next);
        }
        bool on_body(std::string_view) override { return true; }
        void on_close(std::uint32_t code, net::h2_session::closed_by) override { closed = code; }
    };
    recorder second;
    rejecting first;
    first.session = &client;
    first.next = &second;
    first.id = client.submit("GET", test_url("/first"), {}, "", first);
    pump(client, server);
    server.respond(first.id, 404, {}, false);
    pump(client, server);
    EXPECT_EQ(first.closed, uint32_t{NGHTTP2_CANCEL});
    EXPECT_EQ(server.requests[first.id].reset_code, uint32_t{NGHTTP2_CANCEL});
    ASSERT_GT(first.next_id, 0);
    EXPECT_EQ(server.requests[first.next_id].fields[":path"], "/next");
    server.respond(first.next_id, 200, {}, true);
    pump(client, server);
    EXPECT_EQ(second.closed, 0u);
}

// A handler may reset() its stream from inside on_head() and still read the head afterwards in
// the same call (the stream's state is gone by then; the head must not be part of it). Under
// ASan the old code reads freed memory here; without it the long value is usually garbage.
TEST(NetH2Session, ResetFromOnHeadKeepsTheHeadAliveForTheCall) {
    net::h2_session client;
    test_server server;
    struct resetting final : net::h2_session::stream_handler {
        net::h2_session* session = nullptr;
        std::int32_t id = 0;
        std::string seen;
        void on_head(net::response_head& h) override {
            session->reset(id);
            seen = std::string(h.header("x-after-reset"));  // still inside on_head
        }
        bool on_body(std::string_view) override { return true; }
        void on_close(std::uint32_t, net::h2_session::closed_by) override {}
    } r;
    r.session = &client;
    r.id = client.submit("GET", test_url(), {}, "", r);
    pump(client, server);
    server.respond(r.id, 404, {{"x-after-reset", std::string(200, 'v')}}, false);
    pump(client, server);
    EXPECT_EQ(r.seen, std::string(200, 'v'));
}

// RFC 9110 7.6.1: fields the Connection header nominates are connection-specific, and dropped
// over HTTP/2 with the Connection header itself.
TEST(NetH2Session, FieldsNominatedByConnectionAreNotSent) {
    net::h2_session client;
    test_server server;
    recorder a;
    const int32_t id = client.submit("GET", test_url(), {{"Connection", "close, X-Hop"}, {"X-Hop", "1"}, {"X-Keep", "2"}},
                                     "", a);
    pump(client, server);
    const auto& fields = server.requests[id].fields;
    EXPECT_EQ(fields.count("x-hop"), 0u);
    EXPECT_EQ(fields.count("connection"), 0u);
    ASSERT_EQ(fields.count("x-keep"), 1u);
    EXPECT_EQ(fields.at("x-keep"), "2");
}

}  // namespace
