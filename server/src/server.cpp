#include "sse/server/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/write.hpp>

#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "asio.hpp"
#include "context.hpp"
#include "flusher.hpp"
#include "h2_connection.hpp"
#include "http_session.hpp"
#include "listener.hpp"
#include "redis/backplane.hpp"
#include "scripted_session.hpp"
#include "sse/encoder.hpp"

namespace sse::server {
namespace detail {
namespace {

hub_options hub_settings(const config& c, context& ctx) {
    hub_options o;
    // One fan-out shard per I/O thread: each thread delivers to the streams it owns.
    for (unsigned k = 0; k < context::io_thread_count(c); ++k)
        o.shards.emplace_back([&ctx, k](std::function<void()> task) {
            net::post(ctx.io_contexts[k]->get_executor(), std::move(task));
        });
    o.fanout_backlog = c.fanout_backlog;
    if (c.redis.enabled()) {
        o.first_id_base = 0;  // ids come from Redis; the first one ingested sets the floor
    } else if (c.first_id_base) {
        o.first_id_base = *c.first_id_base;
    } else {
        const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
        o.first_id_base = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
    }
    o.history_size = c.history_size;
    o.history_age = c.history_age;
    o.history_bytes = c.history_bytes;
    return o;
}

// Serialised once by Beast: every stream's head is the same bytes. No Content-Length and no
// chunking: on HTTP/1.1 the body then runs until the connection closes (RFC 9112 6.3), so event
// frames go to the socket exactly as the encoder made them.
std::string stream_head_bytes(const std::optional<std::string>& cors_origin) {
    std::ostringstream out;
    out << context::stream_head_header(cors_origin);
    return out.str();
}

frame comment(std::string_view text) {
    std::string bytes;
    sse::encode_comment(text, bytes);
    return make_frame(std::move(bytes));
}

}  // namespace

context::context(config c)
    : settings(std::move(c)),
      log(settings.logging.level, settings.logging.format, settings.logging.sink),
      events(hub_settings(settings, *this), stats),
      files(settings.static_dir),
      stream_head(make_frame(stream_head_bytes(std::nullopt))),
      heartbeat(comment(" keep-alive")),
      goodbye(comment(" server shutting down")) {
    if (settings.redis.enabled())
        redis = std::make_unique<backplane>(settings.redis, events, stats, log);
    if (settings.retry_ms) {
        std::string bytes;
        sse::encode_retry(*settings.retry_ms, bytes);
        retry_hint = make_frame(std::move(bytes));
    }
}

context::~context() = default;

flusher* context::flusher_for(const net::any_io_executor& executor) const {
    const net::execution_context& owner = net::query(executor, net::execution::context);
    for (const auto& [ioc, f] : flushers)
        if (ioc == &owner) return f;
    return nullptr;
}

std::size_t context::shard_for(const net::any_io_executor& executor) const {
    const net::execution_context& owner = net::query(executor, net::execution::context);
    for (std::size_t k = 0; k < io_contexts.size(); ++k)
        if (io_contexts[k] == &owner) return k;
    return 0;
}

unsigned context::io_thread_count(const config& settings) {
    if (settings.threads != 0) return settings.threads;
    return std::max(1u, std::thread::hardware_concurrency());
}

beast::http::response_header<> context::stream_head_header(
    const std::optional<std::string>& cors_origin) {
    namespace http = beast::http;
    http::response_header<> r;
    r.result(http::status::ok);
    r.version(11);
    r.set(http::field::server, "ssekit");
    r.set(http::field::content_type, "text/event-stream");
    r.set(http::field::cache_control, "no-cache");
    r.set("X-Accel-Buffering", "no");
    if (cors_origin) {
        r.set(http::field::access_control_allow_origin, *cors_origin);
        r.set(http::field::vary, "Origin");
    }
    return r;
}

frame context::stream_head_for(const std::optional<std::string>& cors_origin) const {
    if (!cors_origin) return stream_head;
    return make_frame(stream_head_bytes(cors_origin));
}

}  // namespace detail

/// One I/O thread: its own io_context, run by that thread alone, so every handler of a connection
/// runs on one thread without a strand, and the thread's flush window starts its streams' writes
/// directly.
struct io_worker {
    explicit io_worker(const config& c) : ioc(1) {
        if (c.flush_interval.count() > 0) flush.emplace(ioc.get_executor(), c.flush_interval);
    }
    detail::net::io_context ioc;
    std::optional<detail::net::executor_work_guard<detail::net::io_context::executor_type>> work;
    // Declared after the io_context, so destroyed before it: its timer belongs to the io_context.
    std::optional<detail::flusher> flush;
    std::thread thread;
};

struct server::impl {
    explicit impl(config c) : ctx(std::move(c)) {
        for (unsigned i = 0; i < thread_count(); ++i) {
            workers.push_back(std::make_unique<io_worker>(ctx.settings));
            ctx.io_contexts.push_back(&workers.back()->ioc);
            if (workers.back()->flush)
                ctx.flushers.emplace_back(&workers.back()->ioc, &*workers.back()->flush);
        }
        ticker.emplace(workers.front()->ioc.get_executor());
    }

    unsigned thread_count() const { return detail::context::io_thread_count(ctx.settings); }

    void do_tick() {
        // Without heartbeats the ticker still runs, rarely, to expire history.
        const auto every = ctx.settings.heartbeat.count() > 0 ? ctx.settings.heartbeat
                                                              : std::chrono::milliseconds(60000);
        ticker->expires_after(every);
        ticker->async_wait([this](const detail::error_code& ec) {
            if (ec || ctx.stopping.load()) return;
            if (ctx.settings.heartbeat.count() > 0) {
                ctx.events.broadcast(ctx.heartbeat);
                for (const auto& s : ctx.scripts.alive()) s->heartbeat(ctx.heartbeat);
            }
            ctx.events.sweep();
            do_tick();
        });
    }

    bool has_tls() const {
        const config& c = ctx.settings;
        return !c.tls_cert_file.empty() || !c.tls_key_file.empty() || c.tls_port.has_value();
    }

    /// Loads the configured certificate and key into ctx.tls, logging the outcome. `reload`: the
    /// previous context stays on error, and the lines say so.
    std::error_code load_tls(bool reload) {
        const config& c = ctx.settings;
        std::lock_guard lock(tls_mutex);  // one load at a time: the newest files win
        detail::tls_load_result r = detail::load_tls(c.tls_cert_file, c.tls_key_file, c.http2);
        if (r.error) {
            if (reload)
                ctx.log.write(log_level::error, "tls reload failed",
                              {{"error", r.detail}, {"hint", r.hint},
                               {"kept", "the previous certificate stays in use"}});
            else
                ctx.log.write(log_level::error, "cannot load TLS certificate",
                              {{"error", r.detail}, {"hint", r.hint}});
            return r.error;
        }
        ctx.tls.replace(std::move(r.context));
        ctx.log.write(log_level::info, reload ? "tls certificate reloaded" : "tls certificate loaded",
                      {{"cert", c.tls_cert_file}, {"subject", r.info.subject},
                       {"not_after", r.info.not_after}, {"sha256", r.info.sha256}});
        if (r.info.expired || r.info.not_yet_valid)
            ctx.log.write(log_level::warn,
                          r.info.expired ? "tls certificate expired" : "tls certificate not yet valid",
                          {{"cert", c.tls_cert_file}, {"not_after", r.info.not_after},
                           {"hint", "clients will refuse it: renew it, then send SIGHUP"}});
        return {};
    }

    detail::context ctx;  // declared first: outlives the io_contexts and every session in them
    std::vector<std::unique_ptr<io_worker>> workers;
    std::vector<std::shared_ptr<detail::listener>> listeners;  // plain and/or TLS
    std::optional<detail::net::steady_timer> ticker;  // runs on the first worker
    std::uint16_t bound_port = 0;
    std::uint16_t bound_tls_port = 0;
    std::mutex tls_mutex;

    std::mutex mutex;
    std::condition_variable all_exited;
    unsigned running = 0;
    bool started = false;
    bool stopped = false;
};

server::server(config settings) : impl_(std::make_unique<impl>(std::move(settings))) {}

server::~server() { stop(); }

std::error_code server::start() {
    namespace net = detail::net;
    impl& s = *impl_;
    if (s.started) return std::make_error_code(std::errc::operation_not_permitted);
    const config& c = s.ctx.settings;
    detail::error_code ec;
    const auto address = net::ip::make_address(c.address, ec);
    if (ec) return std::error_code(ec);
    const bool tls = s.has_tls();
    if (tls && (c.tls_cert_file.empty() || c.tls_key_file.empty()))
        return make_error_code(tls_errc::incomplete_config);
    if (tls)
        if (const std::error_code tls_ec = s.load_tls(false)) return tls_ec;

    std::vector<net::any_io_executor> executors;
    for (const auto& w : s.workers) executors.emplace_back(w->ioc.get_executor());
    // `port` speaks plain HTTP unless TLS has no port of its own; tls_port adds an HTTPS listener.
    std::vector<std::pair<std::uint16_t, bool>> ports;  // port, tls
    if (!tls || c.tls_port) ports.emplace_back(c.port, false);
    if (tls) ports.emplace_back(c.tls_port.value_or(c.port), true);
    for (const auto& [port, is_tls] : ports) {
        auto l = std::make_shared<detail::listener>(executors, s.ctx, is_tls);
        if (const std::error_code open_ec = l->open(detail::tcp::endpoint(address, port))) {
            s.ctx.log.write(log_level::error, "cannot listen",
                            {{"address", c.address}, {"port", port}, {"error", open_ec.message()}});
            s.listeners.clear();  // never ran: their sockets just close
            return open_ec;
        }
        s.listeners.push_back(std::move(l));
    }
    s.bound_port = s.listeners.front()->port();
    if (tls) s.bound_tls_port = s.listeners.back()->port();
    if (s.ctx.log.enabled(log_level::info)) {
        // Last of the startup lines, so a reader that waits for them has seen the others. Tools
        // that start the server with --port 0 read the port from them.
        if (!c.static_dir.empty())
            s.ctx.log.write(log_level::info, "serving static files", {{"dir", c.static_dir}});
        const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
        for (const auto& l : s.listeners) {
            const std::string url = (l->is_tls() ? "https://" : "http://") + host + ":" +
                                    std::to_string(l->port()) + "/";
            s.ctx.log.write(log_level::info, "listening",
                            {{"address", address.to_string()}, {"port", l->port()}, {"url", url},
                             {"threads", s.thread_count()}});
        }
    }
    s.started = true;
    if (s.ctx.redis) s.ctx.redis->start();
    for (const auto& w : s.workers) w->work.emplace(w->ioc.get_executor());
    for (const auto& l : s.listeners) l->run();
    net::post(s.ticker->get_executor(), [this] { impl_->do_tick(); });

    for (const auto& w : s.workers) {
        w->thread = std::thread([this, &ioc = w->ioc] {
            ioc.run();  // returns only after stop() released the work guard
            std::lock_guard lock(impl_->mutex);
            --impl_->running;
            impl_->all_exited.notify_all();
        });
        // Counted once it exists, so stop() waits for the threads that did start.
        std::lock_guard lock(s.mutex);
        ++s.running;
    }
    return {};
}

std::uint16_t server::port() const { return impl_->bound_port; }

std::uint16_t server::tls_port() const { return impl_->bound_tls_port; }

std::error_code server::reload_tls() {
    if (!impl_->has_tls()) return make_error_code(tls_errc::not_configured);
    return impl_->load_tls(true);
}

publish_result server::publish(std::string_view topic, std::string_view data,
                               std::string_view type, id_policy ids) {
    detail::context& ctx = impl_->ctx;
    if (!ctx.redis) return ctx.events.publish(topic, data, type, ids);
    if (const std::error_code ec = ctx.events.validate(topic, type)) return {0, ec};
    auto outcome = std::make_shared<std::promise<publish_result>>();
    std::future<publish_result> done = outcome->get_future();
    ctx.redis->publish(std::string(topic), std::string(data), std::string(type), ids,
                       [outcome](publish_result r) { outcome->set_value(r); });
    // Redis answers, or the connection breaks and the backplane answers; the bound is for a
    // Redis that hangs without closing.
    if (done.wait_for(std::chrono::seconds(30)) != std::future_status::ready)
        return {0, std::make_error_code(std::errc::timed_out)};
    return done.get();
}

void server::stop() {
    namespace net = detail::net;
    impl& s = *impl_;
    if (!s.started || s.stopped) return;
    s.stopped = true;

    // Order matters: `stopping` first, so a stream that subscribes after close_all() sees it and
    // closes itself; then no new connections; then every open stream and idle connection.
    s.ctx.stopping.store(true);
    // No event is ingested after the streams' close below; pending publishes are answered 503.
    if (s.ctx.redis) s.ctx.redis->stop();
    s.ctx.log.write(log_level::info, "shutting down",
                    {{"streams", s.ctx.stats.subscribers.load()},
                     {"connections", s.ctx.stats.connections_open.load()}});
    // Every I/O thread must outlive the acceptor: a connection accepted until it closes is handed
    // to one of them. So the work guards go only after the close has run (bounded wait).
    std::vector<std::future<void>> acceptors_done;
    for (const auto& l : s.listeners) {
        auto closed = std::make_shared<std::promise<void>>();
        acceptors_done.push_back(closed->get_future());
        l->stop([closed] { closed->set_value(); });
    }
    net::post(s.ticker->get_executor(), [&s] { s.ticker->cancel(); });
    s.ctx.events.close_all(s.ctx.goodbye);
    // Streams waiting for a window close now, not after it.
    for (const auto& w : s.workers)
        if (w->flush) w->flush->drain();
    for (const auto& session : s.ctx.sessions.alive()) session->close();
    for (const auto& h2 : s.ctx.h2_connections.alive()) h2->close();
    for (const auto& script : s.ctx.scripts.alive()) script->close(s.ctx.goodbye);
    const auto acceptors_deadline = std::chrono::steady_clock::now() + s.ctx.settings.shutdown_timeout;
    for (const auto& done : acceptors_done) done.wait_until(acceptors_deadline);
    for (const auto& w : s.workers) w->work.reset();

    {
        std::unique_lock lock(s.mutex);
        if (!s.all_exited.wait_for(lock, s.ctx.settings.shutdown_timeout,
                                   [&s] { return s.running == 0; }))
            // The bound is reached: cut what is left (its handlers are destroyed).
            for (const auto& w : s.workers) w->ioc.stop();
    }
    for (const auto& w : s.workers)
        if (w->thread.joinable()) w->thread.join();
    // Streams still registered (only after a forced stop) drop their hub reference now, so they
    // die with the io_context's pending handlers.
    s.ctx.events.close_all_now(nullptr);
    s.ctx.log.write(log_level::info, "stopped");
}

sse::server::hub& server::hub() { return impl_->ctx.events; }

const logger& server::log() const { return impl_->ctx.log; }

const metrics& server::stats() const { return impl_->ctx.stats; }

const config& server::settings() const { return impl_->ctx.settings; }

}  // namespace sse::server
