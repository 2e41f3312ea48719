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
    {
        std::lock_guard lock(mutex_);
        armed_ = false;
        if (due_.empty()) {
            due_.swap(waiting_);
        } else {
            due_.insert(due_.end(), std::make_move_iterator(waiting_.begin()),
                        std::make_move_iterator(waiting_.end()));
            waiting_.clear();
        }
    }
    // A window that fires while the writes of earlier ones are still under way joins them: one
    // chain of slices per thread, so other work waits for one slice whatever the backlog.
    if (!writing_) write_slice();
}

void flusher::write_slice() {
    // A slice at a time, the next slice posted behind what is queued meanwhile: a publish request
    // that arrives during a big fan-out is read and answered after a slice of writes, not after
    // all of them.
    const std::size_t to = std::min(due_.size(), next_ + slice);
    for (; next_ < to; ++next_) due_[next_]->write_now();
    if (next_ < due_.size()) {
        writing_ = true;
        net::post(timer_.get_executor(), [this] { write_slice(); });
        return;
    }
    writing_ = false;
    next_ = 0;
    due_.clear();  // keeps the capacity: a fan-out fills it again right away
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
