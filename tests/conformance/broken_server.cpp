#include "broken_server.hpp"

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include <sse/encoder.hpp>

namespace sse::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string_view to_string(flaw f) {
    static constexpr std::string_view names[] = {
        "none", "status_202", "wrong_content_type", "content_length", "no_cache_control", "invalid_utf8",
        "whitespace_line", "nul_in_id", "bad_retry", "buffered_head", "buffered_events", "fanout_skip",
        "lossy_under_load", "resume_repeat", "echo_drops_last_line", "count_ignores_resume", "publish_drops_type",
        "resume_signals_loss"};
    return names[static_cast<int>(f)];
}

namespace {

struct request {
    std::string method, path, query, last_event_id, body;
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
    std::list<std::shared_ptr<tcp::socket>> sockets;
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};
    int subscriber_count = 0;

    explicit impl(flaw fl) : f(fl) {
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor.open(ep.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen();
        accept_thread = std::thread([this] { accept_loop(); });
    }

    void accept_loop() {
        for (;;) {
            auto s = std::make_shared<tcp::socket>(ioc);
            boost::system::error_code ec;
            acceptor.accept(*s, ec);
            if (ec || stopping) return;
            std::lock_guard lock(m);
            sockets.push_back(s);
            threads.emplace_back([this, s] {
                serve(*s);
                boost::system::error_code ignored;  // every answer ends with the connection
                s->shutdown(tcp::socket::shutdown_both, ignored);
                s->close(ignored);
            });
        }
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
            for (auto& s : sockets) s->shutdown(tcp::socket::shutdown_both, ec);
        }
        cv.notify_all();
        std::vector<std::thread> all;
        {
            std::lock_guard lock(m);
            all.swap(threads);
        }
        for (auto& t : all) t.join();
    }

    std::uint16_t port_ = 0;

    static bool read_request(tcp::socket& s, request& r) {
        std::string buf;
        boost::system::error_code ec;
        std::size_t end = 0;
        while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
            char tmp[4096];
            const auto n = s.read_some(asio::buffer(tmp), ec);
            if (ec) return false;
            buf.append(tmp, n);
        }
        std::string_view head(buf.data(), end);
        const auto sp1 = head.find(' '), sp2 = head.find(' ', sp1 + 1);
        r.method = std::string(head.substr(0, sp1));
        std::string target(head.substr(sp1 + 1, sp2 - sp1 - 1));
        const auto q = target.find('?');
        r.path = target.substr(0, q);
        r.query = q == std::string::npos ? "" : target.substr(q + 1);
        std::size_t content_length = 0;
        std::size_t pos = head.find("\r\n");
        while (pos != std::string_view::npos && pos < head.size()) {
            const auto next = head.find("\r\n", pos + 2);
            std::string line(head.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2));
            const auto colon = line.find(':');
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (name == "last-event-id") r.last_event_id = value;
            if (name == "content-length") content_length = number(value, 0);
            pos = next;
        }
        r.body = buf.substr(end + 4);
        while (r.body.size() < content_length) {
            char tmp[4096];
            const auto n = s.read_some(asio::buffer(tmp), ec);
            if (ec) return false;
            r.body.append(tmp, n);
        }
        return true;
    }

    static bool write(tcp::socket& s, std::string_view bytes) {
        boost::system::error_code ec;
        asio::write(s, asio::buffer(bytes.data(), bytes.size()), ec);
        return !ec;
    }

    void serve(tcp::socket& s) {
        request r;
        if (!read_request(s, r)) return;
        if (r.method == "GET" && r.path == "/events") return stream(s, r);
        if (r.method == "POST" && r.path == "/publish") return publish(s, r);
        if (r.path == "/conformance/" || r.path == "/conformance") {
            const std::string body = R"({"contract":1,"routes":[]})";
            write(s, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            return;
        }
        if (r.method == "POST" && r.path == "/conformance/echo") return echo(s, r);
        if (r.method == "GET" && r.path == "/conformance/count") return count(s, r);
        write(s, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }

    std::string stream_head() const {
        std::string h = f == flaw::status_202 ? "HTTP/1.1 202 Accepted\r\n" : "HTTP/1.1 200 OK\r\n";
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

    void stream(tcp::socket& s, const request& r) {
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
        if (f != flaw::buffered_head) {
            if (!write(s, stream_head() + prologue)) return;
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
                    if (head_sent && !write(s, ": hb\n")) return;
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
            for (const auto& e : batch) out += encode_event(e);
            if (!write(s, out)) return;
            // A slow delivery path, so a burst of publishes piles up (and the flaw drops them).
            if (f == flaw::lossy_under_load) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    void publish(tcp::socket& s, const request& r) {
        {
            std::lock_guard lock(m);
            event e{history.size() + 1, f == flaw::publish_drops_type ? "" : param(r.body, "type"), param(r.body, "data")};
            history.push_back(std::move(e));
        }
        cv.notify_all();
        write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    }

    void echo(tcp::socket& s, const request& r) {
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
        write(s, out);
    }

    void count(tcp::socket& s, const request& r) {
        const auto n = number(param(r.query, "n"), 0);
        const auto close_after = number(param(r.query, "close_after"), UINT64_MAX);
        const auto start = f == flaw::count_ignores_resume ? 1 : number(r.last_event_id, 0) + 1;
        if (start > n) {
            write(s, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
            return;
        }
        std::string out = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
        for (std::uint64_t i = start, k = 0; i <= n && k < close_after; ++i, ++k) {
            const auto v = std::to_string(i);
            (void)sse::encode({.data = std::string_view(v), .id = std::string_view(v)}, out);
        }
        write(s, out);
    }
};

broken_server::broken_server(flaw f) : impl_(std::make_unique<impl>(f)) {
    impl_->port_ = impl_->acceptor.local_endpoint().port();
}
broken_server::~broken_server() { stop(); }
std::uint16_t broken_server::port() const { return impl_->port_; }
void broken_server::stop() { impl_->stop(); }

}  // namespace sse::test
