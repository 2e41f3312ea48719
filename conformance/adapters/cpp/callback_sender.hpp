// callback_sender: the ordered callback channel of one stream (ADAPTERS.md "Callbacks"). Messages
// are POSTed one at a time to callbackUrl/1, /2, ... from a thread of its own, so a slow or absent
// harness never blocks the client's I/O thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <sse/net/url.hpp>

namespace sse::conformance::adapter {

class callback_sender {
public:
    using logger = std::function<void(const std::string&)>;

    /// Parses `callback_url` (http:// only) and starts the sending thread. Throws
    /// std::invalid_argument with a message when the URL is not a valid http:// URL.
    callback_sender(const std::string& callback_url, logger log);
    /// Calls finish().
    ~callback_sender();
    callback_sender(const callback_sender&) = delete;
    callback_sender& operator=(const callback_sender&) = delete;

    /// Queues one JSON message; it gets the next number. Thread-safe. Ignored after finish().
    void post(std::string json);

    /// Stops accepting messages, sends those already queued (each bounded by a 5 s timeout; after
    /// a failed one the rest are dropped), and joins the thread: when it returns, nothing more is
    /// sent. Idempotent; thread-safe.
    void finish();

private:
    void run();
    void send_one(std::size_t n, const std::string& body);
    void fail(const std::string& target, const std::string& why);

    sse::net::url base_;
    logger log_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::string> queue_;
    std::size_t counter_ = 0;
    bool finishing_ = false;
    std::once_flag joined_;
    std::thread thread_;
};

}  // namespace sse::conformance::adapter
