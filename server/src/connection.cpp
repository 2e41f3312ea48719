#include "connection.hpp"

#include <algorithm>

#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

namespace sse::server::detail {
namespace {

// The most plaintext one TLS record carries (RFC 8446 5.1, RFC 5246 6.2.1). Asio's ssl::stream
// encrypts at most one full record per write_some, so a write of this size is one SSL_write and
// one socket write.
constexpr std::size_t record_limit = 16 * 1024;

// A record buffer kept between writes stays small: an idle stream should cost little memory.
constexpr std::size_t record_keep = 4 * 1024;

// Until bind() gives the configured write timeout (an http_session closing), this bounds the
// close_notify.
constexpr std::chrono::milliseconds default_close_timeout{5000};

}  // namespace

connection::tls_layer::tls_layer(tcp::socket&& socket, std::shared_ptr<net::ssl::context> c)
    : context(std::move(c)), flat(std::move(socket), *context) {}

connection::connection(tcp::socket&& socket)
    : plain_(std::in_place, std::move(socket)), write_timeout_(default_close_timeout) {}

connection::connection(tcp::socket&& socket, std::shared_ptr<net::ssl::context> tls)
    : tls_(std::make_unique<tls_layer>(std::move(socket), std::move(tls))),
      write_timeout_(default_close_timeout) {}

connection::~connection() = default;

error_code connection::bind(std::weak_ptr<sink_owner> owner,
                            std::chrono::milliseconds write_timeout) {
    owner_ = std::move(owner);
    write_timeout_ = write_timeout;
    error_code ec;
    // Plain writes are tried synchronously first (write_plain); they must never block the I/O
    // thread. TLS writes are all asynchronous: Asio's ssl::stream cannot take back a record it
    // encrypted, so it must not meet a socket that refuses part of it.
    if (plain_) plain_->socket().non_blocking(true, ec);
    return ec;
}

std::string_view connection::alpn() {
    if (!tls_) return {};
    const unsigned char* data = nullptr;
    unsigned int size = 0;
    SSL_get0_alpn_selected(tls_->ssl().native_handle(), &data, &size);
    if (!data) return {};
    return {reinterpret_cast<const char*>(data), size};
}

bool connection::is_open() const {
    if (closed_) return false;
    return tls_ ? tls_->ssl().next_layer().socket().is_open() : plain_->socket().is_open();
}

sink_write connection::write(std::span<net::const_buffer> frames, std::size_t bytes) {
    if (bytes == 0) return sink_write::complete(0);
    if (closed_) return sink_write::failed(net::error::not_connected);
    if (!tls_) return write_plain(frames, bytes);
    std::shared_ptr<sink_owner> owner = owner_.lock();
    if (!owner) return sink_write::failed(net::error::operation_aborted);
    tls_->frames = frames;
    tls_->sent = 0;
    tls_->total = bytes;
    writing_ = true;
    tcp_layer().expires_after(write_timeout_);
    write_tls_record(std::move(owner));
    return {};
}

sink_write connection::write_plain(std::span<net::const_buffer> frames, std::size_t bytes) {
    // The common case first: the socket's send buffer has room, so non-blocking gathered writes
    // (one sendmsg each, at most 64 buffers per call) hand over everything, with no asynchronous
    // operation, timer or completion handler. Only what the socket does not take goes through
    // async_write with the timeout.
    sink_write r;
    std::size_t at = 0;  // frames[at] is the first with bytes left
    for (;;) {
        error_code ec;
        std::size_t n = plain_->socket().write_some(frames.subspan(at), ec);
        if (ec == net::error::would_block || ec == net::error::try_again) break;
        if (ec) {
            r.ec = ec;
            return r;
        }
        r.sent += n;
        if (r.sent == bytes) {
            r.done = true;
            return r;
        }
        if (n == 0) break;  // nothing taken and no error: leave it to async_write
        while (n >= frames[at].size()) n -= frames[at++].size();
        frames[at] += n;
    }
    std::shared_ptr<sink_owner> owner = owner_.lock();
    if (!owner) {
        r.ec = net::error::operation_aborted;
        return r;
    }
    writing_ = true;
    // tcp_stream's timeout covers each write_some of the composed write: a peer that stops
    // reading stalls one of them, and the stream closes with beast::error::timeout.
    plain_->expires_after(write_timeout_);
    net::async_write(*plain_, frames.subspan(at),
                     [self = shared_from_this(), owner = std::move(owner),
                      sent = r.sent](const error_code& ec, std::size_t rest) {
                         self->writing_ = false;
                         if (!ec) self->plain_->expires_never();
                         owner->on_sent(ec, sent + rest);
                     });
    return r;
}

void connection::write_tls_record(std::shared_ptr<sink_owner> owner) {
    tls_layer& t = *tls_;
    while (!t.frames.empty() && t.frames.front().size() == 0) t.frames = t.frames.subspan(1);
    if (t.frames.empty()) {  // cannot happen while sent < total; reported rather than read past
        return on_tls_written(std::move(owner), net::error::invalid_argument, 0);
    }
    net::const_buffer out = t.frames.front();
    if (out.size() < record_limit && t.frames.size() > 1) {
        // Small frames (events are often 100 bytes) share a record: one SSL_write and one socket
        // write for up to 16 KiB of them, instead of a record, a MAC and a write per frame.
        t.record.clear();
        for (const net::const_buffer& b : t.frames) {
            const std::size_t take = std::min(b.size(), record_limit - t.record.size());
            t.record.append(static_cast<const char*>(b.data()), take);
            if (t.record.size() == record_limit) break;
        }
        out = net::buffer(t.record);
    }
    t.ssl().async_write_some(out, [self = shared_from_this(), owner = std::move(owner)](
                                       const error_code& ec, std::size_t n) mutable {
        self->on_tls_written(std::move(owner), ec, n);
    });
}

void connection::on_tls_written(std::shared_ptr<sink_owner> owner, const error_code& ec,
                                std::size_t n) {
    tls_layer& t = *tls_;
    t.sent += n;
    while (n > 0) {
        net::const_buffer& front = t.frames.front();
        const std::size_t step = std::min(n, front.size());
        front += step;
        n -= step;
        if (front.size() == 0) t.frames = t.frames.subspan(1);
    }
    if (!ec && t.sent < t.total) return write_tls_record(std::move(owner));
    writing_ = false;
    t.frames = {};
    if (t.record.capacity() > record_keep) t.record = std::string();
    if (!ec) tcp_layer().expires_never();
    owner->on_sent(ec, t.sent);
}

void connection::watch() {
    std::shared_ptr<sink_owner> owner = owner_.lock();
    if (!owner || closed_) return;
    if (tls_) watch_tls(std::move(owner));
    else watch_plain(std::move(owner));
}

void connection::watch_plain(std::shared_ptr<sink_owner> owner) {
    // A stream never reads requests, but a readable socket is how a closed peer shows up while
    // nothing is being written. wait_read needs no buffer, which keeps idle streams small.
    plain_->socket().async_wait(
        tcp::socket::wait_read,
        [self = shared_from_this(), owner = std::move(owner)](const error_code& ec) mutable {
            if (ec || self->closed_) return;  // cancelled: the stream is ending
            char discard[512];
            error_code read_ec;  // the socket is non-blocking since bind()
            const std::size_t n = self->plain_->socket().read_some(net::buffer(discard), read_ec);
            if (read_ec == net::error::would_block || (!read_ec && n > 0))
                return self->watch_plain(std::move(owner));  // bytes a stream ignores
            owner->on_peer_gone();  // EOF or a reset
        });
}

void connection::watch_tls(std::shared_ptr<sink_owner> owner) {
    // TLS bytes cannot be skipped below the TLS layer (a close_notify or a key update is among
    // them), so the watch is a small read through it; what it decrypts is dropped.
    tls_->ssl().async_read_some(
        net::buffer(tls_->discard),
        [self = shared_from_this(), owner = std::move(owner)](const error_code& ec,
                                                              std::size_t) mutable {
            if (self->closed_ || ec == net::error::operation_aborted) return;
            if (!ec) return self->watch_tls(std::move(owner));
            owner->on_peer_gone();  // close_notify, EOF (stream_truncated) or a reset
        });
}

void connection::close(bool graceful) {
    if (closed_) return;
    closed_ = true;
    if (tls_ && graceful && !writing_ && tcp_layer().socket().is_open()) {
        error_code ignored;
        // A pending read (a watch, a request) ends here: nothing more is read.
        tcp_layer().socket().cancel(ignored);
        // Marking the peer's close_notify as received makes SSL_shutdown send ours and finish,
        // rather than wait for the peer's answer, which a server closing a response does not
        // need. Without a close_notify, a TLS client cannot tell the end of a body that runs
        // until the connection closes from a truncation.
        SSL_set_shutdown(tls_->ssl().native_handle(), SSL_RECEIVED_SHUTDOWN);
        tcp_layer().expires_after(write_timeout_);
        tls_->ssl().async_shutdown(
            [self = shared_from_this()](const error_code&) { self->close_tcp(); });
        return;
    }
    close_tcp();
}

void connection::close_tcp() {
    error_code ignored;
    beast::tcp_stream& s = tcp_layer();
    // Send FIN after what was written, so a client that reads to the end sees a clean close.
    s.socket().shutdown(tcp::socket::shutdown_send, ignored);
    s.close();
}

}  // namespace sse::server::detail
