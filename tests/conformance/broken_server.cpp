#include "broken_server.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/zlib/deflate_stream.hpp>
#include <nlohmann/json.hpp>

#include <openssl/ssl.h>
#include <sse/encoder.hpp>

#include "broken_h2_connection.hpp"

namespace sse::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string_view to_string(flaw f) {
    static constexpr std::string_view names[] = {
        "none", "status_202", "wrong_content_type", "content_length", "no_cache_control", "invalid_utf8",
        "whitespace_line", "nul_in_id", "bad_retry", "buffered_head", "buffered_events", "fanout_skip",
        "lossy_under_load", "resume_repeat", "echo_drops_last_line", "count_ignores_resume", "publish_drops_type",
        "resume_signals_loss", "ticker_ignores_resume", "ticker_skips_on_resume", "head_delayed", "no_heartbeat",
        "requires_accept", "rejects_unknown_id", "rejects_long_id", "chunked_to_http10",
        "truncates_large_events", "reorders_bursts", "gzip_buffered", "h2_connection_header",
        "h2_reset_disturbs_others", "h2_stream_limit"};
    return names[static_cast<int>(f)];
}

namespace {

struct request {
    std::string method, path, query, last_event_id, body, authorization, content_type, accept, accept_encoding;
    unsigned version = 11;
};

// The gzip content coding of a response body (RFC 1952 header, Beast's raw deflate): bytes are
// compressed and flushed (Z_SYNC_FLUSH) once `hold` of them are pending (0: on every write).
struct gzip_writer {
    boost::beast::zlib::deflate_stream deflater;
    std::string pending;
    std::size_t hold = 0;
    bool started = false;

    // What to send for `bytes` now (empty while holding).
    std::string feed(std::string_view bytes) {
        namespace zlib = boost::beast::zlib;
        pending += bytes;
        if (pending.empty() || pending.size() < hold) return {};
        std::string out = started ? "" : std::string("\x1f\x8b\x08\0\0\0\0\0\0\xff", 10);
        started = true;
        zlib::z_params zs;
        zs.next_in = pending.data();
        zs.avail_in = pending.size();
        char buf[16384];
        do {
            zs.next_out = buf;
            zs.avail_out = sizeof buf;
            boost::system::error_code ec;
            deflater.write(zs, zlib::Flush::sync, ec);
            out.append(buf, sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0);
        pending.clear();
        return out;
    }
};

// One accepted connection, plain or TLS; blocking I/O on the serving thread.
struct conn {
    tcp::socket& socket;
    std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
    bool chunked = false;  ///< frame every write as one chunk
    std::unique_ptr<gzip_writer> gzip;  ///< set after the head: the body is gzip-coded
    h2_writer sink;  ///< HTTP/2: the stream's writer (bytes go there, never chunk-framed)

    template <class F>
    auto with(F&& f) {
        return tls ? f(*tls) : f(socket);
    }
    bool write(std::string_view bytes) {
        if (!gzip) return write_raw(bytes);
        const auto z = gzip->feed(bytes);
        return z.empty() || write_raw(z);
    }
    bool write_raw(std::string_view bytes) {
        if (sink) return sink(bytes);
        if (chunked && !bytes.empty()) {
            static constexpr char hex[] = "0123456789abcdef";
            std::string size;
            for (auto n = bytes.size(); n != 0; n >>= 4) size.insert(size.begin(), hex[n & 15]);
            chunked = false;
            const bool ok = write_raw(size + "\r\n" + std::string(bytes) + "\r\n");
            chunked = true;
            return ok;
        }
        boost::system::error_code ec;
        with([&](auto& s) { asio::write(s, asio::buffer(bytes.data(), bytes.size()), ec); });
        return !ec;
    }
};

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size()) {
            int v = 0;
            std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
            out += static_cast<char>(v);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (part.substr(0, eq) == name) return percent_decode(eq == std::string_view::npos ? "" : part.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

std::uint64_t number(std::string_view s, std::uint64_t fallback) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc{} && p == s.data() + s.size() && !s.empty() ? v : fallback;
}

}  // namespace

struct broken_server::impl {
    flaw f;
    broken_server::options opts;
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread accept_thread;
    std::mutex m;
    std::condition_variable cv;
    struct event {
        std::uint64_t id;
        std::string type, data;
    };
    std::vector<event> history;
    // A connection's thread, its socket, and whether it is done (then joined by the next accept, so
    // a burst of 10,000 publishes does not keep 10,000 finished threads until stop()).
    struct worker {
        std::thread thread;
        std::shared_ptr<tcp::socket> socket;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<worker> workers;
    std::atomic<bool> stopping{false};
    int subscriber_count = 0;
    const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

    impl(flaw fl, broken_server::options o) : f(fl), opts(std::move(o)) {
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor.open(ep.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen();
        if (opts.h2 && opts.tls) SSL_CTX_set_alpn_select_cb(opts.tls->native_handle(), select_alpn, nullptr);
        accept_thread = std::thread([this] { accept_loop(); });
    }

    void accept_loop() {
        for (;;) {
            auto s = std::make_shared<tcp::socket>(ioc);
            boost::system::error_code ec;
            acceptor.accept(*s, ec);
            if (ec || stopping) return;
            std::lock_guard lock(m);
            for (auto it = workers.begin(); it != workers.end();) {
                if (!*it->done) { ++it; continue; }
                it->thread.join();
                it = workers.erase(it);
            }
            auto done = std::make_shared<std::atomic<bool>>(false);
            workers.push_back({{}, s, done});
            workers.back().thread = std::thread([this, s, done] {
                if (opts.h2) {
                    serve_h2_connection(*s);
                    *done = true;
                    return;
                }
                conn c{*s, nullptr, false, nullptr, {}};
                boost::system::error_code hec;
                if (opts.tls) {
                    c.tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(*s, *opts.tls);
                    c.tls->handshake(asio::ssl::stream_base::server, hec);
                }
                if (!hec) serve(c);
                boost::system::error_code ignored;  // every answer ends with the connection
                s->shutdown(tcp::socket::shutdown_both, ignored);
                s->close(ignored);
                *done = true;
            });
        }
    }

    // Prefers h2, else http/1.1 (RFC 7301 3.2), from what the client offers.
    static int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                           unsigned inlen, void*) {
        static const unsigned char ours[] = "\x02h2\x08http/1.1";
        unsigned char* chosen = nullptr;
        if (SSL_select_next_proto(&chosen, outlen, ours, sizeof ours - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
            return SSL_TLSEXT_ERR_NOACK;
        *out = chosen;
        return SSL_TLSEXT_ERR_OK;
    }

    // options::h2: the connection moves to an io_context of its own (the HTTP/2 session is
    // asynchronous), then speaks h2 (h2c, or TLS with ALPN h2) or, when TLS chose otherwise,
    // HTTP/1.1 as usual. stop() reaches it through `stopping`, polled by serve_h2.
    void serve_h2_connection(tcp::socket& accepted) {
        asio::io_context io;
        tcp::socket socket(io);
        boost::system::error_code ec;
        socket.assign(tcp::v4(), accepted.release(ec), ec);
        if (ec) return;
        conn c{socket, nullptr, false, nullptr, {}};
        bool h2 = true;
        if (opts.tls) {
            c.tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket, *opts.tls);
            c.tls->handshake(asio::ssl::stream_base::server, ec);
            if (ec) return;
            const unsigned char* name = nullptr;
            unsigned len = 0;
            SSL_get0_alpn_selected(c.tls->native_handle(), &name, &len);
            h2 = name != nullptr && std::string_view(reinterpret_cast<const char*>(name), len) == "h2";
        }
        if (!h2) {
            serve(c);
        } else {
            h2_behaviour b;
            b.max_concurrent_streams = f == flaw::h2_stream_limit ? 5 : 100;
            b.connection_header = f == flaw::h2_connection_header;
            b.reset_disturbs_others = f == flaw::h2_reset_disturbs_others;
            serve_h2(socket, c.tls.get(), b, [this, &socket](const h2_request& q, const h2_writer& w) {
                conn vc{socket, nullptr, false, nullptr, w};
                request r;
                r.method = q.method;
                const auto mark = q.target.find('?');
                r.path = q.target.substr(0, mark);
                r.query = mark == std::string::npos ? "" : q.target.substr(mark + 1);
                r.last_event_id = q.field("last-event-id");
                r.authorization = q.field("authorization");
                r.content_type = q.field("content-type");
                r.accept = q.field("accept");
                r.accept_encoding = q.field("accept-encoding");
                r.version = 20;
                r.body = q.body;
                dispatch(vc, r);
            }, stopping);
        }
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
    }

    void stop() {
        if (stopping.exchange(true)) return;
        boost::system::error_code ec;
        // Wake the blocking accept() with a connection of our own (closing a listening socket
        // does not reliably wake a thread blocked in accept on Linux), then close the rest.
        if (accept_thread.joinable()) {
            tcp::socket poke(ioc);
            poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
            accept_thread.join();
        }
        {
            std::lock_guard lock(m);
            acceptor.close(ec);
            for (auto& w : workers) w.socket->shutdown(tcp::socket::shutdown_both, ec);
        }
        cv.notify_all();
        std::list<worker> all;
        {
            std::lock_guard lock(m);
            all.swap(workers);
        }
        for (auto& w : all) w.thread.join();
    }

    std::uint16_t port_ = 0;

    static bool read_request(conn& c, request& r) {
        boost::beast::flat_buffer buffer;
        http::request_parser<http::string_body> parser;
        parser.body_limit(4 << 20);
        boost::system::error_code ec;
        c.with([&](auto& s) { http::read(s, buffer, parser, ec); });
        if (ec) return false;
        const auto& m = parser.get();
        r.method = std::string(m.method_string());
        const std::string target(m.target());
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        r.last_event_id = std::string(m["Last-Event-ID"]);
        r.authorization = std::string(m[http::field::authorization]);
        r.content_type = std::string(m[http::field::content_type]);
        r.accept = std::string(m[http::field::accept]);
        r.accept_encoding = std::string(m[http::field::accept_encoding]);
        r.version = m.version();
        r.body = m.body();
        return true;
    }

    void serve(conn& s) {
        request r;
        if (!read_request(s, r)) return;
        dispatch(s, r);
    }

    void dispatch(conn& s, const request& r) {
        if (r.method == "GET" && r.path == "/events") return stream(s, r);
        if (r.method == "GET" && r.path == "/ticker") return ticker(s, r);
        if (r.path == "/llm") return llm(s, r);
        if (r.method == "POST" && r.path == "/publish") return publish(s, r);
        if (r.path == "/llm/publish") {
            if (!authorized(r, opts.publish_token)) return unauthorized(s);
            return publish(s, r);
        }
        if (r.path.size() > 5 && r.path.rfind("/r30", 0) == 0 && r.path[5] == '/') return redirect(s, r);
        if (r.path == "/conformance/" || r.path == "/conformance") {
            const std::string body = R"({"contract":1,"routes":[]})";
            s.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            return;
        }
        if (r.method == "POST" && r.path == "/conformance/echo") return echo(s, r);
        if (r.method == "GET" && r.path == "/conformance/count") return count(s, r);
        s.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    static bool authorized(const request& r, const std::string& token) {
        return token.empty() || r.authorization == "Bearer " + token;
    }

    static void unauthorized(conn& s) {
        const std::string body = R"({"error":"missing or wrong bearer token"})";
        s.write("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Type: application/json\r\n"
                "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    }

    // An LLM-style streaming endpoint: POST, a bearer token, a JSON object body; then the same
    // stream as GET /events.
    void llm(conn& s, const request& r) {
        if (r.method != "POST") {
            s.write("HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        if (!authorized(r, opts.token)) return unauthorized(s);
        const auto body = nlohmann::json::parse(r.body, nullptr, false);
        if (r.content_type.rfind("application/json", 0) != 0 || !body.is_object()) {
            s.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        stream(s, r);
    }

    // /r30N/REST answers N with Location: /REST (and the query), whatever the method.
    static void redirect(conn& s, const request& r) {
        const std::string status = r.path.substr(2, 3);
        std::string location = r.path.substr(5);
        if (!r.query.empty()) location += "?" + r.query;
        s.write("HTTP/1.1 " + status + " Redirect\r\nLocation: " + location +
                "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    std::string stream_head() const {
        std::string h = f == flaw::status_202 ? "HTTP/1.1 202 Accepted\r\n" : "HTTP/1.1 200 OK\r\n";
        if (f == flaw::chunked_to_http10) h += "Transfer-Encoding: chunked\r\n";
        h += f == flaw::wrong_content_type ? "Content-Type: text/plain\r\n" : "Content-Type: text/event-stream\r\n";
        if (f != flaw::no_cache_control) h += "Cache-Control: no-cache\r\n";
        if (f == flaw::content_length) h += "Content-Length: 1000000\r\n";
        return h + "Connection: close\r\n\r\n";
    }

    std::string encode_event(const event& e) const {
        std::string out;
        const std::string id = std::to_string(e.id);
        if (f == flaw::nul_in_id) {
            // The encoder refuses NUL in an id (rightly), so the flaw is written by hand.
            out = "id: " + id + std::string(1, '\0') + "\n";
            (void)sse::encode({.type = e.type, .data = e.data}, out);
            return out;
        }
        (void)sse::encode({.type = e.type, .data = e.data, .id = std::string_view(id)}, out);
        return out;
    }

    // The flaws about the request around the stream: an answer that is not a stream, or a framing.
    bool refused(conn& s, const request& r) {
        const auto refuse = [&](const char* status) {
            s.write(std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return true;
        };
        if (f == flaw::requires_accept && r.accept.find("text/event-stream") == std::string::npos)
            return refuse("406 Not Acceptable");
        if (f == flaw::rejects_unknown_id && !r.last_event_id.empty() && number(r.last_event_id, 0) == 0)
            return refuse("400 Bad Request");
        if (f == flaw::rejects_long_id && r.last_event_id.size() > 256)
            return refuse("431 Request Header Fields Too Large");
        return false;
    }

    void stream(conn& s, const request& r) {
        if (refused(s, r)) return;
        std::size_t cursor = 0;
        int me = 0;
        {
            std::lock_guard lock(m);
            me = subscriber_count++;
            cursor = history.size();
            if (!r.last_event_id.empty()) {
                const auto last = number(r.last_event_id, 0);
                cursor = 0;
                while (cursor < history.size() && history[cursor].id <= last) ++cursor;
                if (f == flaw::resume_repeat && cursor > 0) --cursor;
                if (f == flaw::resume_signals_loss) cursor = history.size();
            }
        }
        std::string prologue;
        if (f == flaw::resume_signals_loss && !r.last_event_id.empty())
            prologue += "event: sse-history-truncated\ndata: {}\n\n";
        if (f == flaw::invalid_utf8) prologue += "data: caf\xff\n\n";
        if (f == flaw::whitespace_line) prologue += "  \n";
        prologue += f == flaw::bad_retry ? "retry: 1s\n\n" : "retry: 1000\n\n";
        bool head_sent = false;
        if (f == flaw::head_delayed) {
            std::unique_lock lock(m);
            cv.wait_for(lock, std::chrono::seconds(3), [&] { return stopping.load(); });
        }
        // The correct server compresses when asked, flushing every write; the flawed one holds
        // 8 KiB of stream before its compressor emits anything.
        const bool gzip = (f == flaw::none || f == flaw::gzip_buffered) &&
                          r.accept_encoding.find("gzip") != std::string::npos;
        if (f != flaw::buffered_head) {
            std::string head = stream_head();
            if (gzip) head.insert(head.size() - 2, "Content-Encoding: gzip\r\n");
            if (!s.write(head)) return;
            s.chunked = f == flaw::chunked_to_http10;
            if (gzip) {
                s.gzip = std::make_unique<gzip_writer>();
                s.gzip->hold = f == flaw::gzip_buffered ? 8192 : 0;
            }
            if (!s.write(prologue)) return;
            head_sent = true;
        }
        while (!stopping) {
            std::vector<event> batch;
            {
                std::unique_lock lock(m);
                cv.wait_for(lock, std::chrono::milliseconds(300), [&] { return stopping || cursor < history.size(); });
                if (stopping) return;
                const std::size_t need = f == flaw::buffered_events ? 3 : 1;
                if (history.size() - cursor < need) {
                    if (head_sent && f != flaw::no_heartbeat && !s.write(": hb\n")) return;
                    continue;
                }
                if (f == flaw::lossy_under_load && history.size() - cursor > 10) cursor = history.size() - 10;
                for (; cursor < history.size(); ++cursor) {
                    if (f == flaw::fanout_skip && me % 2 == 1 && history[cursor].id % 2 == 0) continue;
                    batch.push_back(history[cursor]);
                }
            }
            std::string out;
            if (!head_sent) {
                out = stream_head() + prologue;
                head_sent = true;
            }
            // Events published back to back (several pending at once) go out in swapped pairs.
            if (f == flaw::reorders_bursts)
                for (std::size_t i = 0; i + 1 < batch.size(); i += 2) std::swap(batch[i], batch[i + 1]);
            for (const auto& e : batch) out += encode_event(e);
            if (!s.write(out)) return;
            // A slow delivery path, so a burst of publishes piles up (and the flaws drop or reorder them).
            if (f == flaw::lossy_under_load) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            if (f == flaw::reorders_bursts) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    // A stream that publishes on its own: tick N is due (N-1) * every after the server started.
    void ticker(conn& s, const request& r) {
        using namespace std::chrono;
        const auto every = milliseconds(std::max<std::uint64_t>(1, number(param(r.query, "every"), 50)));
        const auto close_after = number(param(r.query, "close_after"), UINT64_MAX);
        const auto width = number(param(r.query, "width"), 0);  // zero-padded ids: byte order is number order
        // The flawed ticker is the naive one: a counter per connection, from 1.
        const auto origin = f == flaw::ticker_ignores_resume ? steady_clock::now() : started;
        const auto due = [&](std::uint64_t n) { return origin + every * static_cast<std::int64_t>(n - 1); };
        const auto current = [&] {
            return static_cast<std::uint64_t>(duration_cast<milliseconds>(steady_clock::now() - origin) / every) + 1;
        };
        std::uint64_t next = current();
        if (f != flaw::ticker_ignores_resume && !r.last_event_id.empty())
            next = number(r.last_event_id, 0) + (f == flaw::ticker_skips_on_resume ? 3 : 1);
        if (!s.write(stream_head() + "retry: 1000\n\n")) return;
        for (std::uint64_t k = 0; k < close_after && !stopping; ++k, ++next) {
            while (!stopping && steady_clock::now() < due(next))
                std::this_thread::sleep_for(std::min<steady_clock::duration>(due(next) - steady_clock::now(), every));
            auto v = std::to_string(next);
            if (v.size() < width) v.insert(0, width - v.size(), '0');
            if (!s.write("id: " + v + "\ndata: tick " + v + "\n\n")) return;
        }
    }

    void publish(conn& s, const request& r) {
        {
            std::lock_guard lock(m);
            event e{history.size() + 1, f == flaw::publish_drops_type ? "" : param(r.body, "type"), param(r.body, "data")};
            if (f == flaw::truncates_large_events && e.data.size() > 65536) e.data.resize(65536);
            history.push_back(std::move(e));
        }
        cv.notify_all();
        s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    }

    void echo(conn& s, const request& r) {
        std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
        for (const auto& item : nlohmann::json::parse(r.body)) {
            if (item.contains("comment")) {
                sse::encode_comment(item["comment"].get<std::string>(), out);
                continue;
            }
            if (item.size() == 1 && item.contains("retry")) {
                sse::encode_retry(item["retry"].get<std::uint64_t>(), out);
                continue;
            }
            std::string data = item.value("data", std::string{});
            if (f == flaw::echo_drops_last_line) {
                const auto lf = data.find_last_of("\r\n");
                if (lf != std::string::npos) data.erase(lf);
            }
            const std::string type = item.value("event", std::string{}), id = item.value("id", std::string{});
            sse::message msg;
            msg.type = type;
            if (item.contains("data")) msg.data = std::string_view(data);
            if (item.contains("id")) msg.id = std::string_view(id);
            if (item.contains("retry")) msg.retry = item["retry"].get<std::uint64_t>();
            (void)sse::encode(msg, out);
        }
        s.write(out);
    }

    void count(conn& s, const request& r) {
        const auto n = number(param(r.query, "n"), 0);
        const auto close_after = number(param(r.query, "close_after"), UINT64_MAX);
        const auto start = f == flaw::count_ignores_resume ? 1 : number(r.last_event_id, 0) + 1;
        if (start > n) {
            s.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            return;
        }
        std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
        for (std::uint64_t i = start, k = 0; i <= n && k < close_after; ++i, ++k) {
            const auto v = std::to_string(i);
            (void)sse::encode({.data = std::string_view(v), .id = std::string_view(v)}, out);
        }
        s.write(out);
    }
};

broken_server::broken_server(flaw f) : broken_server(f, options{}) {}

broken_server::broken_server(flaw f, options o) : impl_(std::make_unique<impl>(f, std::move(o))) {
    impl_->port_ = impl_->acceptor.local_endpoint().port();
}
broken_server::~broken_server() { stop(); }
std::uint16_t broken_server::port() const { return impl_->port_; }
void broken_server::stop() { impl_->stop(); }

}  // namespace sse::test
