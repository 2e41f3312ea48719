#include "backplane.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>

#include "redis_scripts.hpp"

namespace sse::server::detail {
namespace {

std::string random_epoch() {
    std::random_device device;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 4; ++i) {
        std::uint32_t v = device();
        for (int k = 0; k < 8; ++k, v >>= 4) out += hex[v & 15];
    }
    return out;
}

std::uint64_t now_micros() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

// The value of `key:` in INFO's text, or "".
std::string info_field(std::string_view info, std::string_view key) {
    std::size_t at = 0;
    while ((at = info.find(key, at)) != std::string_view::npos) {
        const bool line_start = at == 0 || info[at - 1] == '\n';
        if (line_start && info.substr(at + key.size(), 1) == ":") {
            const std::size_t from = at + key.size() + 1;
            const std::size_t end = info.find_first_of("\r\n", from);
            return std::string(info.substr(from, end == std::string_view::npos ? end : end - from));
        }
        at += key.size();
    }
    return {};
}

// "A-B" into its two numbers.
bool split_entry_id(std::string_view id, std::uint64_t& a, std::uint64_t& b) {
    const auto dash = id.find('-');
    if (dash == std::string_view::npos) return false;
    const char* p = id.data();
    const auto r1 = std::from_chars(p, p + dash, a);
    const auto r2 = std::from_chars(p + dash + 1, p + id.size(), b);
    return r1.ec == std::errc{} && r1.ptr == p + dash && r2.ec == std::errc{} &&
           r2.ptr == p + id.size();
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

backplane::backplane(const redis_options& options, hub& events, metrics& stats, const logger& log)
    : options_(options), events_(events), stats_(stats), log_(log),
      stream_key_(options.key_prefix + ":stream"), counter_key_(options.key_prefix + ":counter"),
      epoch_key_(options.key_prefix + ":epoch"), replid_key_(options.key_prefix + ":replid"),
      ioc_(1), position_("0-0"),
      backoff_(options.reconnect_min, options.reconnect_max, std::random_device{}()),
      retry_timer_(ioc_) {}

backplane::~backplane() { stop(); }

void backplane::start() {
    work_.emplace(ioc_.get_executor());
    net::post(ioc_, [this] { connect(); });
    thread_ = std::thread([this] { ioc_.run(); });
}

void backplane::stop() {
    if (!thread_.joinable()) return;
    net::post(ioc_, [this] {
        stopped_ = true;
        retry_timer_.cancel();
        teardown();
        work_.reset();
    });
    thread_.join();
}

void backplane::publish(std::string topic, std::string data, std::string type, id_policy ids,
                        publish_fn done) {
    net::post(ioc_, [this, topic = std::move(topic), data = std::move(data),
                     type = std::move(type), ids, done = std::move(done)]() mutable {
        auto refuse = [&](std::errc e) {
            metrics::add(stats_.backplane_publish_failures);
            done({0, std::make_error_code(e)});
        };
        if (!is_up() || !commands_) return refuse(std::errc::not_connected);
        const std::uint64_t generation = generation_;
        const bool sent = commands_->command(
            {"EVALSHA", sha_, "3", counter_key_, stream_key_, epoch_key_, epoch_,
             std::to_string(options_.backlog), std::move(topic), std::move(type), std::move(data),
             ids == id_policy::none ? "none" : "id"},
            [this, generation, done](const redis_reply& reply, std::string_view error) {
                if (!error.empty()) {
                    metrics::add(stats_.backplane_publish_failures);
                    return done({0, std::make_error_code(std::errc::connection_aborted)});
                }
                if (reply.is_error()) {
                    metrics::add(stats_.backplane_publish_failures);
                    // The data set changed (EPOCH) or lost the script (NOSCRIPT: Redis
                    // restarted): nothing was written. Reconnecting checks it again.
                    const bool changed = starts_with(reply.text, "EPOCH") ||
                                         starts_with(reply.text, "NOSCRIPT");
                    done({0, std::make_error_code(changed ? std::errc::not_connected
                                                          : std::errc::io_error)});
                    if (changed) fail(generation, "redis data set changed", reply.text);
                    return;
                }
                const std::uint64_t id = reply.as_u64().value_or(0);
                head_ = std::max(head_, id);
                update_lag();
                done({id, {}});
            });
        if (!sent) refuse(std::errc::not_connected);
    });
}

void backplane::connect() {
    if (stopped_) return;
    const std::uint64_t generation = ++generation_;
    if (!options_.sentinels.empty()) return ask_sentinel(generation, 0);
    open_links(generation, {options_.host, options_.port, options_.db, options_.password});
}

void backplane::ask_sentinel(std::uint64_t generation, std::size_t index) {
    if (generation != generation_) return;
    if (index == options_.sentinels.size())
        return fail(generation, "redis sentinel gave no primary",
                    "no Sentinel answered with an address for '" + options_.master + "'");
    redis_endpoint at;
    parse_host_port(options_.sentinels[index], at.host, at.port);
    sentinel_ = std::make_shared<redis_connection>(ioc_.get_executor());
    auto asked = sentinel_;
    sentinel_->open(
        at, options_.connect_timeout,
        [this, generation, index, asked](std::string_view error) {
            if (generation != generation_) return;
            if (!error.empty()) return ask_sentinel(generation, index + 1);
            asked->command(
                {"SENTINEL", "get-master-addr-by-name", options_.master},
                [this, generation, index, asked](const redis_reply& reply, std::string_view e) {
                    asked->close();
                    if (generation != generation_) return;
                    std::uint16_t port = 0;
                    if (!e.empty() || reply.type != redis_reply::kind::array ||
                        reply.elements.size() != 2 ||
                        std::from_chars(reply.elements[1].text.data(),
                                        reply.elements[1].text.data() +
                                            reply.elements[1].text.size(),
                                        port)
                                .ec != std::errc{})
                        return ask_sentinel(generation, index + 1);
                    open_links(generation, {reply.elements[0].text, port, options_.db,
                                            options_.password});
                });
        },
        {});
}

void backplane::open_links(std::uint64_t generation, const redis_endpoint& to) {
    primary_ = to;
    commands_ = std::make_shared<redis_connection>(ioc_.get_executor());
    reader_ = std::make_shared<redis_connection>(ioc_.get_executor());
    const auto lost = [this, generation](std::string_view why) {
        fail(generation, "redis connection lost", why);
    };
    commands_->open(
        to, options_.connect_timeout,
        [this, generation, to, lost](std::string_view error) {
            if (generation != generation_) return;
            if (!error.empty()) return fail(generation, "redis connect failed", error);
            reader_->open(
                to, options_.connect_timeout,
                [this, generation](std::string_view e) {
                    if (generation != generation_) return;
                    if (!e.empty()) return fail(generation, "redis connect failed", e);
                    check(generation);
                },
                lost);
        },
        lost);
}

void backplane::check(std::uint64_t generation) {
    commands_->command({"SCRIPT", "LOAD", std::string(publish_script)},
                       [this, generation](const redis_reply& loaded, std::string_view error) {
        if (generation != generation_) return;
        if (!error.empty() || loaded.type != redis_reply::kind::string)
            return fail(generation, "redis script load failed",
                        error.empty() ? std::string_view(loaded.text) : error);
        sha_ = loaded.text;
        commands_->command({"INFO", "replication"},
                           [this, generation](const redis_reply& info, std::string_view e) {
            if (generation != generation_) return;
            if (!e.empty() || info.type != redis_reply::kind::string)
                return fail(generation, "redis INFO failed", e.empty() ? std::string_view(info.text) : e);
            const std::string role = info_field(info.text, "role");
            if (role != "master")
                return fail(generation, "redis is not a primary",
                            "role:" + role + " (point --redis at the primary, or use Sentinel)");
            const std::uint64_t high = events_.last_id();
            commands_->command(
                {"EVAL", std::string(check_script), "3", epoch_key_, counter_key_, replid_key_,
                 random_epoch(), std::to_string(std::max(now_micros(), high)),
                 std::to_string(high), info_field(info.text, "master_replid"),
                 info_field(info.text, "master_replid2")},
                [this, generation](const redis_reply& reply, std::string_view e2) {
                    if (generation != generation_) return;
                    if (!e2.empty()) return fail(generation, "redis check failed", e2);
                    on_checked(generation, reply);
                });
        });
    });
}

void backplane::on_checked(std::uint64_t generation, const redis_reply& reply) {
    if (reply.type != redis_reply::kind::array || reply.elements.size() != 3)
        return fail(generation, "redis check failed",
                    reply.is_error() ? reply.text : std::string("unexpected reply"));
    const std::string& epoch = reply.elements[0].text;
    std::string reason = reply.elements[1].text;
    if (reason.empty()) {
        // Another node started the epoch: the reason is part of it.
        const auto colon = epoch.find(':');
        reason = colon == std::string::npos ? "epoch-changed" : epoch.substr(colon + 1);
    }
    const std::uint64_t counter = reply.elements[2].as_u64().value_or(0);
    if (!epoch_.empty() && epoch != epoch_) {
        // What this node holds belongs to a data set that is gone, or lost events: subscribers
        // are told, and reading restarts after the node's last id (the new epoch's ids are all
        // above it).
        log_.write(log_level::warn, "redis data loss detected",
                   {{"reason", reason},
                    {"last_event_id", events_.last_id()},
                    {"hint", "subscribers got sse-history-truncated; see docs/DEPLOY.md"}});
        events_.lose(reason);
        position_ = std::to_string(events_.last_id()) + "-0";
    }
    epoch_ = epoch;
    fresh_from_ = counter;
    head_ = std::max(head_, counter);
    backoff_.reset();
    up_.store(true, std::memory_order_release);
    stats_.backplane_up.store(1, std::memory_order_relaxed);
    log_.write(log_level::info, "redis connected",
               {{"host", primary_.host}, {"port", primary_.port}, {"epoch", epoch_},
                {"position", position_}});
    update_lag();
    read(generation);
}

void backplane::read(std::uint64_t generation) {
    const bool sent = reader_->command(
        {"XREAD", "COUNT", "1000", "BLOCK", "1000", "STREAMS", stream_key_, position_},
        [this, generation](const redis_reply& reply, std::string_view error) {
            if (generation != generation_) return;
            if (!error.empty()) return;  // the connection's loss is reported on its own
            if (reply.is_error()) return fail(generation, "redis XREAD failed", reply.text);
            ingest(reply);
            if (generation == generation_) read(generation);
        });
    if (!sent) fail(generation, "redis connection lost", "XREAD could not be sent");
}

void backplane::ingest(const redis_reply& reply) {
    // [[stream, [[id, [field, value, ...]], ...]]], or nil when BLOCK timed out.
    if (reply.type != redis_reply::kind::array || reply.elements.empty()) return;
    const redis_reply& stream = reply.elements.front();
    if (stream.elements.size() != 2) return;
    for (const redis_reply& entry : stream.elements[1].elements) {
        if (entry.elements.size() != 2) continue;
        const std::string& id_text = entry.elements[0].text;
        std::uint64_t number = 0, seq = 0;
        if (!split_entry_id(id_text, number, seq)) continue;
        position_ = id_text;
        std::string_view topic, type, data;
        const auto& fields = entry.elements[1].elements;
        for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
            const std::string& name = fields[i].text;
            if (name == "t") topic = fields[i + 1].text;
            else if (name == "e") type = fields[i + 1].text;
            else if (name == "d") data = fields[i + 1].text;
        }
        if (seq != 0) {
            // Ephemeral: only for whoever is connected when it is published, not on catch-up.
            if (number >= fresh_from_) events_.ingest(0, topic, data, type);
            continue;
        }
        const publish_result r = events_.ingest(number, topic, data, type);
        head_ = std::max(head_, number);
        if (r.error == std::errc::result_out_of_range) {
            // An id at or below one already delivered: the counter went backwards. Never deliver
            // it (it would reuse an id); tell subscribers, and reconnect so the check starts a
            // new epoch above every id seen.
            log_.write(log_level::error, "redis stream went backwards",
                       {{"entry", id_text}, {"last_event_id", events_.last_id()}});
            events_.lose("counter-behind");
            return fail(generation_, "redis stream went backwards", id_text);
        }
    }
    update_lag();
}

void backplane::fail(std::uint64_t generation, std::string_view what, std::string_view why) {
    if (generation != generation_ || stopped_) return;
    teardown();
    const auto delay = backoff_.next();
    metrics::add(stats_.backplane_reconnects);
    log_.write(log_level::warn, what,
               {{"error", why}, {"retry_in_ms", static_cast<std::uint64_t>(delay.count())},
                {"hint", "publishing answers 503 until Redis is back; streams stay open"}});
    retry_timer_.expires_after(delay);
    retry_timer_.async_wait([this](const error_code& ec) {
        if (!ec) connect();
    });
}

void backplane::teardown() {
    ++generation_;
    up_.store(false, std::memory_order_release);
    stats_.backplane_up.store(0, std::memory_order_relaxed);
    // Closing answers pending publishes (connection_aborted) and the pending XREAD (ignored).
    for (auto* link : {&commands_, &reader_, &sentinel_}) {
        if (*link) (*link)->close();
        link->reset();
    }
}

void backplane::update_lag() {
    const std::uint64_t last = events_.last_id();
    stats_.backplane_lag.store(head_ > last ? head_ - last : 0, std::memory_order_relaxed);
}

}  // namespace sse::server::detail
