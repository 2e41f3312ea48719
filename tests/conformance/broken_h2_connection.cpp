#include "broken_h2_connection.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace sse::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string h2_request::field(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n == name) return v;
    return {};
}

namespace {

// One request stream: what arrived, and the response on its way out (touched on the I/O thread
// only, except `gone`, which the responder thread reads).
struct h2_stream_state {
    std::int32_t id = 0;
    h2_request request;
    std::string head;     // HTTP/1.1 head bytes until the blank line arrived
    bool submitted = false;
    std::string pending;  // body bytes not yet in DATA frames
    bool finished = false;  // the responder returned
    std::shared_ptr<std::atomic<bool>> gone = std::make_shared<std::atomic<bool>>(false);
    std::thread thread;
};

class connection {
public:
    connection(tcp::socket& socket, asio::ssl::stream<tcp::socket&>* tls, const h2_behaviour& b,
               const h2_responder& responder, const std::atomic<bool>& stopping)
        : socket_(socket), tls_(tls), behaviour_(b), responder_(responder), stopping_(stopping),
          io_(static_cast<asio::io_context&>(socket.get_executor().context())), timer_(io_) {
        nghttp2_session_callbacks* cb = nullptr;
        nghttp2_session_callbacks_new(&cb);
        nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
        nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data);
        nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
        nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
        nghttp2_session_server_new(&session_, cb, this);
        nghttp2_session_callbacks_del(cb);
        nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, b.max_concurrent_streams}};
        nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv, 1);
    }

    ~connection() {
        for (auto& [id, st] : streams_) *st->gone = true;
        for (auto& [id, st] : streams_)
            if (st->thread.joinable()) st->thread.join();
        nghttp2_session_del(session_);
    }

    void run() {
        boost::system::error_code ec;
        socket_.set_option(tcp::no_delay(true), ec);  // frames go out as made: no Nagle delay per small frame
        read();
        write();
        poll_stop();
        io_.run();
    }

private:
    template <class F>
    void with(F&& f) {
        if (tls_) f(*tls_);
        else f(socket_);
    }

    void close() {
        if (closed_) return;
        closed_ = true;
        boost::system::error_code ec;
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        for (auto& [id, st] : streams_) *st->gone = true;
    }

    void poll_stop() {
        timer_.expires_after(std::chrono::milliseconds(100));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (ec || closed_) return;
            if (stopping_) return close();
            poll_stop();
        });
    }

    void read() {
        with([this](auto& s) {
            s.async_read_some(asio::buffer(in_), [this](boost::system::error_code ec, std::size_t n) {
                if (ec || nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(in_), n) < 0)
                    return close();
                write();
                if (!closed_) read();
            });
        });
    }

    void write() {
        if (writing_ || closed_) return;
        out_.clear();
        for (;;) {
            const std::uint8_t* data = nullptr;
            const auto n = nghttp2_session_mem_send(session_, &data);
            if (n <= 0) break;
            out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
        }
        if (out_.empty()) {
            if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) close();
            return;
        }
        writing_ = true;
        with([this](auto& s) {
            asio::async_write(s, asio::buffer(out_), [this](boost::system::error_code ec, std::size_t) {
                writing_ = false;
                if (ec) return close();
                write();
            });
        });
    }

    h2_stream_state* find(std::int32_t id) {
        const auto it = streams_.find(id);
        return it == streams_.end() ? nullptr : it->second.get();
    }

    // Response bytes from the responder, on the I/O thread.
    void take(h2_stream_state& st, std::string bytes) {
        if (*st.gone) return;
        if (st.submitted) {
            st.pending += bytes;
        } else {
            st.head += bytes;
            const auto end = st.head.find("\r\n\r\n");
            if (end == std::string::npos) return;
            st.pending = st.head.substr(end + 4);
            submit_head(st, st.head.substr(0, end + 2));
        }
        nghttp2_session_resume_data(session_, st.id);
        write();
    }

    void submit_head(h2_stream_state& st, const std::string& head) {
        std::vector<std::pair<std::string, std::string>> fields;
        const auto sp = head.find(' ');
        fields.emplace_back(":status", head.substr(sp + 1, 3));
        for (auto at = head.find("\r\n") + 2; at < head.size();) {
            const auto eol = head.find("\r\n", at);
            const std::string line = head.substr(at, eol - at);
            at = eol + 2;
            const auto colon = line.find(':');
            std::string name = line.substr(0, colon), value = line.substr(colon + 1);
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            value.erase(0, value.find_first_not_of(' '));
            if (name == "connection" || name == "transfer-encoding" || name == "keep-alive") continue;
            fields.emplace_back(std::move(name), std::move(value));
        }
        if (behaviour_.connection_header) fields.emplace_back("connection", "keep-alive");
        std::vector<nghttp2_nv> nva;
        for (auto& [n, v] : fields)
            nva.push_back({reinterpret_cast<std::uint8_t*>(n.data()), reinterpret_cast<std::uint8_t*>(v.data()), n.size(),
                           v.size(), NGHTTP2_NV_FLAG_NONE});
        nghttp2_data_provider body{};
        body.source.ptr = &st;
        body.read_callback = read_body;
        nghttp2_submit_response(session_, st.id, nva.data(), nva.size(), &body);
        st.submitted = true;
    }

    static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t* buf, std::size_t length, std::uint32_t* flags,
                             nghttp2_data_source* source, void*) {
        auto& st = *static_cast<h2_stream_state*>(source->ptr);
        const auto n = std::min(length, st.pending.size());
        std::copy_n(st.pending.data(), n, buf);
        st.pending.erase(0, n);
        if (st.pending.empty() && st.finished) *flags |= NGHTTP2_DATA_FLAG_EOF;
        else if (n == 0) return NGHTTP2_ERR_DEFERRED;
        return static_cast<ssize_t>(n);
    }

    void start(h2_stream_state& st) {
        auto* io = &io_;
        const auto gone = st.gone;
        h2_stream_state* p = &st;
        st.thread = std::thread([this, io, gone, p] {
            const h2_writer writer = [this, io, gone, p](std::string_view bytes) {
                if (*gone) return false;
                asio::post(*io, [this, p, b = std::string(bytes)]() mutable { take(*p, std::move(b)); });
                return true;
            };
            responder_(p->request, writer);
            asio::post(*io, [this, p] {
                if (*p->gone) return;
                p->finished = true;
                if (!p->submitted) submit_head(*p, p->head.empty() ? "HTTP/1.1 500 Error\r\n" : p->head);
                nghttp2_session_resume_data(session_, p->id);
                write();
            });
        });
    }

    static connection& self(void* user) { return *static_cast<connection*>(user); }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
        auto st = std::make_unique<h2_stream_state>();
        st->id = frame->hd.stream_id;
        self(user).streams_[st->id] = std::move(st);
        return 0;
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                         const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
        auto* st = self(user).find(frame->hd.stream_id);
        if (!st) return 0;
        const std::string n(reinterpret_cast<const char*>(name), namelen), v(reinterpret_cast<const char*>(value), valuelen);
        if (n == ":method") st->request.method = v;
        else if (n == ":path") st->request.target = v;
        else if (!n.empty() && n[0] != ':') st->request.headers.emplace_back(n, v);
        return 0;
    }

    static int on_data(nghttp2_session*, std::uint8_t, std::int32_t id, const std::uint8_t* data, std::size_t len, void* user) {
        if (auto* st = self(user).find(id)) st->request.body.append(reinterpret_cast<const char*>(data), len);
        return 0;
    }

    static int on_frame(nghttp2_session*, const nghttp2_frame* frame, void* user) {
        if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0)
            if (auto* st = self(user).find(frame->hd.stream_id); st && !st->thread.joinable()) self(user).start(*st);
        return 0;
    }

    static int on_stream_close(nghttp2_session* session, std::int32_t id, std::uint32_t error_code, void* user) {
        auto& c = self(user);
        if (auto* st = c.find(id)) *st->gone = true;
        if (error_code == NGHTTP2_CANCEL && c.behaviour_.reset_disturbs_others) {
            for (auto& [other, st] : c.streams_) {
                if (other == id || *st->gone) continue;
                *st->gone = true;
                nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, other, NGHTTP2_CANCEL);
            }
        }
        return 0;
    }

    tcp::socket& socket_;
    asio::ssl::stream<tcp::socket&>* tls_;
    h2_behaviour behaviour_;
    const h2_responder& responder_;
    const std::atomic<bool>& stopping_;
    asio::io_context& io_;
    asio::steady_timer timer_;
    nghttp2_session* session_ = nullptr;
    std::map<std::int32_t, std::unique_ptr<h2_stream_state>> streams_;  // kept until the connection ends
    char in_[16384];
    std::string out_;
    bool writing_ = false;
    bool closed_ = false;
};

}  // namespace

void serve_h2(tcp::socket& socket, asio::ssl::stream<tcp::socket&>* tls, const h2_behaviour& behaviour,
              const h2_responder& responder, const std::atomic<bool>& stopping) {
    connection c(socket, tls, behaviour, responder, stopping);
    c.run();
}

}  // namespace sse::test
