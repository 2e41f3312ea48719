#include "flusher.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "stream_session.hpp"

namespace sse::server::detail {

flusher::flusher(net::any_io_executor executor, std::chrono::milliseconds interval)
    : interval_(interval), timer_(std::move(executor)) {}

flusher::~flusher() = default;

void flusher::add(std::shared_ptr<stream_session> s) {
    {
        std::lock_guard lock(mutex_);
        if (!drained_) {
            waiting_.push_back(std::move(s));
            if (!armed_) {
                // The window starts with the first stream that waits, so no event waits longer
                // than one interval for its write to start.
                armed_ = true;
                timer_.expires_after(interval_);
                timer_.async_wait([this](const error_code& ec) {
                    if (!ec) on_timer();
                });
            }
            return;
        }
    }
    s->flush();
}

void flusher::on_timer() {
    auto due = std::make_shared<std::vector<std::shared_ptr<stream_session>>>();
    {
        std::lock_guard lock(mutex_);
        armed_ = false;
        due->swap(waiting_);
        // Keep the capacity for the next window: a fan-out fills it again right away.
        waiting_.reserve(due->size());
    }
    start_writes(std::move(due), 0);
}

void flusher::start_writes(std::shared_ptr<std::vector<std::shared_ptr<stream_session>>> due,
                           std::size_t from) {
    // A slice at a time, the next slice posted behind what is queued meanwhile: a publish request
    // that arrives during a big fan-out is read and answered after one slice of writes, not after
    // all of them, so publishers are not held up by the fan-out of their own events.
    const std::size_t to = std::min(due->size(), from + slice);
    for (std::size_t i = from; i < to; ++i) (*due)[i]->write_now();
    if (to < due->size())
        net::post(timer_.get_executor(),
                  [this, due = std::move(due), to]() mutable { start_writes(std::move(due), to); });
}

void flusher::drain() {
    std::vector<std::shared_ptr<stream_session>> due;
    {
        std::lock_guard lock(mutex_);
        if (drained_) return;
        drained_ = true;
        if (armed_) timer_.cancel();
        armed_ = false;
        due.swap(waiting_);
    }
    for (const auto& s : due) s->flush();
}

}  // namespace sse::server::detail
