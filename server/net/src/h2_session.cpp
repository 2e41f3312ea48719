#include "sse/net/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "sse/net/error.hpp"

namespace sse::net {

namespace {

// RFC 9113 8.2.2: connection-specific fields a request must not carry over HTTP/2 (Host becomes
// :authority; TE is allowed only as "trailers").
bool is_connection_specific(std::string_view name) {
    for (std::string_view n : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
                               "host"})
        if (iequals(name, n)) return true;
    return false;
}

// RFC 9110 7.6.1: a field the Connection header nominates is connection-specific too.
bool nominated_by_connection(const header_list& headers, std::string_view name) {
    for (const auto& [n, v] : headers) {
        if (!iequals(n, "connection")) continue;
        std::string_view rest = v;
        while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            std::string_view token = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
            while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
            if (!token.empty() && iequals(token, name)) return true;
        }
    }
    return false;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view view(const std::uint8_t* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

nghttp2_nv make_nv(const std::string& name, const std::string& value) {
    // nghttp2_submit_request copies names and values (no NO_COPY flag).
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
            NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

struct h2_session::impl {
    struct stream_state {
        stream_handler* handler = nullptr;
        response_head head;
        bool head_done = false;
    };

    nghttp2_session* session = nullptr;
    // Streams whose handler has not had on_close() yet. Ordered so closing all is deterministic.
    std::map<std::int32_t, stream_state> streams;
    // Request bodies nghttp2 may still read, until nghttp2 itself closes the stream.
    std::map<std::int32_t, std::pair<std::string, std::size_t>> bodies;
    std::string out;                 // frames made by nghttp2, not yet written by the caller
    std::size_t out_start = 0;       // bytes of `out` already consumed
    std::error_code error;           // sticky connection error
    std::string last_error;
    bool goaway_received = false;
    std::uint32_t goaway_code = 0;   // the peer's GOAWAY error code
    bool goaway_sent = false;
    bool finished = false;           // finish() was called
    bool settings_received = false;
    // Inside nghttp2_session_mem_recv or mem_send: nghttp2 must not be re-entered from its own
    // callbacks, so a handler's reset() or submit() leaves its frames to the outer call's drain.
    bool busy = false;

    // Ends stream `id` for its handler (once), with `code`.
    void close(std::int32_t id, std::uint32_t code, closed_by by) {
        auto it = streams.find(id);
        if (it == streams.end()) return;
        stream_handler* h = it->second.handler;
        streams.erase(it);
        h->on_close(code, by);
    }

    // Ends every stream for its handler with `code` (the connection is over).
    void close_all(std::uint32_t code) {
        while (!streams.empty()) close(streams.begin()->first, code, closed_by::connection);
    }

    void fail(std::string why, std::uint32_t code) {
        if (!error) {
            error = errc::h2_protocol;
            last_error = std::move(why);
        }
        close_all(code);
    }

    // Moves every frame nghttp2 has ready into `out`, so output() never runs nghttp2's callbacks.
    void drain() {
        if (!session || error || busy) return;
        for (;;) {
            const std::uint8_t* data = nullptr;
            busy = true;
            const ssize_t n = nghttp2_session_mem_send(session, &data);
            busy = false;
            if (n < 0) {
                fail(std::string("HTTP/2: ").append(nghttp2_strerror(static_cast<int>(n))), NGHTTP2_INTERNAL_ERROR);
                return;
            }
            if (n == 0) break;
            if (out_start > 0 && out_start == out.size()) {
                out.clear();
                out_start = 0;
            }
            out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
        }
        // A GOAWAY with an error code went out (nghttp2 found a connection error): nothing more
        // will arrive for the open streams.
        if (error) close_all(NGHTTP2_INTERNAL_ERROR);
    }

    // ---- nghttp2 callbacks ----

    static impl& self(void* user_data) { return *static_cast<impl*>(user_data); }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        impl& s = self(user_data);
        if (frame->hd.type != NGHTTP2_HEADERS) return 0;
        auto it = s.streams.find(frame->hd.stream_id);
        if (it == s.streams.end() || it->second.head_done) return 0;  // unknown, or trailers
        it->second.head = response_head{};
        it->second.head.version = 20;
        return 0;
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                         const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user_data) {
        impl& s = self(user_data);
        if (frame->hd.type != NGHTTP2_HEADERS) return 0;
        auto it = s.streams.find(frame->hd.stream_id);
        if (it == s.streams.end() || it->second.head_done) return 0;
        response_head& head = it->second.head;
        const std::string_view n = view(name, namelen), v = view(value, valuelen);
        if (!n.empty() && n.front() == ':') {
            if (n == ":status") {
                int status = 0;
                for (char c : v) {
                    if (c < '0' || c > '9' || status > 999) {
                        status = 0;
                        break;
                    }
                    status = status * 10 + (c - '0');
                }
                head.status = status;
            }
            return 0;
        }
        head.headers.emplace_back(std::string(n), std::string(v));
        return 0;
    }

    // The head as an HTTP/1.x one would be kept: a readable rendering and the Content-Length.
    static void complete_head(response_head& head) {
        head.raw.assign("HTTP/2 ").append(std::to_string(head.status)).append("\r\n");
        for (const auto& [n, v] : head.headers) head.raw.append(n).append(": ").append(v).append("\r\n");
        head.raw.append("\r\n");
        const std::string_view cl = head.header("content-length");
        if (!cl.empty()) {
            std::uint64_t value = 0;
            bool ok = true;
            for (char c : cl) {
                if (c < '0' || c > '9' || value > (UINT64_MAX - 9) / 10) {
                    ok = false;
                    break;
                }
                value = value * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (ok) head.content_length = value;
        }
    }

    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        impl& s = self(user_data);
        switch (frame->hd.type) {
        case NGHTTP2_SETTINGS:
            if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) s.settings_received = true;
            return 0;
        case NGHTTP2_GOAWAY:
            s.goaway_received = true;
            s.goaway_code = frame->goaway.error_code;
            if (frame->goaway.error_code != NGHTTP2_NO_ERROR) {
                s.last_error.assign("the server sent GOAWAY ")
                    .append(nghttp2_http2_strerror(frame->goaway.error_code));
                if (frame->goaway.opaque_data_len > 0)
                    s.last_error.append(": ").append(view(frame->goaway.opaque_data, frame->goaway.opaque_data_len));
            }
            return 0;
        case NGHTTP2_HEADERS: {
            auto it = s.streams.find(frame->hd.stream_id);
            if (it == s.streams.end()) return 0;
            stream_state& st = it->second;
            if (!st.head_done) {
                // RFC 9110 15.2: interim (1xx) responses precede the final one; 101 is not
                // allowed in HTTP/2 and ends up as the head, for the caller to reject.
                if (st.head.status >= 100 && st.head.status < 200 && st.head.status != 101 &&
                    (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0)
                    return 0;
                st.head_done = true;
                complete_head(st.head);
                // The handler may reset() the stream from on_head(), which erases `st`: it gets a
                // head of its own, and `st` is not touched after the call.
                response_head head = std::move(st.head);
                stream_handler* h = st.handler;
                h->on_head(head);
            }
            break;
        }
        case NGHTTP2_DATA: break;
        case NGHTTP2_RST_STREAM:
            s.close(frame->hd.stream_id, frame->rst_stream.error_code, closed_by::peer);
            return 0;
        default: return 0;
        }
        // The server's END_STREAM completes the response, whatever our side still sends.
        if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0)
            s.close(frame->hd.stream_id, NGHTTP2_NO_ERROR, closed_by::peer);
        return 0;
    }

    static int on_data_chunk_recv(nghttp2_session* session, std::uint8_t, std::int32_t stream_id,
                                  const std::uint8_t* data, std::size_t len, void* user_data) {
        impl& s = self(user_data);
        auto it = s.streams.find(stream_id);
        if (it == s.streams.end()) return 0;
        if (!it->second.handler->on_body(view(data, len))) {
            // The handler is done with this response: CANCEL (RFC 9113 8.7) ends only this stream,
            // unless the handler already ended it (reset() from inside on_body() sent its own).
            if (s.streams.find(stream_id) == s.streams.end()) return 0;
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
            s.close(stream_id, NGHTTP2_CANCEL, closed_by::local);
        }
        return 0;
    }

    static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code, void* user_data) {
        impl& s = self(user_data);
        s.bodies.erase(stream_id);
        // A stream refused by the server's GOAWAY ends with that GOAWAY's code when it has one.
        if (error_code == NGHTTP2_REFUSED_STREAM && s.goaway_received && s.goaway_code != NGHTTP2_NO_ERROR)
            error_code = s.goaway_code;
        // Still open here: ended by the server (its GOAWAY refusing the stream, or a frame that
        // closes both sides); streams this side resets are closed when the RST_STREAM goes out.
        s.close(stream_id, error_code, closed_by::peer);
        return 0;
    }

    static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        impl& s = self(user_data);
        if (frame->hd.type == NGHTTP2_RST_STREAM) {
            // reset() and on_body()'s CANCEL close the stream before their RST_STREAM goes out;
            // one for a stream still open is nghttp2's own: the response broke HTTP/2's rules.
            const std::int32_t id = frame->hd.stream_id;
            if (s.streams.find(id) == s.streams.end()) return 0;
            s.last_error.assign("the response on stream ")
                .append(std::to_string(id))
                .append(" was malformed (RFC 9113 8.1.1, 8.2.2: e.g. a connection-specific header field such as "
                        "Connection, Keep-Alive or Transfer-Encoding, a bad pseudo-header, or DATA that "
                        "contradicts Content-Length); reset with ")
                .append(nghttp2_http2_strerror(frame->rst_stream.error_code));
            s.close(id, frame->rst_stream.error_code, closed_by::local);
            return 0;
        }
        if (frame->hd.type != NGHTTP2_GOAWAY) return 0;
        s.goaway_sent = true;
        if (frame->goaway.error_code != NGHTTP2_NO_ERROR && !s.error) {
            // nghttp2 found a connection error in what the server sent, and ends the connection.
            s.error = errc::h2_protocol;
            std::string why("connection error ");
            why.append(nghttp2_http2_strerror(frame->goaway.error_code));
            if (!s.last_error.empty()) why.append(": ").append(s.last_error);
            s.last_error = std::move(why);
        }
        return 0;
    }

    static int on_error(nghttp2_session*, int, const char* msg, std::size_t len, void* user_data) {
        self(user_data).last_error.assign(msg, len);
        return 0;
    }

    static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                             std::uint32_t* flags, nghttp2_data_source*, void* user_data) {
        impl& s = self(user_data);
        auto it = s.bodies.find(stream_id);
        if (it == s.bodies.end()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            return 0;
        }
        auto& [body, sent] = it->second;
        const std::size_t n = std::min(length, body.size() - sent);
        std::memcpy(buf, body.data() + sent, n);
        sent += n;
        if (sent == body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
        return static_cast<ssize_t>(n);
    }
};

h2_session::h2_session() : h2_session(options{}) {}

h2_session::h2_session(options o) : impl_(std::make_unique<impl>()) {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_option* opt = nullptr;
    if (nghttp2_session_callbacks_new(&cb) != 0 || nghttp2_option_new(&opt) != 0) {
        nghttp2_session_callbacks_del(cb);
        impl_->error = errc::h2_protocol;
        impl_->last_error = "HTTP/2: out of memory";
        return;
    }
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &impl::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, &impl::on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &impl::on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &impl::on_data_chunk_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &impl::on_stream_close);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, &impl::on_frame_send);
    nghttp2_session_callbacks_set_error_callback2(cb, &impl::on_error);
    if (o.lenient_messaging) nghttp2_option_set_no_http_messaging(opt, 1);
    const int rv = nghttp2_session_client_new2(&impl_->session, cb, impl_.get(), opt);
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    if (rv != 0) {
        impl_->session = nullptr;
        impl_->error = errc::h2_protocol;
        impl_->last_error.assign("HTTP/2: ").append(nghttp2_strerror(rv));
        return;
    }
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, std::min<std::uint32_t>(o.window, NGHTTP2_MAX_WINDOW_SIZE)},
    };
    nghttp2_submit_settings(impl_->session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
    // The connection window starts at 65535 whatever SETTINGS say (RFC 9113 6.9.2).
    nghttp2_session_set_local_window_size(impl_->session, NGHTTP2_FLAG_NONE, 0,
                                          static_cast<std::int32_t>(std::min<std::uint32_t>(o.window, NGHTTP2_MAX_WINDOW_SIZE)));
    impl_->drain();
}

h2_session::~h2_session() {
    // Handlers hear nothing once this object goes: forget them before nghttp2 frees its streams.
    impl_->streams.clear();
    if (impl_->session) nghttp2_session_del(impl_->session);
}

std::int32_t h2_session::submit(std::string_view method, const url& u, const header_list& headers,
                                std::string_view body, stream_handler& handler) {
    impl& s = *impl_;
    if (!s.session || s.error) return NGHTTP2_ERR_INVALID_STATE;
    if (!is_open()) return NGHTTP2_ERR_START_STREAM_NOT_ALLOWED;
    if (s.streams.size() >= max_concurrent_streams()) {
        s.last_error = "the server's SETTINGS_MAX_CONCURRENT_STREAMS is reached";
        return too_many_streams;
    }
    const std::string* host = find_header(headers, "host");
    std::vector<std::string> strings;
    strings.reserve(8 + headers.size() * 2);
    std::vector<nghttp2_nv> nva;
    nva.reserve(4 + headers.size());
    auto add = [&](std::string name, std::string value) {
        strings.push_back(std::move(name));
        strings.push_back(std::move(value));
    };
    add(":method", std::string(method));
    add(":scheme", std::string(u.scheme()));
    add(":authority", host ? *host : u.authority());
    add(":path", u.target);
    for (const auto& [name, value] : headers) {
        if (is_connection_specific(name) || nominated_by_connection(headers, name)) continue;
        if (iequals(name, "te") && !iequals(value, "trailers")) continue;
        add(lower(name), value);
    }
    for (std::size_t i = 0; i < strings.size(); i += 2) nva.push_back(make_nv(strings[i], strings[i + 1]));

    nghttp2_data_provider provider{};
    provider.read_callback = &impl::read_body;
    const std::int32_t id = nghttp2_submit_request(s.session, nullptr, nva.data(), nva.size(),
                                                   body.empty() ? nullptr : &provider, nullptr);
    if (id < 0) {
        s.last_error.assign("HTTP/2: ").append(nghttp2_strerror(id));
        return id;
    }
    s.streams[id].handler = &handler;
    if (!body.empty()) s.bodies[id] = {std::string(body), 0};
    s.drain();
    return id;
}

void h2_session::reset(std::int32_t id, std::uint32_t error_code) {
    impl& s = *impl_;
    if (s.streams.find(id) == s.streams.end()) return;
    if (s.session && !s.error) nghttp2_submit_rst_stream(s.session, NGHTTP2_FLAG_NONE, id, error_code);
    s.close(id, error_code, closed_by::local);
    s.drain();
}

std::error_code h2_session::feed(std::string_view bytes) {
    impl& s = *impl_;
    if (s.error || !s.session) return s.error;
    while (!bytes.empty() && !s.error) {
        s.busy = true;
        const ssize_t n = nghttp2_session_mem_recv(s.session, reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                                   bytes.size());
        s.busy = false;
        if (n < 0) {
            std::string why("HTTP/2: ");
            why.append(nghttp2_strerror(static_cast<int>(n)));
            if (!s.last_error.empty()) why.append(" (").append(s.last_error).append(")");
            s.fail(std::move(why), NGHTTP2_INTERNAL_ERROR);
            break;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
        s.drain();
    }
    s.drain();
    return s.error;
}

void h2_session::finish() {
    impl& s = *impl_;
    s.finished = true;
    s.close_all(s.goaway_received && s.goaway_code != NGHTTP2_NO_ERROR ? s.goaway_code : std::uint32_t{NGHTTP2_INTERNAL_ERROR});
}

std::string_view h2_session::output() {
    return std::string_view(impl_->out).substr(impl_->out_start);
}

void h2_session::consume(std::size_t n) {
    impl& s = *impl_;
    s.out_start = std::min(s.out.size(), s.out_start + n);
    if (s.out_start == s.out.size()) {
        s.out.clear();
        s.out_start = 0;
    }
}

bool h2_session::is_open() const noexcept {
    const impl& s = *impl_;
    return s.session && !s.error && !s.finished && !s.goaway_received && !s.goaway_sent;
}

std::size_t h2_session::open_streams() const noexcept { return impl_->streams.size(); }

std::uint32_t h2_session::max_concurrent_streams() const noexcept {
    if (!impl_->session) return 0;
    return nghttp2_session_get_remote_settings(impl_->session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

bool h2_session::has_remote_settings() const noexcept { return impl_->settings_received; }

std::string_view h2_session::last_error() const noexcept { return impl_->last_error; }

std::string_view h2_session::error_name(std::uint32_t code) noexcept { return nghttp2_http2_strerror(code); }

void h2_session::shutdown() {
    impl& s = *impl_;
    if (!s.session || s.error || s.goaway_sent) return;
    nghttp2_submit_goaway(s.session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(s.session),
                          NGHTTP2_NO_ERROR, nullptr, 0);
    s.drain();
}

}  // namespace sse::net
