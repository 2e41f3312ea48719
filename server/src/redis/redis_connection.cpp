#include "redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>

namespace sse::server::detail {
namespace {

redis_connection* owner(const redisAsyncContext* c) { return static_cast<redis_connection*>(c->data); }

}  // namespace

redis_connection::redis_connection(net::any_io_executor executor)
    : executor_(std::move(executor)), timer_(executor_) {}

redis_connection::~redis_connection() { close(); }

void redis_connection::open(const redis_endpoint& to, std::chrono::milliseconds timeout,
                            opened_fn done, closed_fn on_closed) {
    opened_ = std::move(done);
    closed_ = std::move(on_closed);
    redisAsyncContext* c = redisAsyncConnect(to.host.c_str(), to.port);
    if (!c || c->err) {
        const std::string why = c ? c->errstr : "out of memory";
        if (c) redisAsyncFree(c);  // no hooks attached yet: nothing else to undo
        return finish_open(why);
    }
    context_ = c;
    c->data = this;
    socket_.emplace(executor_, c->c.fd);
    c->ev.data = this;
    c->ev.addRead = &add_read;
    c->ev.delRead = &del_read;
    c->ev.addWrite = &add_write;
    c->ev.delWrite = &del_write;
    c->ev.cleanup = &cleanup;
    redisAsyncSetDisconnectCallback(c, &on_disconnect);
    // hiredis learns that a non-blocking connect finished from the first writable event: setting
    // the connect callback asks for it (addWrite), so the hooks must be in place first.
    redisAsyncSetConnectCallback(c, &on_connect);

    std::vector<std::vector<std::string>> steps;
    if (!to.password.empty()) steps.push_back({"AUTH", to.password});
    if (to.db != 0) steps.push_back({"SELECT", std::to_string(to.db)});
    pending_steps_ = std::move(steps);
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
        if (ec || self->ready_ || !self->opened_) return;
        // Finished first, so the callbacks close() runs (AUTH's) find open() already done.
        self->finish_open("timed out connecting to Redis");
        self->close();
    });
}

bool redis_connection::command(const std::vector<std::string>& argv, reply_fn done) {
    if (!context_ || closing_) return false;
    std::vector<const char*> args;
    std::vector<std::size_t> lengths;
    args.reserve(argv.size());
    lengths.reserve(argv.size());
    for (const std::string& a : argv) {
        args.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* callback = new reply_fn(std::move(done));
    if (redisAsyncCommandArgv(context_, &on_reply, callback, static_cast<int>(args.size()),
                              args.data(), lengths.data()) != REDIS_OK) {
        delete callback;  // not queued: hiredis will never call it
        return false;
    }
    return true;
}

void redis_connection::close() {
    closing_ = true;
    timer_.cancel();
    if (redisAsyncContext* c = context_) {
        // The pending commands' callbacks run inside redisAsyncFree and may drop the last
        // reference to this object elsewhere: hold one until it returns (none when called from
        // the destructor). cleanup() clears context_.
        const std::shared_ptr<redis_connection> keep = weak_from_this().lock();
        redisAsyncFree(c);
    }
}

void redis_connection::on_connect(const redisAsyncContext* c, int status) {
    redis_connection& self = *owner(c);
    if (status != REDIS_OK) {
        // hiredis frees the context right after this callback returns (cleanup() follows), and
        // this callback is not one it protects against a free: the owner hears of it later.
        self.closing_ = true;
        net::post(self.executor_, [keep = self.shared_from_this(), why = std::string(c->errstr)] {
            keep->finish_open(why);
        });
        return;
    }
    self.handshake();
}

void redis_connection::handshake() {
    if (pending_steps_.empty()) {
        ready_ = true;
        timer_.cancel();
        return finish_open({});
    }
    std::vector<std::string> step = std::move(pending_steps_.front());
    pending_steps_.erase(pending_steps_.begin());
    const std::string name = step.front();
    command(step, [this, name](const redis_reply& reply, std::string_view error) {
        if (!opened_) return;  // open() already finished (timed out)
        if (!error.empty() || reply.is_error()) {
            const std::string why = name + " failed: " +
                                    std::string(error.empty() ? std::string_view(reply.text) : error);
            close();
            return finish_open(why);
        }
        handshake();
    });
}

void redis_connection::finish_open(std::string_view error) {
    opened_fn done = std::move(opened_);
    opened_ = nullptr;
    if (done) done(error);
}

void redis_connection::on_disconnect(const redisAsyncContext* c, int) {
    redis_connection& self = *owner(c);
    const std::string why = c->errstr[0] != '\0' ? c->errstr : "connection closed by Redis";
    const bool was_ready = self.ready_;
    self.ready_ = false;
    if (self.closing_) return;
    self.closing_ = true;
    // Told from a fresh handler, outside hiredis's teardown of the context.
    net::post(self.executor_, [keep = self.shared_from_this(), why, was_ready] {
        if (!was_ready) return keep->finish_open(why);
        if (keep->closed_) keep->closed_(why);
    });
}

void redis_connection::on_reply(redisAsyncContext* c, void* reply, void* privdata) {
    std::unique_ptr<reply_fn> done(static_cast<reply_fn*>(privdata));
    if (!reply) {
        (*done)(redis_reply{}, c->errstr[0] != '\0' ? c->errstr : "connection closed");
        return;
    }
    (*done)(redis_reply::from(static_cast<const redisReply*>(reply)), {});
}

void redis_connection::add_read(void* p) {
    auto* self = static_cast<redis_connection*>(p);
    self->reading_ = true;
    self->arm_read();
}

void redis_connection::del_read(void* p) { static_cast<redis_connection*>(p)->reading_ = false; }

void redis_connection::add_write(void* p) {
    auto* self = static_cast<redis_connection*>(p);
    self->writing_ = true;
    self->arm_write();
}

void redis_connection::del_write(void* p) { static_cast<redis_connection*>(p)->writing_ = false; }

void redis_connection::cleanup(void* p) {
    auto* self = static_cast<redis_connection*>(p);
    self->context_ = nullptr;
    self->reading_ = self->writing_ = false;
    // ready_ stays: on_disconnect(), which hiredis calls next, needs to know the connection was
    // open; is_open() is false anyway without a context.
    // hiredis closes the socket itself (redisFree): only stop watching it. release() also
    // cancels the outstanding waits, whose handlers then find no context.
    if (self->socket_) {
        self->socket_->release();
        self->socket_.reset();
    }
}

void redis_connection::arm_read() {
    if (read_waiting_ || !socket_) return;
    read_waiting_ = true;
    socket_->async_wait(net::posix::stream_descriptor::wait_read,
                        [self = shared_from_this()](const error_code& ec) {
                            self->read_waiting_ = false;
                            if (ec || !self->context_ || !self->reading_) return;
                            redisAsyncHandleRead(self->context_);
                            if (self->context_ && self->reading_) self->arm_read();
                        });
}

void redis_connection::arm_write() {
    if (write_waiting_ || !socket_) return;
    write_waiting_ = true;
    socket_->async_wait(net::posix::stream_descriptor::wait_write,
                        [self = shared_from_this()](const error_code& ec) {
                            self->write_waiting_ = false;
                            if (ec || !self->context_ || !self->writing_) return;
                            redisAsyncHandleWrite(self->context_);
                            if (self->context_ && self->writing_) self->arm_write();
                        });
}

}  // namespace sse::server::detail
