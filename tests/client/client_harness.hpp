// Test harness for sse::client: runs a client on its own io_context thread and records every
// callback as a line, so tests can wait (with a deadline) for what they expect.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "sse/client/client.hpp"
#include "support/scripted_peer.hpp"

namespace sse::test {

/// Everything a client reported, in order: "open 200", "event <type> <data> <id>", "comment
/// <text>", "retry <ms>", "error <category>:<value> retry|final", "closed"; with
/// client_runner::log_details, each error line is followed by "detail <client::error_detail()>"
/// when there is one.
class client_log {
public:
    void add(std::string line) {
        std::lock_guard lock(m_);
        lines_.push_back(std::move(line));
        cv_.notify_all();
    }
    std::vector<std::string> lines() const {
        std::lock_guard lock(m_);
        return lines_;
    }
    /// Waits until some line satisfies `pred` (hang guard: 10 s). True if one did.
    bool wait_for(const std::function<bool(const std::string&)>& pred,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(m_);
        return cv_.wait_for(lock, timeout, [&] {
            for (const auto& l : lines_)
                if (pred(l)) return true;
            return false;
        });
    }
    bool wait_line(const std::string& exact) {
        return wait_for([&](const std::string& l) { return l == exact; });
    }
    bool wait_prefix(const std::string& prefix) {
        return wait_for([&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
    }
    std::vector<std::string> with_prefix(const std::string& prefix) const {
        std::vector<std::string> out;
        for (const auto& l : lines())
            if (l.rfind(prefix, 0) == 0) out.push_back(l);
        return out;
    }

private:
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
};

inline std::string describe(std::error_code ec) {
    return std::string(ec.category().name()) + ":" + std::to_string(ec.value());
}

inline std::string code(std::error_code ec) { return describe(ec); }

/// One client on its own thread. Destroying the runner closes the client and joins the thread.
class client_runner {
public:
    explicit client_runner(sse::client::options opts, sse::client::callbacks extra = {}) {
        sse::client::callbacks cbs = std::move(extra);
        cbs.on_open = [this](const sse::client::response_head& h) { log.add("open " + std::to_string(h.status)); };
        cbs.on_event = [this](const sse::event& e) {
            log.add("event " + std::string(e.type) + " " + std::string(e.data) + " " + std::string(e.last_event_id));
        };
        cbs.on_comment = [this](std::string_view t) { log.add("comment " + std::string(t)); };
        cbs.on_retry = [this](std::uint64_t ms) { log.add("retry " + std::to_string(ms)); };
        cbs.on_error = [this](std::error_code ec, bool will_retry) {
            log.add("error " + describe(ec) + (will_retry ? " retry" : " final"));
            if (!log_details) return;
            if (const std::string d = client->error_detail(); !d.empty()) log.add("detail " + d);
        };
        cbs.on_closed = [this] { log.add("closed"); };
        client = sse::client::client::create(io.get_executor(), std::move(opts), std::move(cbs));
        thread = std::thread([this] { io.run(); });
    }
    ~client_runner() {
        client->close();
        work.reset();
        client.reset();
        thread.join();
    }

    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
    client_log log;
    /// Set before start(); a test that sets it waits for "closed" before the runner goes.
    std::atomic<bool> log_details{false};
    std::shared_ptr<sse::client::client> client;
    std::thread thread;
};

}  // namespace sse::test
