// Server cases under load through the publish hook: one very large event, a burst of many small
// ones, and many concurrent subscribers (bounded, for loopback).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server_cases.hpp"
#include "sync.hpp"

namespace sse::conformance {

namespace {

outcome needs_hook() {
    return outcome::skipped_because("needs a way to publish: pass --publish TEMPLATE or --publish-cmd CMD");
}

// 1 MiB of printable ASCII that shows where it was cut: "<offset>:" marks every 64 bytes.
std::string large_data(std::size_t size) {
    std::string d;
    d.reserve(size + 64);
    while (d.size() < size) {
        std::string block = std::to_string(d.size()) + ":";
        block.resize(64, 'a' + static_cast<char>((d.size() / 64) % 26));
        d += block;
    }
    d.resize(size);
    return d;
}

outcome large_event(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_hook();
    stream_reader r(s.subscribe());
    std::string error;
    if (!r.open(error)) return outcome::failed("no stream", "a stream", error, r.raw());
    const std::string nonce = make_nonce(ctx.seed);
    if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
        return outcome::failed("sync failed", "sync", error, r.raw());
    constexpr std::size_t size = std::size_t{1} << 20;
    const std::string data = large_data(size);
    if (!s.publisher->publish({"", data}, error))
        return outcome::skipped_because("the publish hook did not take a 1 MiB event (" + error +
                                        "): a publish limit of the server's, so nothing can be said of delivery");
    const std::string after = "conformance " + nonce + " after";
    if (!s.publisher->publish({"", after}, error)) return outcome::failed("publishing failed", "publish works", error);
    r.read_until([&](const capture& c) { return !c.events.empty() && c.events.back().data == after; }, s.timeout * 2);
    const auto got = after_sync(r.data(), nonce);
    ctx.raw = r.raw().substr(0, 2048);
    if (got.empty() || got.front().data != data) {
        std::string actual = got.empty() ? "no event" : std::to_string(got.front().data.size()) + " bytes";
        if (!got.empty()) {
            std::size_t at = 0;
            while (at < got.front().data.size() && at < data.size() && got.front().data[at] == data[at]) ++at;
            actual += ", first difference at byte " + std::to_string(at);
        }
        if (r.data().ended) actual += "; the server ended the stream";
        return outcome::failed("a 1 MiB event did not arrive intact", "the 1048576 bytes as published, then the next event",
                               actual, ctx.raw);
    }
    if (got.size() < 2 || got[1].data != after)
        return outcome::failed("the event after the 1 MiB one did not follow it", "the next event", std::to_string(got.size()) +
                               " events after the sync", ctx.raw);
    return outcome::passed("a 1 MiB event arrived intact, then the next one");
}

outcome many_subscribers(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_hook();
    constexpr int subscribers = 200;
    std::vector<std::unique_ptr<stream_reader>> readers;
    std::vector<stream_reader*> raw;
    std::string error;
    for (int i = 0; i < subscribers; ++i) {
        readers.push_back(std::make_unique<stream_reader>(s.subscribe()));
        if (!readers.back()->open(error))
            return outcome::failed("subscriber " + std::to_string(i + 1) + " of " + std::to_string(subscribers) +
                                   " got no stream", "every subscriber gets the stream", error, readers.back()->raw());
        raw.push_back(readers.back().get());
    }
    const std::string nonce = make_nonce(ctx.seed);
    if (!sync_readers(*s.publisher, raw, nonce, s.timeout, error))
        return outcome::failed("not every subscriber received the sync event", "all subscribers see every event", error);
    std::vector<publish_request> sent;
    if (!publish_tagged(*s.publisher, nonce, 1, 8, 0, sent, error))
        return outcome::failed("publishing failed", "publish works", error);
    std::vector<std::string> first;
    for (int i = 0; i < subscribers; ++i) {
        auto& r = *readers[static_cast<std::size_t>(i)];
        r.read_until([&](const capture& c) { return has_all(c, sent); }, s.timeout);
        std::vector<std::string> got;
        for (const auto& e : after_sync(r.data(), nonce)) got.push_back(describe(e));
        if (i == 0) first = got;
        std::vector<std::string> want;
        for (const auto& e : sent) want.push_back(data_as_received(e.data));
        std::vector<std::string> data;
        for (const auto& e : after_sync(r.data(), nonce)) data.push_back(e.data);
        if (data != want || got != first) {
            ctx.raw = r.raw().substr(0, 4096);
            return outcome::failed("subscriber " + std::to_string(i + 1) + " of " + std::to_string(subscribers) +
                                   " saw another sequence than subscriber 1", join_lines(first), join_lines(got), ctx.raw);
        }
    }
    return outcome::passed(std::to_string(subscribers) + " concurrent subscribers saw the same " +
                           std::to_string(sent.size()) + " events, ids and order");
}

// 10,000 small events published back to back while the subscriber reads, as a live client
// does: every one must arrive once, in order. The hook publishes from a second thread (one
// request per event); the whole burst is bounded by 20 x --timeout.
outcome burst(context& ctx) {
    auto& s = server_of(ctx);
    if (!s.publisher) return needs_hook();
    constexpr int count = 10000;
    stream_reader r(s.subscribe());
    std::string error;
    if (!r.open(error)) return outcome::failed("no stream", "a stream", error, r.raw());
    const std::string nonce = make_nonce(ctx.seed);
    if (!sync_readers(*s.publisher, {&r}, nonce, s.timeout, error))
        return outcome::failed("sync failed", "sync", error, r.raw());
    const std::string tag = "burst " + nonce + " #";
    const auto budget = s.timeout * 20;
    const auto deadline = http_probe::clock::now() + budget;
    std::atomic<int> published{0};
    std::atomic<bool> finished{false}, stop{false}, too_slow{false};
    std::string publish_error;  // written by the publishing thread, read after join
    const auto started = http_probe::clock::now();
    std::thread publishing([&] {
        for (int i = 1; i <= count && !stop; ++i) {
            if (!s.publisher->publish({"", tag + std::to_string(i)}, publish_error)) break;
            published = i;
            // A hook that cannot publish the burst within the budget (a process per event, say)
            // is known after one --timeout: stop there rather than wait the budget out.
            const auto spent = http_probe::clock::now() - started;
            if (spent > s.timeout && spent * count / i > budget) {
                too_slow = true;
                break;
            }
        }
        finished = true;
    });
    const std::string last = tag + std::to_string(count);
    std::size_t scanned = 0;
    bool got_last = false;
    const auto done = [&](const capture& c) {
        for (; scanned < c.events.size() && !got_last; ++scanned) got_last = c.events[scanned].data == last;
        return got_last;
    };
    while (!got_last && !r.data().ended && http_probe::clock::now() < deadline) {
        if (finished) {
            if (published == count) r.read_until(done, s.timeout);
            break;
        }
        r.read_until(done, std::chrono::milliseconds(100));
    }
    stop = true;
    publishing.join();
    const int n = published;
    if (n < count && !publish_error.empty())
        return outcome::failed("publishing failed after " + std::to_string(n) + " of " + std::to_string(count) +
                                   " events", "the hook takes every event", publish_error);
    if (n < count)
        return outcome::skipped_because(
            "the hook published " + std::to_string(n) + " of " + std::to_string(count) + " events in " +
            std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(http_probe::clock::now() - started)
                               .count()) +
            " ms: " + (too_slow ? "at that rate the burst would take longer than " : "not done within ") +
            std::to_string(budget.count()) + " ms (20 x --timeout); too slow to make a burst (raise --timeout)");
    // What arrived after the sync: each event's number, in arrival order.
    std::vector<int> seen(count + 1, 0);
    int lost = 0, repeated = 0, out_of_order = 0, previous = 0, first_bad = 0;
    std::string first_problem;
    for (const auto& e : after_sync(r.data(), nonce)) {
        if (e.data.rfind(tag, 0) != 0) continue;
        const int i = std::atoi(e.data.c_str() + tag.size());
        if (i < 1 || i > count) continue;
        if (++seen[static_cast<std::size_t>(i)] > 1) {
            ++repeated;
            // append(), not "#" + ...: GCC 12 at -O3 warns falsely (-Wrestrict, GCC bug 105329).
            if (first_problem.empty()) first_problem.append("#").append(std::to_string(i)).append(" again after #").append(std::to_string(previous));
        } else if (i < previous) {
            ++out_of_order;
            if (first_problem.empty()) first_problem.append("#").append(std::to_string(i)).append(" after #").append(std::to_string(previous));
        }
        previous = std::max(previous, i);
    }
    for (int i = 1; i <= count; ++i) {
        if (seen[static_cast<std::size_t>(i)] != 0) continue;
        ++lost;
        if (first_bad == 0) first_bad = i;
    }
    ctx.raw = r.raw().substr(0, 4096);
    if (lost != 0 || repeated != 0 || out_of_order != 0) {
        std::string actual = std::to_string(lost) + " lost (first #" + std::to_string(first_bad) + "), " +
                             std::to_string(repeated) + " repeated, " + std::to_string(out_of_order) + " out of order";
        if (!first_problem.empty()) actual += "; first: " + first_problem;
        if (r.data().ended) actual += "; the server ended the stream";
        return outcome::failed("a burst of " + std::to_string(count) + " small events did not arrive intact",
                               "#1 .. #" + std::to_string(count) + ", each once, in order", actual, ctx.raw);
    }
    return outcome::passed(std::to_string(count) + " events published back to back arrived once each, in order");
}

}  // namespace

void register_server_load_cases(registry& r) {
    r.add({.id = "server/large-event/1",
           .description = "a 1 MiB event published through the hook arrives intact",
           .requirement = "HTML 9.2.6: data lines are appended to the data buffer with no length limit; a "
                          "server that cuts, splits or drops a large event corrupts it silently",
           .level = level::must, .target = target::server, .active = true, .run = large_event});
    r.add({.id = "server/burst/1",
           .description = "a burst of 10,000 small events published through the hook arrives intact, in order",
           .requirement = "HTML 9.2.6: each event is dispatched as its blank line arrives, in stream order; a server "
                          "that drops, repeats or reorders events under a burst corrupts what every client sees "
                          "(best practice: a server keeps up with a reading subscriber)",
           .level = level::must, .target = target::server, .active = true, .run = burst});
    r.add({.id = "server/fanout/2",
           .description = "200 concurrent subscribers see the same events, ids and order",
           .requirement = "Best practice (pub/sub): every subscriber of a stream receives every event once, in "
                          "publication order, with the same id, however many there are (200 on loopback here)",
           .level = level::must, .target = target::server, .active = true, .run = many_subscribers});
}

}  // namespace sse::conformance
